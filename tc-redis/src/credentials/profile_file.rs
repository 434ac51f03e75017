//! [`ProfileProvider`]: credentials from an INI credentials file, and its parser.

use super::error::{CredentialField, InvalidCredential};
use super::file_cache::FileCache;
use super::{
    CredentialSource, Credentials, CredentialsError, MAX_CREDENTIALS_FILE_BYTES,
    ProvideCredentials, ProviderContext,
};
use crate::input::ReadError;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The provider's name in messages.
const NAME: &str = "profile";

/// Reads credentials from an INI credentials file.
///
/// Which file: the one named by `TENCENTCLOUD_CREDENTIALS_FILE`, else
/// `$HOME/.tencentcloud/credentials`, else `credentials` in the system-wide directory
/// (`/etc/tencentcloud`), as the [`ProviderContext`] sees them — unless a path is given with
/// [`ProfileProvider::from_path`]. A named file (variable or constructor) that does not exist is
/// an error; when neither default location exists the provider is
/// [`NotLoaded`](super::CredentialsErrorKind::NotLoaded). So is a file found at a default location
/// that has no section for the profile (the next source, such as tccli's profile, may have it);
/// in a named file, a missing section is an error.
///
/// The file must be a regular file of at most 64 KiB (see [`crate::input::read_file`]).
/// It is parsed once and again only when its size, modification time or inode changes: each
/// [`provide`](ProvideCredentials::provide) costs one `stat`.
///
/// Format, as the official SDKs write it:
///
/// ```ini
/// # comment
/// [default]
/// secret_id = AKIDxxxxxxxx
/// secret_key = xxxxxxxx
/// ; token = only for temporary credentials
/// ```
///
/// * section `[default]` unless another profile is chosen with
///   [`ProfileProvider::with_profile`]; section names are case-sensitive, key names are not;
/// * keys `secret_id`, `secret_key` and optional `token` (an empty token counts as absent); other
///   keys and other sections are ignored; `key: value` is accepted like `key = value`;
/// * values are whitespace-stripped, then one pair of matching surrounding quotes (`"…"` or
///   `'…'`) is removed. The Python SDK keeps the quotes literally, a known footgun;
/// * whole-line comments start with `#` or `;`; there are no inline comments (like Python's
///   `configparser`) and no multi-line values.
#[derive(Clone)]
pub struct ProfileProvider {
    /// The file given to [`from_path`](Self::from_path); else it is looked for.
    path: Option<PathBuf>,
    profile: String,
    context: ProviderContext,
    /// The parsed file; shared by clones.
    cache: Arc<FileCache<Credentials>>,
}

impl ProfileProvider {
    /// The profile read unless [`with_profile`](Self::with_profile) says otherwise.
    pub const DEFAULT_PROFILE: &'static str = "default";
    /// The variable naming the credentials file.
    pub const FILE_VAR: &'static str = "TENCENTCLOUD_CREDENTIALS_FILE";

    /// Finds the file through the process environment (`TENCENTCLOUD_CREDENTIALS_FILE`, `HOME`).
    pub fn new() -> Self {
        ProfileProvider::with_context(ProviderContext::new())
    }

    /// Finds the file through `context`.
    pub fn with_context(context: ProviderContext) -> Self {
        ProfileProvider {
            path: None,
            profile: Self::DEFAULT_PROFILE.to_owned(),
            context,
            cache: Arc::new(FileCache::new()),
        }
    }

    /// Reads exactly `path`.
    pub fn from_path(path: impl Into<PathBuf>) -> Self {
        ProfileProvider {
            path: Some(path.into()),
            ..ProfileProvider::new()
        }
    }

    /// Reads section `[profile]` instead of `[default]`.
    pub fn with_profile(mut self, profile: impl Into<String>) -> Self {
        self.profile = profile.into();
        self.cache = Arc::new(FileCache::new());
        self
    }

