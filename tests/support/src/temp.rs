//! Temporary directories, removed on drop.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A fresh, empty directory under the system's temporary directory, removed with everything in
/// it when dropped.
///
/// Its name holds the tag, the process id and a counter, so that tests running at the same
/// time, in one process or in several, never share one.
///
/// ```
/// use tc_redis_test_support::TempDir;
///
/// let dir = TempDir::new("example");
/// let file = dir.write("profile/credentials", "[default]\n");
/// assert_eq!(std::fs::read_to_string(&file).unwrap(), "[default]\n");
/// let path = dir.path().to_path_buf();
/// drop(dir);
/// assert!(!path.exists());
/// ```
#[derive(Debug)]
pub struct TempDir {
    path: PathBuf,
}

impl TempDir {
    /// Creates `tc-redis-<tag>-<pid>-<n>` in the temporary directory.
    ///
    /// # Panics
    ///
    /// When the directory cannot be created: the test cannot go on.
    pub fn new(tag: &str) -> TempDir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("tc-redis-{tag}-{}-{n}", std::process::id()));
        // A leftover of an earlier process that had the same id.
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", path.display()));
        TempDir { path }
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `name` inside the directory (nothing is created).
    pub fn join(&self, name: impl AsRef<Path>) -> PathBuf {
        self.path.join(name)
    }

    /// Writes `contents` to `name` inside the directory, creating its parent directories, and
    /// returns its path.
    ///
    /// # Panics
    ///
    /// When the file cannot be written.
    pub fn write(&self, name: impl AsRef<Path>, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .unwrap_or_else(|e| panic!("cannot create {}: {e}", parent.display()));
        }
        std::fs::write(&path, contents)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        path
    }

    /// Makes a FIFO (a named pipe) `name` inside the directory and returns its path: opening it
    /// to read blocks until a writer comes, as a hostile "file" in place of a credentials file
    /// or a CA bundle does.
    ///
    /// # Panics
    ///
    /// When `mkfifo` fails.
    #[cfg(unix)]
    pub fn fifo(&self, name: impl AsRef<Path>) -> PathBuf {
        use std::os::unix::ffi::OsStrExt;
        let path = self.path.join(name);
        let c_path = std::ffi::CString::new(path.as_os_str().as_bytes())
            .unwrap_or_else(|_| panic!("{} holds a NUL byte", path.display()));
        // SAFETY: a valid NUL-terminated path and a mode; mkfifo reads nothing else.
        if unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) } != 0 {
            panic!(
                "mkfifo {}: {}",
                path.display(),
                std::io::Error::last_os_error()
            );
        }
        path
    }
}

impl AsRef<Path> for TempDir {
    fn as_ref(&self) -> &Path {
        &self.path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_dirs_with_one_tag_are_distinct_and_each_is_removed_with_its_files() {
        let (a, b) = (TempDir::new("same"), TempDir::new("same"));
        assert_ne!(a.path(), b.path());
        let file = a.write("nested/dir/file", b"x");
        assert_eq!(std::fs::read(&file).unwrap(), b"x");
        let path = a.path().to_path_buf();
        drop(a);
        assert!(!path.exists(), "{} was left behind", path.display());
        assert!(b.path().is_dir());
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_a_fifo() {
        use std::os::unix::fs::FileTypeExt;
        let dir = TempDir::new("fifo");
        let fifo = dir.fifo("pipe");
        let kind = std::fs::metadata(&fifo).unwrap().file_type();
        assert!(kind.is_fifo(), "{kind:?}");
    }
}
