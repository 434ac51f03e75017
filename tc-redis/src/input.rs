//! Input from outside the process, read one way: bounded, and never blocking on what is not a
//! regular file. Every file the library or the main job reads (credentials files, tccli
//! profiles, web-identity tokens, CA bundles) goes through [`read_file`]; every stream read line
//! by line (the main job's standard input) through [`lines`].
//!
//! Rules for files:
//!
//! * the path is followed through symlinks (Kubernetes mounts secrets and projected tokens as
//!   symlinks into a `..data` directory), then must name a **regular file**: a FIFO would block
//!   the reader until a writer appears, a device such as `/dev/zero` never ends;
//! * the file must be at most the caller's size cap, checked from its metadata **before** it is
//!   opened for reading;
//! * the check is done again on the opened file, whose content is then read with a hard cap.
//!
//! The race between the check and the open (the path swapped for a FIFO in between) is closed,
//! not narrowed: on Unix the file is opened with `O_NONBLOCK`, so opening a FIFO returns at once
//! instead of waiting for a writer, and the opened file's own metadata (`fstat`) is checked
//! before a byte is read, so whatever was opened is refused if it is not a regular file. Reading
//! is capped with `take(cap + 1)`, so a file that grows after the check is still not read past
//! the cap. The flag is harmless for regular files, which never block.
//!
//! Streams (a pipe, a terminal) cannot be checked that way: [`lines`] caps the length of each
//! line instead, so a line that never ends (`/dev/zero`, a 100 MiB line) is an error naming the
//! cap after at most that many bytes, never a process that eats memory until it aborts.

use std::fmt;
use std::fs::{File, Metadata};
use std::io::{BufRead, Read};
use std::path::Path;
use std::time::SystemTime;

/// Why input could not be read by [`read_file`] or [`lines`].
#[derive(Debug)]
#[non_exhaustive]
pub enum ReadError {
    /// The file could not be inspected, opened or read (missing, permission denied, ...), or
    /// the stream failed.
    Io(std::io::Error),
    /// The path names something other than a regular file (a directory, a FIFO, a device, a
    /// socket). It was not read.
    NotRegularFile {
        /// What it is instead (`"directory"`, `"FIFO"`, `"character device"`, ...).
        kind: &'static str,
    },
    /// The file is larger than the cap. It was not read (or not past the cap).
    TooLarge {
        /// The cap, in bytes.
        limit: u64,
    },
    /// A line of a stream is longer than the cap. Nothing past the cap was kept.
    LineTooLong {
        /// The 1-based number of the line.
        line: u64,
        /// The cap, in bytes.
        limit: usize,
    },
    /// A line of a stream is not UTF-8 text.
    NotUnicode {
        /// The 1-based number of the line.
        line: u64,
    },
}

impl ReadError {
    /// The I/O error kind, for [`ReadError::Io`].
    pub fn io_kind(&self) -> Option<std::io::ErrorKind> {
        match self {
            ReadError::Io(e) => Some(e.kind()),
            _ => None,
        }
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Io(e) => fmt::Display::fmt(e, f),
            ReadError::NotRegularFile { kind } => write!(
                f,
                "it is a {kind}, not a regular file (it was not read); point to the file itself"
            ),
            ReadError::TooLarge { limit } => write!(
                f,
                "it is larger than {limit} bytes (it was not read): check that this is the right file"
            ),
            ReadError::LineTooLong { line, limit } => write!(
                f,
                "line {line} is longer than {limit} bytes (it was not read further): check that \
                 this is the right input"
            ),
            ReadError::NotUnicode { line } => write!(f, "line {line} is not UTF-8 text"),
        }
    }
}

impl std::error::Error for ReadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ReadError::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl From<std::io::Error> for ReadError {
    fn from(e: std::io::Error) -> Self {
        ReadError::Io(e)
    }
}

/// Reads the whole of `path` if it is a regular file of at most `limit` bytes.
///
/// Symlinks are followed (Kubernetes mounts secrets and tokens as symlinks). A FIFO, device,
/// directory or socket is refused without blocking and without reading
/// ([`ReadError::NotRegularFile`]); a file over `limit` is refused before it is opened
/// ([`ReadError::TooLarge`]), and never read past `limit` if it grows after the check. See the
/// [module documentation](self) for how the check-then-open race is closed.
pub fn read_file(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    read_file_stamped(path, limit).map(|(bytes, _)| bytes)
}

/// What identifies one version of a file without reading it: size, modification time and, on
/// Unix, the inode (a file replaced by an atomic rename is another inode).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FileStamp {
    len: u64,
    modified: Option<SystemTime>,
    inode: (u64, u64),
}

