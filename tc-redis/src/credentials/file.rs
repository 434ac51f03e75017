//! The one way credential sources read files: [`read_small_regular_file`], and
//! [`FileCache`], which re-reads and re-parses a file only when it changed.
//!
//! Rules, shared by every file-based source (credentials file, tccli's profile, token files):
//!
//! * the path is followed through symlinks (Kubernetes mounts secrets and projected tokens as
//!   symlinks into a `..data` directory), then must name a **regular file**: a FIFO would block
//!   the reader until a writer appears, a device such as `/dev/zero` never ends;
//! * the file must be at most a small size cap (64 KiB for credentials: real ones are a few
//!   hundred bytes), checked from its metadata **before** it is opened for reading;
//! * the check is done again on the opened file, whose size is then read with a hard cap.
//!
//! The race between the check and the open (the path swapped for a FIFO in between) is closed,
//! not narrowed: on Unix the file is opened with `O_NONBLOCK`, so opening a FIFO returns at once
//! instead of waiting for a writer, and the opened file's own metadata (`fstat`) is checked
//! before a byte is read, so whatever was opened is refused if it is not a regular file. Reading
//! is capped with `take(cap + 1)`, so a file that grows after the check is still not read past
//! the cap. The flag is harmless for regular files, which never block.

use std::fmt;
use std::fs::{File, Metadata};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

/// The size cap of credential files: a credentials file is a few hundred bytes, a web-identity
/// token a few kilobytes.
pub const MAX_CREDENTIALS_FILE_BYTES: u64 = 64 * 1024;

/// Why a file could not be read by [`read_small_regular_file`].
#[derive(Debug)]
#[non_exhaustive]
pub enum FileReadError {
    /// The file could not be inspected, opened or read (missing, permission denied, ...).
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
}

impl FileReadError {
    /// The I/O error kind, for [`FileReadError::Io`].
    pub fn io_kind(&self) -> Option<std::io::ErrorKind> {
        match self {
            FileReadError::Io(e) => Some(e.kind()),
            _ => None,
        }
    }
}

impl fmt::Display for FileReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileReadError::Io(e) => fmt::Display::fmt(e, f),
            FileReadError::NotRegularFile { kind } => write!(
                f,
                "it is a {kind}, not a regular file (it was not read); point to the file itself"
            ),
            FileReadError::TooLarge { limit } => write!(
                f,
                "it is larger than {limit} bytes (it was not read); credential files are a few \
                 hundred bytes: check that this is the right file"
            ),
        }
    }
}

impl std::error::Error for FileReadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            FileReadError::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl From<std::io::Error> for FileReadError {
    fn from(e: std::io::Error) -> Self {
        FileReadError::Io(e)
    }
}

/// Reads the whole of `path` if it is a regular file of at most `limit` bytes.
///
/// Symlinks are followed (Kubernetes mounts secrets and tokens as symlinks). A FIFO, device,
/// directory or socket is refused without blocking and without reading
/// ([`FileReadError::NotRegularFile`]); a file over `limit` is refused before it is opened
/// ([`FileReadError::TooLarge`]), and never read past `limit` if it grows after the check.
///
/// The race between the check and the open (the path swapped for a FIFO in between) is closed:
/// on Unix the file is opened with `O_NONBLOCK`, so opening a FIFO returns at once instead of
/// waiting for a writer, and the opened file's own metadata is checked again before a byte is
/// read. Every credential source uses this function (with [`MAX_CREDENTIALS_FILE_BYTES`] for
/// credentials and tokens).
pub fn read_small_regular_file(path: &Path, limit: u64) -> Result<Vec<u8>, FileReadError> {
    read_stamped(path, limit).map(|(bytes, _)| bytes)
}