    /// The file to read and whether it was named explicitly (constructor or variable), or why
    /// there is none.
    fn locate(&self) -> Result<(PathBuf, bool), CredentialsError> {
        if let Some(path) = &self.path {
            return Ok((path.clone(), true));
        }
        if let Some(path) = self.context.env().get_path(Self::FILE_VAR) {
            return Ok((path, true));
        }
        let mut not_found = Vec::new();
        if let Some(home) = self.context.home() {
            let path = home.join(".tencentcloud").join("credentials");
            if path.exists() {
                return Ok((path, false));
            }
            not_found.push(path);
        }
        let system = self.context.system_config_dir().join("credentials");
        if system.exists() {
            return Ok((system, false));
        }
        not_found.push(system);
        let listed: Vec<String> = not_found.iter().map(|p| p.display().to_string()).collect();
        Err(CredentialsError::not_loaded(
            NAME,
            format!("{} not found", listed.join(", ")),
        ))
    }
}

impl Default for ProfileProvider {
    fn default() -> Self {
        ProfileProvider::new()
    }
}

impl fmt::Debug for ProfileProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProfileProvider")
            .field("path", &self.path)
            .field("profile", &self.profile)
            .field("context", &self.context)
            .finish()
    }
}

impl ProvideCredentials for ProfileProvider {
    fn provide(&self) -> Result<Credentials, CredentialsError> {
        let (path, explicit) = self.locate()?;
        let read_error = |source: ReadError| {
            CredentialsError::invalid(NAME, format!("cannot read {}: {source}", path.display()))
                .with_source(source)
        };
        let parse = |bytes: &[u8]| {
            let text = std::str::from_utf8(bytes).map_err(|_| {
                read_error(ReadError::Io(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "not UTF-8",
                )))
            })?;
            let credentials = parse_profile(text, &path, &self.profile, explicit)?;
            Ok(credentials.with_source(CredentialSource::CredentialsFile {
                path: path.clone(),
                profile: self.profile.clone(),
            }))
        };
        self.cache
            .get(&path, MAX_CREDENTIALS_FILE_BYTES, parse, read_error)
    }

    fn name(&self) -> &'static str {
        NAME
    }
}

/// A value found in the profile section, with its line.
struct Entry {
    value: String,
    line: usize,
}

/// Extracts and validates the credentials of section `[profile]` of an INI text.
/// A missing section is "not loaded" in a file that was not named (`explicit`).
fn parse_profile(
    text: &str,
    path: &Path,
    profile: &str,
    explicit: bool,
) -> Result<Credentials, CredentialsError> {
    let at = |line: usize| format!("{} line {line}", path.display());
    let syntax = |line: usize, message: String| {
        CredentialsError::invalid(NAME, format!("{}: {message}", at(line)))
    };
    let mut seen_section = false;
    let mut in_profile = false;
    let mut section_line = None;
    let (mut id, mut key, mut token): (Option<Entry>, Option<Entry>, Option<Entry>) =
        (None, None, None);

    for (index, raw) in text.lines().enumerate() {
        let n = index + 1;
        let raw = if n == 1 {
            raw.strip_prefix('\u{feff}').unwrap_or(raw)
        } else {
            raw
        };
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(header) = line.strip_prefix('[') {
            let Some(name) = header.strip_suffix(']') else {
                return Err(syntax(n, "section header without closing `]`".into()));
            };
            seen_section = true;
            in_profile = name.trim() == profile;
            if in_profile {
                if let Some(first) = section_line {
                    return Err(syntax(
                        n,
                        format!("duplicate section [{profile}] (first at line {first})"),
                    ));
                }
                section_line = Some(n);
            }
            continue;
        }
        let Some(split) = line.find(['=', ':']) else {
            return Err(syntax(
                n,
                "expected `key = value`, a `[section]` header or a `#` comment".into(),
            ));
        };
        if !seen_section {
            return Err(syntax(n, "key outside any `[section]`".into()));
        }
        if !in_profile {
            continue;
        }
        let name = line[..split].trim().to_ascii_lowercase();
        let (slot, name) = match name.as_str() {
            "secret_id" => (&mut id, "secret_id"),
            "secret_key" => (&mut key, "secret_key"),
            "token" => (&mut token, "token"),
            _ => continue,
        };
        if let Some(first) = slot {
            return Err(syntax(
                n,
                format!("duplicate key `{name}` (first at line {})", first.line),
            ));
        }
        *slot = Some(Entry {
            value: strip_quotes(line[split + 1..].trim()).to_owned(),
            line: n,
        });
    }

    let Some(section_line) = section_line else {
        let missing = format!("{} has no [{profile}] section", path.display());
        return Err(if explicit {
            CredentialsError::invalid(
                NAME,
                format!("{missing}; add one with secret_id and secret_key"),
            )
        } else {
            // A file found by looking around that lacks the profile is not this source.
            CredentialsError::not_loaded(NAME, missing)
        });
    };
    let required = |entry: Option<Entry>, name: &'static str, field: CredentialField| {
        let entry = entry.ok_or_else(|| {
            CredentialsError::invalid(
                NAME,
                format!(
                    "{}: section [{profile}] has no `{name}` key",
                    at(section_line)
                ),
            )
        })?;
        validate_entry(entry, field, path)
    };
    let id = required(id, "secret_id", CredentialField::SecretId)?;
    let key = required(key, "secret_key", CredentialField::SecretKey)?;
    let token = match token {
        Some(entry) if !entry.value.is_empty() => {
            Some(validate_entry(entry, CredentialField::Token, path)?)
        }
        _ => None,
    };
    let credentials = Credentials::new(id, key)?;
    match token {
        Some(t) => credentials.with_token(t),
        None => Ok(credentials),
    }
}