impl FileStamp {
    fn of(meta: &Metadata) -> FileStamp {
        #[cfg(unix)]
        let inode = {
            use std::os::unix::fs::MetadataExt;
            (meta.dev(), meta.ino())
        };
        #[cfg(not(unix))]
        let inode = (0, 0);
        FileStamp {
            len: meta.len(),
            modified: meta.modified().ok(),
            inode,
        }
    }
}

/// Refuses what is not a regular file of at most `limit` bytes.
fn check(meta: &Metadata, limit: u64) -> Result<(), ReadError> {
    if !meta.is_file() {
        return Err(ReadError::NotRegularFile {
            kind: kind_of(meta),
        });
    }
    if meta.len() > limit {
        return Err(ReadError::TooLarge { limit });
    }
    Ok(())
}

fn kind_of(meta: &Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_dir() {
        return "directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "FIFO";
        }
        if t.is_char_device() {
            return "character device";
        }
        if t.is_block_device() {
            return "block device";
        }
        if t.is_socket() {
            return "socket";
        }
    }
    "special file"
}

/// Checks the path's metadata without opening it: the stamp of a regular file within the cap.
pub(crate) fn stamp(path: &Path, limit: u64) -> Result<FileStamp, ReadError> {
    let meta = std::fs::metadata(path)?;
    check(&meta, limit)?;
    Ok(FileStamp::of(&meta))
}

/// Opens for reading without ever waiting for a FIFO's writer (see the module documentation).
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    options.open(path)
}

/// [`read_file`], and the stamp of the file actually read.
pub(crate) fn read_file_stamped(
    path: &Path,
    limit: u64,
) -> Result<(Vec<u8>, FileStamp), ReadError> {
    // Checked before opening: a device is never even opened in the ordinary case.
    stamp(path, limit)?;
    let file = open_nonblocking(path)?;
    // Checked again on what was opened, in case the path changed in between.
    let meta = file.metadata()?;
    check(&meta, limit)?;
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge { limit });
    }
    Ok((bytes, FileStamp::of(&meta)))
}

/// The lines of `reader`, each at most `max_line_bytes` long (without its `\n` or `\r\n`).
///
/// A longer line is [`ReadError::LineTooLong`] after at most `max_line_bytes + 1` bytes of it
/// have been buffered; a line that is not UTF-8 is [`ReadError::NotUnicode`]. The iterator ends
/// after the first error. A last line without a newline is a line.
pub fn lines<R: BufRead>(reader: R, max_line_bytes: usize) -> Lines<R> {
    Lines {
        reader,
        max: max_line_bytes,
        number: 0,
        done: false,
    }
}

/// The iterator of [`lines`].
#[derive(Debug)]
pub struct Lines<R> {
    reader: R,
    max: usize,
    number: u64,
    done: bool,
}

impl<R: BufRead> Lines<R> {
    fn next_line(&mut self) -> Result<Option<String>, ReadError> {
        let mut line = Vec::new();
        let mut any = false;
        loop {
            let chunk = match self.reader.fill_buf() {
                Ok(chunk) => chunk,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(ReadError::Io(e)),
            };
            if chunk.is_empty() {
                break;
            }
            any = true;
            let (take, end) = match memchr_newline(chunk) {
                Some(i) => (i, true),
                None => (chunk.len(), false),
            };
            if line.len() + take > self.max {
                return Err(ReadError::LineTooLong {
                    line: self.number + 1,
                    limit: self.max,
                });
            }
            line.extend_from_slice(&chunk[..take]);
            self.reader.consume(if end { take + 1 } else { take });
            if end {
                break;
            }
        }
        if !any {
            return Ok(None);
        }
        self.number += 1;
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        String::from_utf8(line)
            .map(Some)
            .map_err(|_| ReadError::NotUnicode { line: self.number })
    }
}

fn memchr_newline(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == b'\n')
}

