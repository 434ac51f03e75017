//! [`FileCache`]: a credential file re-read and re-parsed only when it changed. Reading itself is
//! the crate's one bounded reader, [`crate::input::read_file`] (regular files only, capped, a
//! FIFO never blocks).

use crate::input::{FileStamp, ReadError, read_file_stamped, stamp};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

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
        read_error: impl Fn(ReadError) -> E,
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
        let (bytes, stamp) = read_file_stamped(path, limit).map_err(&read_error)?;
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
    use crate::credentials::MAX_CREDENTIALS_FILE_BYTES as CAP;
    use std::cell::Cell;
    use std::fs::File;
    use std::time::{Duration, SystemTime};
    use tc_redis_test_support::TempDir;

    #[test]
    fn cache_rereads_only_when_mtime_size_or_inode_change() {
        let dir = TempDir::new("file-cache");
        let path = dir.join("f");
        let parses = Cell::new(0);
        let cache: FileCache<String> = FileCache::new();
        let get = || {
            cache.get(
                &path,
                CAP,
                |b| {
                    parses.set(parses.get() + 1);
                    Ok::<_, ReadError>(String::from_utf8_lossy(b).into_owned())
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
        let other = dir.join("g");
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
        dir.fifo("f");
        assert!(matches!(
            get().unwrap_err(),
            ReadError::NotRegularFile { kind: "FIFO" }
        ));
    }
}