/// The entry's value, or an error naming its line and what is wrong (never the value).
fn validate_entry(
    entry: Entry,
    field: CredentialField,
    path: &Path,
) -> Result<String, CredentialsError> {
    InvalidCredential::check(field, &entry.value).map_err(|e| {
        let line = entry.line;
        CredentialsError::invalid(NAME, format!("{} line {line}: {e}", path.display()))
            .with_source(e)
    })?;
    Ok(entry.value)
}

/// Removes one pair of matching surrounding quotes.
fn strip_quotes(value: &str) -> &str {
    for quote in ['"', '\''] {
        if value.len() >= 2 && value.starts_with(quote) && value.ends_with(quote) {
            return &value[1..value.len() - 1];
        }
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::CredentialsErrorKind::{InvalidConfiguration, NotLoaded};
    use crate::credentials::test_support::{ID, KEY, TOKEN, assert_no_secret, context};
    use crate::credentials::{InvalidReason, MAX_CREDENTIALS_FILE_BYTES};
    use tc_redis_test_support::TempDir;

    fn profile(text: &str) -> Result<Credentials, CredentialsError> {
        parse_profile(text, Path::new("/test/credentials"), "default", true)
    }

    /// The [`InvalidCredential`] under `e`.
    fn cause(e: &CredentialsError) -> (CredentialField, InvalidReason) {
        let c = std::error::Error::source(e)
            .and_then(|s| s.downcast_ref::<InvalidCredential>())
            .unwrap_or_else(|| panic!("no InvalidCredential under {e:?}"));
        (c.field(), c.reason())
    }

    /// The [`ReadError`] under `e`.
    fn read_error(e: &CredentialsError) -> &ReadError {
        std::error::Error::source(e)
            .and_then(|s| s.downcast_ref::<ReadError>())
            .unwrap_or_else(|| panic!("no ReadError under {e:?}"))
    }

    /// The provider a machine with `vars` and the system-wide directory `system` has.
    fn discover(vars: &[(&str, &str)], system: &Path) -> ProfileProvider {
        ProfileProvider::with_context(context(vars).with_system_config_dir(system))
    }

    // --- ProfileProvider parsing -------------------------------------------------------------

    #[test]
    fn profile_basic_and_other_sections() {
        let text = format!(
            "[other]\nsecret_id = AKIDother\nsecret_key = otherkey\n\n[default]\nsecret_id = {ID}\nsecret_key={KEY}\nrole_arn = qcs::cam::uin/1:roleName/x\n[later]\nsecret_id = AKIDlater\n"
        );
        let c = profile(&text).unwrap();
        assert_eq!((c.secret_id(), c.secret_key(), c.token()), (ID, KEY, None));
    }

    #[test]
    fn profile_quotes_whitespace_and_case() {
        let text = format!(
            "[default]\n  SECRET_ID   =   \"{ID}\"   \r\nSecret_Key: '{KEY}'\r\ntoken = \"{TOKEN}\"\r\n"
        );
        let c = profile(&text).unwrap();
        assert_eq!(
            (c.secret_id(), c.secret_key(), c.token()),
            (ID, KEY, Some(TOKEN))
        );
        // Mismatched quotes are kept, and then the value is still a (strange) valid value.
        let c = profile("[default]\nsecret_id = \"AKID'\nsecret_key = 'k\n").unwrap();
        assert_eq!((c.secret_id(), c.secret_key()), ("\"AKID'", "'k"));
        // Whitespace inside quotes is an error at its line.
        let e = profile("[default]\nsecret_id = AKID\nsecret_key = \" k\"\n").unwrap_err();
        assert_eq!(e.kind(), InvalidConfiguration);
        assert_eq!(
            cause(&e),
            (
                CredentialField::SecretKey,
                InvalidReason::SurroundingWhitespace
            )
        );
        assert_eq!(
            e.to_string(),
            "profile: /test/credentials line 3: SecretKey has leading or trailing whitespace (remove it: it makes every signature fail)"
        );
        // An empty quoted value is empty.
        let e = profile("[default]\nsecret_id = \"\"\nsecret_key = k\n").unwrap_err();
        assert_eq!(cause(&e), (CredentialField::SecretId, InvalidReason::Empty));
        assert!(
            e.to_string()
                .starts_with("profile: /test/credentials line 2: SecretId is empty"),
            "{e}"
        );
    }

    #[test]
    fn profile_comments_and_bom() {
        let text = format!(
            "\u{feff}# leading comment\n; another\n[default]\n# secret_id = AKIDcommented\n  ; secret_key = no\nsecret_id = {ID}\n\nsecret_key = {KEY}\n"
        );
        let c = profile(&text).unwrap();
        assert_eq!((c.secret_id(), c.secret_key()), (ID, KEY));
    }

    #[test]
    fn profile_empty_token_is_absent() {
        let c = profile("[default]\nsecret_id = a\nsecret_key = b\ntoken =\n").unwrap();
        assert_eq!(c.token(), None);
    }

    #[test]
    fn profile_missing_keys_and_section() {
        let e = profile("[other]\nsecret_id = a\n\n[default]\nsecret_key = b\n").unwrap_err();
        assert_eq!(e.kind(), InvalidConfiguration);
        assert_eq!(
            e.to_string(),
            "profile: /test/credentials line 4: section [default] has no `secret_id` key"
        );
        let e = profile("[default]\nsecret_id = a\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "profile: /test/credentials line 1: section [default] has no `secret_key` key"
        );
        let e = profile("[other]\nsecret_id = a\nsecret_key = b\n").unwrap_err();
        assert_eq!(e.kind(), InvalidConfiguration);
        assert_eq!(
            e.to_string(),
            "profile: /test/credentials has no [default] section; add one with secret_id and secret_key"
        );
        assert_eq!(profile("").unwrap_err().to_string(), e.to_string());
        // In a file found by looking around, the next source may have the profile.
        let e = parse_profile("[other]\n", Path::new("/f"), "default", false).unwrap_err();
        assert_eq!(e.kind(), NotLoaded);
        assert_eq!(e.to_string(), "profile: /f has no [default] section");
    }

    #[test]
    fn profile_syntax_errors_name_line_not_content() {
        let cases: [(String, usize, &str); 5] = [
            (
                format!("[default]\nsecret_id = a\n{KEY}\n"),
                3,
                "expected `key = value`",
            ),
            (
                format!("secret_key = {KEY}\n[default]\n"),
                1,
                "key outside any",
            ),
            ("[default\nsecret_id = a\n".into(), 1, "without closing"),
            (
                format!("[default]\nsecret_key = {KEY}\nsecret_key = {KEY}\n"),
                3,
                "duplicate key `secret_key` (first at line 2)",
            ),
            (
                "[default]\nsecret_id=a\nsecret_key=b\n[x]\n[default]\n".into(),
                5,
                "duplicate section [default] (first at line 1)",
            ),
        ];
        for (text, line, message) in cases {
            let e = profile(&text).unwrap_err();
            assert_eq!(e.kind(), InvalidConfiguration, "{text:?}");
            let shown = e.to_string();
            let prefix = format!("profile: /test/credentials line {line}: ");
            assert!(
                shown.starts_with(&prefix) && shown[prefix.len()..].contains(message),
                "{text:?}: {shown}"
            );
            assert_no_secret(&format!("{e} {e:?}"));
        }
        // Duplicates outside the profile section do not matter.
        assert!(profile("[x]\na=1\na=2\n[default]\nsecret_id=a\nsecret_key=b\n").is_ok());
    }

    #[test]
    fn profile_custom_name() {
        let text = "[default]\nsecret_id = d\nsecret_key = d\n[prod]\nsecret_id = p\nsecret_key = pk\ntoken = t\n";
        let c = parse_profile(text, Path::new("/f"), "prod", true).unwrap();
        assert_eq!(
            (c.secret_id(), c.secret_key(), c.token()),
            ("p", "pk", Some("t"))
        );
        let e = parse_profile(text, Path::new("/f"), "Prod", true).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("profile: /f has no [Prod] section"),
            "{e}"
        );
    }

    // --- ProfileProvider files ---------------------------------------------------------------

    #[test]
    fn profile_from_path() {
        let dir = TempDir::new("from-path");
        let path = dir.write(
            "credentials",
            format!("[default]\nsecret_id = {ID}\nsecret_key = {KEY}\n[ci]\nsecret_id = AKIDci\nsecret_key = ci\n"),
        );
        let p = ProfileProvider::from_path(&path);
        assert_eq!(p.provide().unwrap().secret_key(), KEY);
        assert_eq!(
            ProfileProvider::from_path(&path)
                .with_profile("ci")
                .provide()
                .unwrap()
                .secret_id(),
            "AKIDci"
        );
        let debug = format!("{p:?}");
        assert!(
            debug.contains("credentials") && debug.contains("default"),
            "{debug}"
        );
        assert_no_secret(&debug);
        assert_eq!(p.name(), "profile");
    }

    #[test]
    fn profile_missing_explicit_file_is_an_error() {
        let dir = TempDir::new("missing");
        let path = dir.join("nope");
        let e = ProfileProvider::from_path(&path).provide().unwrap_err();
        assert_eq!(e.kind(), InvalidConfiguration, "must stop the chain");
        assert_eq!(read_error(&e).io_kind(), Some(std::io::ErrorKind::NotFound));
        assert!(
            e.to_string()
                .starts_with(&format!("profile: cannot read {}: ", path.display())),
            "{e}"
        );
        // Same when named by TENCENTCLOUD_CREDENTIALS_FILE.
        let named = path.display().to_string();
        let e = discover(&[(ProfileProvider::FILE_VAR, &named)], dir.path())
            .provide()
            .unwrap_err();
        assert_eq!(e.kind(), InvalidConfiguration);
        assert_eq!(read_error(&e).io_kind(), Some(std::io::ErrorKind::NotFound));
    }

    #[test]
    fn profile_discovery() {
        let dir = TempDir::new("discovery");
        let home = dir.join("home");
        std::fs::create_dir_all(home.join(".tencentcloud")).unwrap();
        let etc = dir.join("etc");
        let home_str = home.display().to_string();
        let with_home = [("HOME", home_str.as_str())];
        // Nothing anywhere: not loaded, listing both paths.
        let e = discover(&with_home, &etc).provide().unwrap_err();
        assert_eq!(e.kind(), NotLoaded, "{e:?}");
        assert_eq!(
            e.to_string(),
            format!(
                "profile: {}, {} not found",
                home.join(".tencentcloud/credentials").display(),
                etc.join("credentials").display()
            )
        );
        // The system file.
        dir.write(
            "etc/credentials",
            "[default]\nsecret_id = sys\nsecret_key = sys\n",
        );
        assert_eq!(
            discover(&with_home, &etc).provide().unwrap().secret_id(),
            "sys"
        );
        assert_eq!(discover(&[], &etc).provide().unwrap().secret_id(), "sys");
        // The home file wins over the system file.
        dir.write(
            "home/.tencentcloud/credentials",
            "[default]\nsecret_id = home\nsecret_key = h\n",
        );
        assert_eq!(
            discover(&with_home, &etc).provide().unwrap().secret_id(),
            "home"
        );
        // The variable wins over both.
        let named = dir.write("named", "[default]\nsecret_id = named\nsecret_key = n\n");
        let named = named.display().to_string();
        let vars = [
            ("HOME", home_str.as_str()),
            (ProfileProvider::FILE_VAR, &named),
        ];
        assert_eq!(
            discover(&vars, &etc).provide().unwrap().secret_id(),
            "named"
        );
    }

    #[test]
    #[cfg(unix)]
    fn profile_refuses_fifos_devices_and_oversized_files_without_blocking() {
        let dir = TempDir::new("profile-hardened");
        let fifo = dir.fifo("fifo");
        let big = dir.join("big");
        std::fs::File::create(&big)
            .unwrap()
            .set_len(100 * 1024 * 1024)
            .unwrap();
        let cases: [(&Path, &str); 3] = [
            (&fifo, "it is a FIFO, not a regular file"),
            (Path::new("/dev/zero"), "it is a character device"),
            (&big, "larger than 65536 bytes"),
        ];
        for (path, expected) in cases {
            let start = std::time::Instant::now();
            let e = ProfileProvider::from_path(path).provide().unwrap_err();
            assert!(
                start.elapsed() < std::time::Duration::from_secs(1),
                "{}: took {:?}",
                path.display(),
                start.elapsed()
            );
            assert_eq!(
                e.kind(),
                InvalidConfiguration,
                "{}: must stop the chain",
                path.display()
            );
            assert!(
                matches!(
                    read_error(&e),
                    ReadError::NotRegularFile { .. }
                        | ReadError::TooLarge {
                            limit: MAX_CREDENTIALS_FILE_BYTES
                        }
                ),
                "{e:?}"
            );
            let text = e.to_string();
            assert!(
                text.starts_with(&format!("profile: cannot read {}: ", path.display()))
                    && text.contains(expected),
                "{text}"
            );
        }
        // The same through TENCENTCLOUD_CREDENTIALS_FILE.
        let named = fifo.display().to_string();
        let e = discover(&[(ProfileProvider::FILE_VAR, &named)], dir.path())
            .provide()
            .unwrap_err();
        assert!(
            matches!(read_error(&e), ReadError::NotRegularFile { kind: "FIFO" }),
            "{e:?}"
        );
    }

    #[test]
    fn profile_is_parsed_again_only_when_the_file_changes() {
        let dir = TempDir::new("profile-cache");
        let path = dir.join("credentials");
        let t0 = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000);
        let write = |id: &str, mtime| {
            let f = std::fs::File::create(&path).unwrap();
            std::io::Write::write_all(
                &mut &f,
                format!("[default]\nsecret_id = {id}\nsecret_key = {KEY}\n").as_bytes(),
            )
            .unwrap();
            f.set_modified(mtime).unwrap();
        };
        let p = ProfileProvider::from_path(&path);
        write("AKIDone", t0);
        assert_eq!(p.provide().unwrap().secret_id(), "AKIDone");
        // Same size and mtime (rewritten in place): served from the cache, not re-read.
        write("AKIDtwo", t0);
        assert_eq!(p.provide().unwrap().secret_id(), "AKIDone");
        // A new mtime: re-read.
        write("AKIDtwo", t0 + std::time::Duration::from_secs(1));
        assert_eq!(p.provide().unwrap().secret_id(), "AKIDtwo");
        // A new size, same mtime: re-read.
        write("AKIDthree", t0 + std::time::Duration::from_secs(1));
        assert_eq!(p.provide().unwrap().secret_id(), "AKIDthree");
        // A clone shares the cache; a broken file is an error at once (errors are not cached).
        let clone = p.clone();
        std::fs::write(&path, "[default]\nsecret_id = a\n").unwrap();
        let e = clone.provide().unwrap_err();
        assert!(e.to_string().ends_with("has no `secret_key` key"), "{e}");
        let c = {
            write("AKIDfour", t0);
            p.provide().unwrap()
        };
        assert_eq!(
            c.source(),
            &CredentialSource::CredentialsFile {
                path: path.clone(),
                profile: "default".into()
            }
        );
        assert_eq!(
            c.source().to_string(),
            format!("credentials file {}, profile [default]", path.display())
        );
    }

    #[test]
    fn profile_not_utf8_is_a_read_error() {
        let dir = TempDir::new("profile-utf8");
        let path = dir.write("credentials", b"[default]\nsecret_id = \xff\n");
        let e = ProfileProvider::from_path(&path).provide().unwrap_err();
        assert_eq!(e.kind(), InvalidConfiguration);
        assert_eq!(
            read_error(&e).io_kind(),
            Some(std::io::ErrorKind::InvalidData),
            "{e:?}"
        );
    }
}