impl<R: BufRead> Iterator for Lines<R> {
    type Item = Result<String, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.next_line() {
            Ok(Some(line)) => Some(Ok(line)),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    const CAP: u64 = 64 * 1024;

    /// A directory removed at drop (unit tests cannot use the workspace's test-support crate).
    struct TempDir(std::path::PathBuf);

    impl TempDir {
        fn new(name: &str) -> TempDir {
            let dir =
                std::env::temp_dir().join(format!("tc-redis-input-{}-{name}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            TempDir(dir)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn mkfifo(path: &Path) {
        let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path and a mode.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "mkfifo");
    }

    #[test]
    fn reads_a_small_regular_file_and_through_a_symlink() {
        let dir = TempDir::new("small");
        let path = dir.0.join("f");
        std::fs::write(&path, b"hello").unwrap();
        assert_eq!(read_file(&path, CAP).unwrap(), b"hello");
        let link = dir.0.join("link");
        std::os::unix::fs::symlink(&path, &link).unwrap();
        assert_eq!(read_file(&link, CAP).unwrap(), b"hello");
        // Exactly at the cap is fine, one byte more is not.
        std::fs::write(&path, vec![b'x'; 16]).unwrap();
        assert_eq!(read_file(&path, 16).unwrap().len(), 16);
        std::fs::write(&path, vec![b'x'; 17]).unwrap();
        let e = read_file(&path, 16).unwrap_err();
        assert!(matches!(e, ReadError::TooLarge { limit: 16 }), "{e:?}");
    }

    #[test]
    fn missing_file_is_an_io_error() {
        let dir = TempDir::new("missing");
        let e = read_file(&dir.0.join("nope"), CAP).unwrap_err();
        assert_eq!(e.io_kind(), Some(std::io::ErrorKind::NotFound), "{e:?}");
    }

    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let dir = TempDir::new("fifo");
        let fifo = dir.0.join("fifo");
        mkfifo(&fifo);
        let start = Instant::now();
        let e = read_file(&fifo, CAP).unwrap_err();
        assert!(
            matches!(e, ReadError::NotRegularFile { kind: "FIFO" }),
            "{e:?}"
        );
        assert!(start.elapsed() < Duration::from_secs(1));
        assert!(e.to_string().contains("FIFO, not a regular file"), "{e}");
        // The post-open check alone (as if the path had been swapped after the first check):
        // opening the FIFO does not wait for a writer, and fstat refuses it.
        let start = Instant::now();
        let file = open_nonblocking(&fifo).unwrap();
        let e = check(&file.metadata().unwrap(), CAP).unwrap_err();
        assert!(
            matches!(e, ReadError::NotRegularFile { kind: "FIFO" }),
            "{e:?}"
        );
        assert!(start.elapsed() < Duration::from_secs(1));
    }

    #[test]
    fn devices_and_directories_are_refused() {
        let e = read_file(Path::new("/dev/zero"), CAP).unwrap_err();
        assert!(
            matches!(
                e,
                ReadError::NotRegularFile {
                    kind: "character device"
                }
            ),
            "{e:?}"
        );
        let dir = TempDir::new("dir");
        let e = read_file(&dir.0, CAP).unwrap_err();
        assert!(
            matches!(e, ReadError::NotRegularFile { kind: "directory" }),
            "{e:?}"
        );
    }

    #[test]
    fn an_oversized_file_is_refused_before_reading() {
        let dir = TempDir::new("big");
        let path = dir.0.join("big");
        // Sparse: 100 MiB long without writing 100 MiB.
        let f = File::create(&path).unwrap();
        f.set_len(100 * 1024 * 1024).unwrap();
        let start = Instant::now();
        let e = read_file(&path, CAP).unwrap_err();
        assert!(matches!(e, ReadError::TooLarge { limit: CAP }), "{e:?}");
        assert!(start.elapsed() < Duration::from_secs(1));
        assert!(e.to_string().contains("larger than 65536 bytes"), "{e}");
    }

    fn all(input: &[u8], max: usize) -> Vec<Result<String, String>> {
        lines(input, max)
            .map(|r| r.map_err(|e| e.to_string()))
            .collect()
    }

    #[test]
    fn lines_split_on_newlines_and_strip_carriage_returns() {
        assert_eq!(
            all(b"a\nbb\r\n\nlast", 8),
            [
                Ok("a".into()),
                Ok("bb".into()),
                Ok("".into()),
                Ok("last".into())
            ]
        );
        assert!(all(b"", 8).is_empty());
        assert_eq!(all(b"x\n", 8), [Ok("x".to_owned())]);
        // Exactly at the cap is a line; a byte more is an error naming the line and the cap.
        assert_eq!(all(b"12345678\n", 8), [Ok("12345678".to_owned())]);
        assert_eq!(
            all(b"ok\n123456789\nnever", 8),
            [
                Ok("ok".into()),
                Err(
                    "line 2 is longer than 8 bytes (it was not read further): check that this \
                     is the right input"
                        .into()
                )
            ]
        );
        assert_eq!(
            all(b"a\n\xff\n", 8),
            [Ok("a".into()), Err("line 2 is not UTF-8 text".into())]
        );
    }

    #[test]
    fn a_line_that_never_ends_is_refused_after_the_cap() {
        // /dev/zero never sends a newline: the reader stops after the cap, at once.
        let zero = std::io::BufReader::new(File::open("/dev/zero").unwrap());
        let start = Instant::now();
        let mut it = lines(zero, 1024 * 1024);
        let e = it.next().unwrap().unwrap_err();
        assert!(
            matches!(
                e,
                ReadError::LineTooLong {
                    line: 1,
                    limit: 1_048_576
                }
            ),
            "{e:?}"
        );
        assert!(it.next().is_none(), "the iterator ends after an error");
        assert!(start.elapsed() < Duration::from_secs(2));
    }
}
