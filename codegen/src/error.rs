//! The one error type of the generator: what is wrong, in which file, at which JSON path.

use std::fmt;
use std::path::{Path, PathBuf};

/// A spec that cannot be turned into code.
///
/// The `Display` form is `<file>: <json path>: <what is wrong>`, so that a failing `build.rs`
/// points straight at the field to fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    /// The spec file (or a description of the source when it was not read from a file).
    pub file: PathBuf,
    /// A JSON path into that file, such as `objects.CleanUpInstanceRequest.members[0].type`;
    /// empty when the error concerns the whole file (unreadable, not JSON).
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl SpecError {
    pub(crate) fn new(file: &Path, path: impl Into<String>, message: impl Into<String>) -> Self {
        SpecError {
            file: file.to_path_buf(),
            path: path.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}: {}", self.file.display(), self.message)
        } else {
            write!(
                f,
                "{}: {}: {}",
                self.file.display(),
                self.path,
                self.message
            )
        }
    }
}

impl std::error::Error for SpecError {}