/// What identifies one version of a file without reading it: size, modification time and, on
/// Unix, the inode (a file replaced by an atomic rename is another inode).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct FileStamp {
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
fn check(meta: &Metadata, limit: u64) -> Result<(), FileReadError> {
    if !meta.is_file() {
        return Err(FileReadError::NotRegularFile {
            kind: kind_of(meta),
        });
    }
    if meta.len() > limit {
        return Err(FileReadError::TooLarge { limit });
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

/// Checks the path's metadata: the stamp of a regular file within the cap.
fn stamp(path: &Path, limit: u64) -> Result<FileStamp, FileReadError> {
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

/// [`read_small_regular_file`], and the stamp of the file actually read.
fn read_stamped(path: &Path, limit: u64) -> Result<(Vec<u8>, FileStamp), FileReadError> {
    // Checked before opening: a device is never even opened in the ordinary case.
    stamp(path, limit)?;
    let file = open_nonblocking(path)?;
    // Checked again on what was opened, in case the path changed in between.
    let meta = file.metadata()?;
    check(&meta, limit)?;
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(FileReadError::TooLarge { limit });
    }
    Ok((bytes, FileStamp::of(&meta)))
}

/// The parsed content of one file, re-read and re-parsed only when the file's size,
/// modification time or inode changes (or another path is asked for).
///
/// Each [`get`](Self::get) costs one `stat`. Only successful parses are cached: a broken file
/// is read again at the next call, so that fixing it takes effect at once.
pub(crate) struct FileCache<T> {
    slot: Mutex<Option<Cached<T>>>,
}

struct Cached<T> {
    path: PathBuf,
    stamp: FileStamp,
    value: T,
}

impl<T: Clone> FileCache<T> {
    pub(crate) fn new() -> Self {
        FileCache {
            slot: Mutex::new(None),
        }
    }

    /// The parsed content of `path`: cached, or read (within `limit`) and parsed by `parse`.
    /// Read errors are turned into `E` by `read_error`.
    pub(crate) fn get<E>(
        &self,
        path: &Path,
        limit: u64,
        parse: impl FnOnce(&[u8]) -> Result<T, E>,
        read_error: impl Fn(FileReadError) -> E,
    ) -> Result<T, E> {
        let current = stamp(path, limit).map_err(&read_error)?;
        // Held while reading: the file is small and a read cannot block (no FIFO, no device).
        let mut slot = self.slot.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(cached) = slot.as_ref()
            && cached.path == path
            && cached.stamp == current
        {
            return Ok(cached.value.clone());
        }
        let (bytes, stamp) = read_stamped(path, limit).map_err(&read_error)?;
        let value = parse(&bytes)?;
        *slot = Some(Cached {
            path: path.to_owned(),
            stamp,
            value: value.clone(),
        });
        Ok(value)
    }
}

impl<T> fmt::Debug for FileCache<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Only whether something is cached: the value may hold secrets.
        let cached = match self.slot.try_lock() {
            Ok(slot) => slot.as_ref().map(|c| c.path.clone()),
            Err(_) => None,
        };
        f.debug_struct("FileCache")
            .field("cached", &cached)
            .finish()
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use crate::credentials::test_support::TempDir;
    use std::cell::Cell;
    use std::time::{Duration, Instant};

    const CAP: u64 = MAX_CREDENTIALS_FILE_BYTES;

    #[test]
    fn reads_a_small_regular_file_and_through_a_symlink() {
        let dir = TempDir::new("file-small");
        let path = dir.0.join("f");
        std::fs::write(&path, b"hello").unwrap();
        assert_eq!(read_small_regular_file(&path, CAP).unwrap(), b"hello");
        let link = dir.0.join("link");
        std::os::unix::fs::symlink(&path, &link).unwrap();
        assert_eq!(read_small_regular_file(&link, CAP).unwrap(), b"hello");
        // Exactly at the cap is fine, one byte more is not.
        std::fs::write(&path, vec![b'x'; 16]).unwrap();
        assert_eq!(read_small_regular_file(&path, 16).unwrap().len(), 16);
        std::fs::write(&path, vec![b'x'; 17]).unwrap();
        let e = read_small_regular_file(&path, 16).unwrap_err();
        assert!(
            matches!(e, FileReadError::TooLarge { limit: 16 }),
            "a 17-byte file under a 16-byte cap: {e:?}"
        );
    }

    #[test]
    fn missing_file_is_an_io_error() {
        let dir = TempDir::new("file-missing");
        let e = read_small_regular_file(&dir.0.join("nope"), CAP).unwrap_err();
        assert_eq!(e.io_kind(), Some(std::io::ErrorKind::NotFound), "{e:?}");
    }

    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let dir = TempDir::new("file-fifo");
        let fifo = dir.0.join("fifo");
        let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path and a mode.
        assert_eq!(
            unsafe { libc::mkfifo(c.as_ptr(), 0o600) },
            0,
            "mkfifo failed"
        );
        let start = Instant::now();
        let e = read_small_regular_file(&fifo, CAP).unwrap_err();
        assert!(
            matches!(e, FileReadError::NotRegularFile { kind: "FIFO" }),
            "{e:?}"
        );
        assert!(
            start.elapsed() < Duration::from_secs(1),
            "took {:?}",
            start.elapsed()
        );
        assert!(e.to_string().contains("FIFO, not a regular file"), "{e}");
        // The post-open check alone (as if the path had been swapped after the first check):
        // opening the FIFO does not wait for a writer, and fstat refuses it.
        let start = Instant::now();
        let file = open_nonblocking(&fifo).unwrap();
        let e = check(&file.metadata().unwrap(), CAP).unwrap_err();
        assert!(
            matches!(e, FileReadError::NotRegularFile { kind: "FIFO" }),
            "{e:?}"
        );
        assert!(start.elapsed() < Duration::from_secs(1));
    }

    #[test]
    fn devices_and_directories_are_refused() {
        let e = read_small_regular_file(Path::new("/dev/zero"), CAP).unwrap_err();
        assert!(
            matches!(
                e,
                FileReadError::NotRegularFile {
                    kind: "character device"
                }
            ),
            "{e:?}"
        );
        let dir = TempDir::new("file-dir");
        let e = read_small_regular_file(&dir.0, CAP).unwrap_err();
        assert!(
            matches!(e, FileReadError::NotRegularFile { kind: "directory" }),
            "{e:?}"
        );
    }

    #[test]
    fn an_oversized_file_is_refused_before_reading() {
        let dir = TempDir::new("file-big");
        let path = dir.0.join("big");
        // Sparse: 100 MB long without writing 100 MB.
        let f = File::create(&path).unwrap();
        f.set_len(100 * 1024 * 1024).unwrap();
        let start = Instant::now();
        let e = read_small_regular_file(&path, CAP).unwrap_err();
        assert!(matches!(e, FileReadError::TooLarge { limit: CAP }), "{e:?}");
        assert!(start.elapsed() < Duration::from_secs(1));
        assert!(e.to_string().contains("larger than 65536 bytes"), "{e}");
    }

    #[test]
    fn cache_rereads_only_when_mtime_size_or_inode_change() {
        let dir = TempDir::new("file-cache");
        let path = dir.0.join("f");
        let parses = Cell::new(0);
        let cache: FileCache<String> = FileCache::new();
        let get = || {
            cache.get(
                &path,
                CAP,
                |b| {
                    parses.set(parses.get() + 1);
                    Ok::<_, FileReadError>(String::from_utf8_lossy(b).into_owned())
                },
                |e| e,
            )
        };
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let write = |text: &str, mtime: SystemTime| {
            let f = std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .open(&path)
                .unwrap();
            std::io::Write::write_all(&mut &f, text.as_bytes()).unwrap();
            f.set_modified(mtime).unwrap();
        };
        write("one", t0);
        assert_eq!(get().unwrap(), "one");
        assert_eq!(get().unwrap(), "one");
        assert_eq!(parses.get(), 1, "an unchanged file is parsed once");

        // Same size, same mtime, same inode: indistinguishable, so the cache answers (this is
        // what proves the second call above did not read the file).
        write("two", t0);
        assert_eq!(get().unwrap(), "one");
        assert_eq!(parses.get(), 1);

        // Same size, new mtime: re-read.
        write("two", t0 + Duration::from_secs(1));
        assert_eq!(get().unwrap(), "two");
        assert_eq!(parses.get(), 2);

        // New size, old mtime: re-read.
        write("three", t0 + Duration::from_secs(1));
        assert_eq!(get().unwrap(), "three");
        assert_eq!(parses.get(), 3);

        // Replaced by a rename (new inode), same size and mtime: re-read.
        let other = dir.0.join("g");
        std::fs::write(&other, "fours").unwrap();
        File::options()
            .write(true)
            .open(&other)
            .unwrap()
            .set_modified(t0 + Duration::from_secs(1))
            .unwrap();
        std::fs::rename(&other, &path).unwrap();
        assert_eq!(get().unwrap(), "fours");
        assert_eq!(parses.get(), 4);

        // Replaced by a FIFO: refused, not served from the cache.
        std::fs::remove_file(&path).unwrap();
        let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path and a mode.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        assert!(matches!(
            get().unwrap_err(),
            FileReadError::NotRegularFile { kind: "FIFO" }
        ));
    }
}
