//! Environment variables, read one way: as bytes, so that a variable that is set but is not
//! UTF-8 is an error naming it ([`NotUnicode`]), never "unset".
//!
//! `std::env::var(..).ok()` takes a non-UTF-8 value for an unset one: a proxy variable holding a
//! Latin-1 password would then mean "connect directly", a credential variable "try the next
//! source". Every variable the library reads goes through [`Env`], and so can a program's own
//! (the main job reads its variables through it too). An [`Env`] is also the seam tests replace:
//! [`Env::from_pairs`] is a fixed environment, with nothing read from the process.

use std::collections::HashMap;
use std::ffi::OsString;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

/// Where environment variables are read from: the process's, or a fixed set (tests, or a
/// configuration map). Cheap to clone.
///
/// `Debug` lists the names of a fixed set's variables, never their values (they can be
/// secrets).
#[derive(Clone, Default)]
pub struct Env {
    /// `None`: the process environment, read at each lookup.
    fixed: Option<Arc<HashMap<String, OsString>>>,
}

impl Env {
    /// The process environment, read at each lookup (not a snapshot).
    pub fn process() -> Env {
        Env { fixed: None }
    }

    /// A fixed environment holding exactly these variables; nothing is read from the process.
    ///
    /// ```
    /// use tc_redis::env::Env;
    ///
    /// let env = Env::from_pairs([("TENCENTCLOUD_REGION", "ap-guangzhou"), ("EMPTY", "")]);
    /// assert_eq!(env.get("TENCENTCLOUD_REGION")?.as_deref(), Some("ap-guangzhou"));
    /// assert_eq!(env.get("EMPTY")?, None); // empty counts as unset
    /// assert_eq!(env.get("HOME")?, None); // not read from the process
    /// # Ok::<(), tc_redis::env::NotUnicode>(())
    /// ```
    pub fn from_pairs<I, K, V>(pairs: I) -> Env
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<OsString>,
    {
        let map = pairs
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        Env {
            fixed: Some(Arc::new(map)),
        }
    }

    /// The raw value, as the operating system holds it; `None` when unset. An empty value is
    /// `Some("")`.
    pub fn get_os(&self, name: &str) -> Option<OsString> {
        match &self.fixed {
            None => std::env::var_os(name),
            Some(map) => map.get(name).cloned(),
        }
    }

    /// The value as text: `None` when unset or empty, [`NotUnicode`] when set to bytes that are
    /// not UTF-8.
    pub fn get(&self, name: &str) -> Result<Option<String>, NotUnicode> {
        match self.get_os(name).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) => v.into_string().map(Some).map_err(|_| NotUnicode {
                var: name.to_owned(),
            }),
        }
    }

    /// The value as a path (any bytes are a valid path on Unix): `None` when unset or empty.
    pub fn get_path(&self, name: &str) -> Option<PathBuf> {
        self.get_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    }

    /// Whether the variable is set to a non-empty value (of any bytes).
    pub fn is_set(&self, name: &str) -> bool {
        self.get_os(name).is_some_and(|v| !v.is_empty())
    }

    /// Every variable whose name starts with `prefix`, with its value as text (an error for a
    /// value that is not UTF-8), sorted by name; empty values are left out, as unset.
    pub fn with_prefix(&self, prefix: &str) -> Vec<(String, Result<String, NotUnicode>)> {
        let names: Vec<String> = match &self.fixed {
            None => std::env::vars_os()
                .filter_map(|(name, _)| name.into_string().ok())
                .filter(|name| name.starts_with(prefix))
                .collect(),
            Some(map) => map
                .keys()
                .filter(|name| name.starts_with(prefix))
                .cloned()
                .collect(),
        };
        let mut found: Vec<(String, Result<String, NotUnicode>)> = names
            .into_iter()
            .filter_map(|name| match self.get(&name) {
                Ok(None) => None,
                Ok(Some(value)) => Some((name, Ok(value))),
                Err(e) => Some((name, Err(e))),
            })
            .collect();
        found.sort_by(|a, b| a.0.cmp(&b.0));
        found
    }

    /// The user's home directory: `HOME` (`USERPROFILE` on Windows), `None` when unset or empty.
    pub fn home(&self) -> Option<PathBuf> {
        let var = if cfg!(windows) { "USERPROFILE" } else { "HOME" };
        self.get_path(var)
    }
}

impl fmt::Debug for Env {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.fixed {
            None => f.write_str("Env(process)"),
            Some(map) => {
                let mut names: Vec<&str> = map.keys().map(String::as_str).collect();
                names.sort_unstable();
                f.debug_tuple("Env").field(&names).finish()
            }
        }
    }
}

/// A variable is set to bytes that are not UTF-8. Taking it for unset would silently change what
/// the program does (connect directly instead of through a proxy, sign as another identity), so
/// it is an error: fix the value or unset the variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotUnicode {
    var: String,
}

impl NotUnicode {
    /// The variable's name.
    pub fn var(&self) -> &str {
        &self.var
    }
}

impl fmt::Display for NotUnicode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "environment variable {} is set but is not valid UTF-8; fix its value or unset it",
            self.var
        )
    }
}

impl std::error::Error for NotUnicode {}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    fn latin1(bytes: &[u8]) -> OsString {
        use std::os::unix::ffi::OsStringExt;
        OsString::from_vec(bytes.to_vec())
    }

    #[test]
    #[cfg(unix)]
    fn a_value_that_is_not_utf8_is_an_error_naming_it_never_unset() {
        let env = Env::from_pairs([("https_proxy", latin1(b"http://u:p\xe4ss@proxy:3128"))]);
        let e = env.get("https_proxy").unwrap_err();
        assert_eq!(e.var(), "https_proxy");
        assert!(e.to_string().contains("https_proxy"), "{e}");
        assert!(!e.to_string().contains("proxy:3128"), "no value in {e}");
        assert!(env.is_set("https_proxy"));
        assert!(
            env.get_path("https_proxy").is_some(),
            "a path may be any bytes"
        );
    }

    #[test]
    fn empty_is_unset_and_debug_shows_no_value() {
        let env = Env::from_pairs([("A", "1"), ("B", ""), ("SECRET", "DistinctiveSecret")]);
        assert_eq!(env.get("A").unwrap().as_deref(), Some("1"));
        assert_eq!(env.get("B").unwrap(), None);
        assert_eq!(env.get_os("B"), Some(OsString::new()));
        assert!(!env.is_set("B") && !env.is_set("C"));
        let debug = format!("{env:?}");
        assert_eq!(debug, r#"Env(["A", "B", "SECRET"])"#);
        assert_eq!(format!("{:?}", Env::process()), "Env(process)");
    }
}
