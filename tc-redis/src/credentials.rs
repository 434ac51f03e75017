//! Credentials and the providers that find them.
//!
//! A [`Credentials`] value is a validated SecretId / SecretKey pair plus an optional session token
//! (sent as `X-TC-Token`). Providers implement [`ProvideCredentials`]:
//!
//! | provider            | source                                                                  |
//! |---------------------|-------------------------------------------------------------------------|
//! | [`StaticProvider`]  | a [`Credentials`] value given in code                                   |
//! | [`EnvProvider`]     | `TENCENTCLOUD_SECRET_ID`, `TENCENTCLOUD_SECRET_KEY`, token variables    |
//! | [`ProfileProvider`] | the INI file `~/.tencentcloud/credentials` (or another path)            |
//! | [`CvmRoleProvider`] | the CVM instance metadata service (CAM role bound to the instance)      |
//! | [`DefaultChain`]    | environment → profile → CVM role, first that applies wins               |
//!
//! Differences from the official SDKs, all deliberate:
//!
//! * values with leading or trailing whitespace, control characters or non-ASCII characters are
//!   rejected with an error naming the field (never its value);
//! * the profile file strips one pair of surrounding quotes (the Python SDK keeps them literally,
//!   so `secret_id = "AKID…"` signs with a quoted id and fails);
//! * the metadata service is queried with short timeouts, so the default chain does not hang a
//!   machine that is not a CVM instance;
//! * errors are typed and never swallowed; when the default chain finds nothing its error lists
//!   every provider it tried and why that provider did not apply.
//!
//! Neither `Debug` nor `Display` of any type here ever shows a SecretKey or a token.

use std::fmt::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Printed in place of a secret by `Debug` and `Display`.
const REDACTED: &str = "<redacted>";

// ---------------------------------------------------------------------------------------------
// Credentials
// ---------------------------------------------------------------------------------------------

/// A validated SecretId / SecretKey pair and an optional session token.
///
/// `Debug` and `Display` show the SecretId (an identifier, not a secret) and print `<redacted>`
/// for the SecretKey and the token.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    secret_id: String,
    secret_key: String,
    token: Option<String>,
}

impl Credentials {
    /// Validates and wraps a SecretId and a SecretKey.
    ///
    /// Fails with [`CredentialsError::Invalid`] when either is empty, has leading or trailing
    /// whitespace, or contains a control or non-ASCII character.
    pub fn new(
        secret_id: impl Into<String>,
        secret_key: impl Into<String>,
    ) -> Result<Self, CredentialsError> {
        let secret_id = secret_id.into();
        let secret_key = secret_key.into();
        check(CredentialField::SecretId, &secret_id)?;
        check(CredentialField::SecretKey, &secret_key)?;
        Ok(Credentials {
            secret_id,
            secret_key,
            token: None,
        })
    }

    /// Adds a session token (temporary credentials from STS or a CAM role), sent as `X-TC-Token`.
    ///
    /// The token is validated like the SecretKey; an empty token is an error (leave the token out
    /// instead).
    pub fn with_token(mut self, token: impl Into<String>) -> Result<Self, CredentialsError> {
        let token = token.into();
        check(CredentialField::Token, &token)?;
        self.token = Some(token);
        Ok(self)
    }

    /// The SecretId (`AKID…`), which appears in the `Authorization` header.
    pub fn secret_id(&self) -> &str {
        &self.secret_id
    }

    /// The SecretKey, used only to derive the signing key. Never log it.
    pub fn secret_key(&self) -> &str {
        &self.secret_key
    }

    /// The session token, if any. Never log it.
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("secret_id", &self.secret_id)
            .field("secret_key", &Redacted)
            .field("token", &self.token.as_ref().map(|_| Redacted))
            .finish()
    }
}

impl fmt::Display for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretId {} (SecretKey {REDACTED}", self.secret_id)?;
        if self.token.is_some() {
            write!(f, ", token {REDACTED}")?;
        }
        f.write_str(")")
    }
}

/// `Debug` prints `<redacted>`.
struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

/// Which part of a [`Credentials`] value a validation error is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CredentialField {
    /// The SecretId.
    SecretId,
    /// The SecretKey.
    SecretKey,
    /// The session token.
    Token,
}

impl fmt::Display for CredentialField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CredentialField::SecretId => "SecretId",
            CredentialField::SecretKey => "SecretKey",
            CredentialField::Token => "token",
        })
    }
}

/// Why a credential value was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum InvalidReason {
    /// The value is empty.
    Empty,
    /// The value starts or ends with whitespace (often a pasted space or newline).
    SurroundingWhitespace,
    /// The value contains a control character.
    ControlCharacter,
    /// The value contains a non-ASCII character (often a pasted smart quote or no-break space).
    NonAscii,
}

impl fmt::Display for InvalidReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            InvalidReason::Empty => "is empty",
            InvalidReason::SurroundingWhitespace => {
                "has leading or trailing whitespace (remove it: it makes every signature fail)"
            }
            InvalidReason::ControlCharacter => "contains a control character",
            InvalidReason::NonAscii => {
                "contains a non-ASCII character (a pasted smart quote or no-break space?)"
            }
        })
    }
}

/// The reason `value` is not acceptable as a credential, if any.
fn invalid_reason(value: &str) -> Option<InvalidReason> {
    if value.is_empty() {
        Some(InvalidReason::Empty)
    } else if value.trim() != value {
        Some(InvalidReason::SurroundingWhitespace)
    } else if value.chars().any(char::is_control) {
        Some(InvalidReason::ControlCharacter)
    } else if !value.is_ascii() {
        Some(InvalidReason::NonAscii)
    } else {
        None
    }
}

fn check(field: CredentialField, value: &str) -> Result<(), CredentialsError> {
    match invalid_reason(value) {
        Some(reason) => Err(CredentialsError::Invalid { field, reason }),
        None => Ok(()),
    }
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/// Why credentials could not be obtained.
///
/// No variant ever holds a SecretKey or a token; none holds a line of a credentials file either
/// (only its path and line number).
#[derive(Debug)]
#[non_exhaustive]
pub enum CredentialsError {
    /// A SecretId, SecretKey or token given to [`Credentials::new`] or
    /// [`Credentials::with_token`] is malformed. Fix the value where it comes from.
    Invalid {
        /// The offending field.
        field: CredentialField,
        /// What is wrong with it.
        reason: InvalidReason,
    },
    /// The provider's source is absent (environment variables unset, no credentials file, no
    /// CAM role bound to the instance). [`DefaultChain`] moves on to the next provider; used
    /// alone, configure that source or use another provider.
    NotConfigured {
        /// The provider's [`ProvideCredentials::name`].
        provider: &'static str,
        /// What was looked for and not found.
        detail: String,
    },
    /// Exactly one of `TENCENTCLOUD_SECRET_ID` and `TENCENTCLOUD_SECRET_KEY` is set. Set both,
    /// or unset both to let the default chain look elsewhere.
    EnvIncomplete {
        /// The variable that is set.
        present: &'static str,
        /// The variable that is unset or empty.
        missing: &'static str,
    },
    /// An environment variable holds a malformed value. Fix the variable.
    EnvInvalid {
        /// The variable's name.
        var: &'static str,
        /// What is wrong with its value.
        reason: InvalidReason,
    },
    /// `TENCENTCLOUD_SESSION_TOKEN` and `TENCENTCLOUD_TOKEN` are both set, to different values.
    /// Unset one of them.
    EnvTokenConflict,
    /// A credentials file exists (or was named explicitly) but could not be read. Check the path
    /// and the file's permissions and encoding (UTF-8).
    ProfileRead {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A credentials file is not valid INI, or holds the profile section or one of its keys
    /// twice. Fix the file at the given line.
    ProfileSyntax {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong (never the line's content, which may be a secret).
        message: String,
    },
    /// A credentials file has no section for the requested profile. Add a `[profile]` section
    /// with `secret_id` and `secret_key`, or select another profile.
    ProfileMissingSection {
        /// The file.
        path: PathBuf,
        /// The profile (section) name looked for.
        profile: String,
    },
    /// The profile section lacks `secret_id` or `secret_key`. Add the key to the section.
    ProfileMissingKey {
        /// The file.
        path: PathBuf,
        /// The profile (section) name.
        profile: String,
        /// 1-based line number of the section header.
        section_line: usize,
        /// The missing key.
        key: &'static str,
    },
    /// A value in the profile section is malformed. Fix it at the given line.
    ProfileInvalid {
        /// The file.
        path: PathBuf,
        /// 1-based line number of the value.
        line: usize,
        /// The offending field.
        field: CredentialField,
        /// What is wrong with it.
        reason: InvalidReason,
    },
    /// The instance metadata service could not be reached or did not answer in time: this is
    /// not a CVM instance, or the network blocks it. [`DefaultChain`] moves on; used alone,
    /// check the base URL and the timeouts.
    MetadataUnreachable {
        /// The URL requested.
        url: String,
        /// The transport error.
        detail: String,
    },
    /// The metadata service answered with an unexpected HTTP status. Check the role name (a
    /// 404 for a named role means no such role is bound) and the base URL.
    MetadataStatus {
        /// The URL requested.
        url: String,
        /// The HTTP status code.
        status: u16,
    },
    /// The metadata service's answer is not what was expected (not JSON, a missing or mistyped
    /// field, an oversized body). The detail names the field, never its value.
    MetadataMalformed {
        /// The URL requested.
        url: String,
        /// What is wrong.
        detail: String,
    },
    /// The metadata service answered with a `Code` other than `Success`. Check that the CAM
    /// role bound to the instance still exists and may be assumed by CVM.
    MetadataCode {
        /// The URL requested.
        url: String,
        /// The `Code` received (replaced by `<unprintable>` if odd-looking).
        code: String,
    },
    /// [`DefaultChain`] found no provider that applies. Configure one of the sources listed.
    NoneApplied {
        /// One line per provider tried: its name and why it did not apply.
        attempts: Vec<String>,
    },
}

impl CredentialsError {
    /// Whether the error means "this source is absent", letting [`DefaultChain`] try the next.
    fn does_not_apply(&self) -> bool {
        matches!(
            self,
            CredentialsError::NotConfigured { .. } | CredentialsError::MetadataUnreachable { .. }
        )
    }
}

impl fmt::Display for CredentialsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CredentialsError::Invalid { field, reason } => write!(f, "{field} {reason}"),
            CredentialsError::NotConfigured { provider, detail } => {
                write!(f, "{provider}: {detail}")
            }
            CredentialsError::EnvIncomplete { present, missing } => write!(
                f,
                "environment: {present} is set but {missing} is not; set both, or unset both"
            ),
            CredentialsError::EnvInvalid { var, reason } => {
                write!(f, "environment: {var} {reason}")
            }
            CredentialsError::EnvTokenConflict => f.write_str(
                "environment: TENCENTCLOUD_SESSION_TOKEN and TENCENTCLOUD_TOKEN are both set, \
                 to different values; unset one",
            ),
            CredentialsError::ProfileRead { path, source } => {
                write!(f, "profile: cannot read {}: {source}", path.display())
            }
            CredentialsError::ProfileSyntax {
                path,
                line,
                message,
            } => write!(f, "profile: {} line {line}: {message}", path.display()),
            CredentialsError::ProfileMissingSection { path, profile } => write!(
                f,
                "profile: {} has no [{profile}] section; add one with secret_id and secret_key",
                path.display()
            ),
            CredentialsError::ProfileMissingKey {
                path,
                profile,
                section_line,
                key,
            } => write!(
                f,
                "profile: {} line {section_line}: section [{profile}] has no `{key}` key",
                path.display()
            ),
            CredentialsError::ProfileInvalid {
                path,
                line,
                field,
                reason,
            } => write!(
                f,
                "profile: {} line {line}: {field} {reason}",
                path.display()
            ),
            CredentialsError::MetadataUnreachable { url, detail } => {
                write!(
                    f,
                    "cvm-role: metadata service unreachable ({url}): {detail}"
                )
            }
            CredentialsError::MetadataStatus { url, status } => {
                write!(
                    f,
                    "cvm-role: metadata service answered HTTP {status} for {url}"
                )
            }
            CredentialsError::MetadataMalformed { url, detail } => {
                write!(f, "cvm-role: malformed answer from {url}: {detail}")
            }
            CredentialsError::MetadataCode { url, code } => write!(
                f,
                "cvm-role: metadata service answered Code {code:?} (expected \"Success\") for {url}"
            ),
            CredentialsError::NoneApplied { attempts } => {
                f.write_str("no credentials found; tried ")?;
                for (i, attempt) in attempts.iter().enumerate() {
                    if i > 0 {
                        f.write_str("; ")?;
                    }
                    f.write_str(attempt)?;
                }
                f.write_str(
                    ". To proceed: set TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY, or \
                     put secret_id and secret_key under [default] in \
                     ~/.tencentcloud/credentials, or run on a CVM instance with a CAM role \
                     bound, or pass credentials explicitly with StaticProvider",
                )
            }
        }
    }
}

impl std::error::Error for CredentialsError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CredentialsError::ProfileRead { source, .. } => Some(source),
            _ => None,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The provider trait
// ---------------------------------------------------------------------------------------------

/// A source of [`Credentials`], asked before each request is signed.
///
/// Implementations cache what is expensive to obtain and return quickly otherwise.
pub trait ProvideCredentials: Send + Sync + fmt::Debug {
    /// Returns the current credentials.
    fn provide(&self) -> Result<Credentials, CredentialsError>;

    /// A short name for messages (`"environment"`, `"profile"`, `"cvm-role"`, …).
    fn name(&self) -> &'static str;
}

impl<T: ProvideCredentials + ?Sized> ProvideCredentials for Arc<T> {
    fn provide(&self) -> Result<Credentials, CredentialsError> {
        (**self).provide()
    }

    fn name(&self) -> &'static str {
        (**self).name()
    }
}

impl<T: ProvideCredentials + ?Sized> ProvideCredentials for Box<T> {
    fn provide(&self) -> Result<Credentials, CredentialsError> {
        (**self).provide()
    }

    fn name(&self) -> &'static str {
        (**self).name()
    }
}

/// Looks an environment variable up; injectable for tests.
type Lookup = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

fn process_env() -> Lookup {
    Arc::new(|name| std::env::var(name).ok())
}

/// The variable's value, `None` when unset or empty.
fn non_empty(lookup: &Lookup, name: &str) -> Option<String> {
    lookup(name).filter(|v| !v.is_empty())
}

// ---------------------------------------------------------------------------------------------
// StaticProvider
// ---------------------------------------------------------------------------------------------

/// Always provides the same [`Credentials`].
#[derive(Clone, Debug)]
pub struct StaticProvider {
    credentials: Credentials,
}

impl StaticProvider {
    /// Wraps fixed credentials.
    pub fn new(credentials: Credentials) -> Self {
        StaticProvider { credentials }
    }
}

impl From<Credentials> for StaticProvider {
    fn from(credentials: Credentials) -> Self {
        StaticProvider::new(credentials)
    }
}

impl ProvideCredentials for StaticProvider {
    fn provide(&self) -> Result<Credentials, CredentialsError> {
        Ok(self.credentials.clone())
    }

    fn name(&self) -> &'static str {
        "static"
    }
}

// ---------------------------------------------------------------------------------------------
// EnvProvider
// ---------------------------------------------------------------------------------------------

/// Reads credentials from environment variables, at every [`provide`](ProvideCredentials::provide).
///
/// * `TENCENTCLOUD_SECRET_ID` and `TENCENTCLOUD_SECRET_KEY` (both, or neither);
/// * the token from `TENCENTCLOUD_SESSION_TOKEN` or `TENCENTCLOUD_TOKEN` (tccli's name); if both
///   are set they must agree. The Python SDK reads no token variable at all, so temporary
///   credentials exported for it are used without their token there and fail.
///
/// Empty variables count as unset. Neither id nor key set gives
/// [`CredentialsError::NotConfigured`]; only one gives [`CredentialsError::EnvIncomplete`].
#[derive(Clone)]
pub struct EnvProvider {
    lookup: Lookup,
}

impl EnvProvider {
    /// The SecretId variable.
    pub const SECRET_ID_VAR: &'static str = "TENCENTCLOUD_SECRET_ID";
    /// The SecretKey variable.
    pub const SECRET_KEY_VAR: &'static str = "TENCENTCLOUD_SECRET_KEY";
    /// The token variable of the Go SDK, preferred.
    pub const SESSION_TOKEN_VAR: &'static str = "TENCENTCLOUD_SESSION_TOKEN";
    /// The token variable of tccli.
    pub const TOKEN_VAR: &'static str = "TENCENTCLOUD_TOKEN";

    /// Reads the process environment.
    pub fn new() -> Self {
        EnvProvider {
            lookup: process_env(),
        }
    }

    /// Reads variables through `lookup` instead of the process environment (for tests, or a
    /// configuration map). `lookup` returns `None` for an unset variable.
    pub fn with_lookup(lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'static) -> Self {
        EnvProvider {
            lookup: Arc::new(lookup),
        }
    }

    fn var(&self, name: &'static str) -> Result<Option<String>, CredentialsError> {
        match non_empty(&self.lookup, name) {
            Some(v) => match invalid_reason(&v) {
                Some(reason) => Err(CredentialsError::EnvInvalid { var: name, reason }),
                None => Ok(Some(v)),
            },
            None => Ok(None),
        }
    }
}

impl Default for EnvProvider {
    fn default() -> Self {
        EnvProvider::new()
    }
}

impl fmt::Debug for EnvProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EnvProvider").finish_non_exhaustive()
    }
}

impl ProvideCredentials for EnvProvider {
    fn provide(&self) -> Result<Credentials, CredentialsError> {
        let id = self.var(Self::SECRET_ID_VAR)?;
        let key = self.var(Self::SECRET_KEY_VAR)?;
        let (id, key) = match (id, key) {
            (Some(id), Some(key)) => (id, key),
            (None, None) => {
                return Err(CredentialsError::NotConfigured {
                    provider: self.name(),
                    detail: format!("{} not set", Self::SECRET_ID_VAR),
                });
            }
            (Some(_), None) => {
                return Err(CredentialsError::EnvIncomplete {
                    present: Self::SECRET_ID_VAR,
                    missing: Self::SECRET_KEY_VAR,
                });
            }
            (None, Some(_)) => {
                return Err(CredentialsError::EnvIncomplete {
                    present: Self::SECRET_KEY_VAR,
                    missing: Self::SECRET_ID_VAR,
                });
            }
        };
        let token = match (
            self.var(Self::SESSION_TOKEN_VAR)?,
            self.var(Self::TOKEN_VAR)?,
        ) {
            (Some(a), Some(b)) if a != b => return Err(CredentialsError::EnvTokenConflict),
            (Some(t), _) | (None, Some(t)) => Some(t),
            (None, None) => None,
        };
        // Already validated above, so these cannot fail; keep the checks anyway.
        let credentials = Credentials::new(id, key)?;
        match token {
            Some(t) => credentials.with_token(t),
            None => Ok(credentials),
        }
    }

    fn name(&self) -> &'static str {
        "environment"
    }
}

// ---------------------------------------------------------------------------------------------
// ProfileProvider
// ---------------------------------------------------------------------------------------------

/// Reads credentials from an INI credentials file, at every
/// [`provide`](ProvideCredentials::provide).
///
/// Which file: the one named by `TENCENTCLOUD_CREDENTIALS_FILE`, else
/// `$HOME/.tencentcloud/credentials`, else `/etc/tencentcloud/credentials` — unless a path is
/// given with [`ProfileProvider::from_path`]. A named file (variable or constructor) that does
/// not exist is an error ([`CredentialsError::ProfileRead`]); when neither default location
/// exists the provider is [`CredentialsError::NotConfigured`].
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
    source: ProfileSource,
    profile: String,
    /// The last-resort location; a field so that tests can point it elsewhere.
    system_path: PathBuf,
}

#[derive(Clone)]
enum ProfileSource {
    Explicit(PathBuf),
    Discover(Lookup),
}

impl ProfileProvider {
    /// The profile read unless [`with_profile`](Self::with_profile) says otherwise.
    pub const DEFAULT_PROFILE: &'static str = "default";
    /// The variable naming the credentials file.
    pub const FILE_VAR: &'static str = "TENCENTCLOUD_CREDENTIALS_FILE";
    /// The system-wide credentials file, tried last.
    pub const SYSTEM_PATH: &'static str = "/etc/tencentcloud/credentials";

    /// Finds the file through the process environment (`TENCENTCLOUD_CREDENTIALS_FILE`, `HOME`).
    pub fn new() -> Self {
        Self::discover(process_env())
    }

    /// Reads exactly `path`.
    pub fn from_path(path: impl Into<PathBuf>) -> Self {
        ProfileProvider {
            source: ProfileSource::Explicit(path.into()),
            profile: Self::DEFAULT_PROFILE.to_owned(),
            system_path: PathBuf::from(Self::SYSTEM_PATH),
        }
    }

    /// Finds the file like [`new`](Self::new), looking `TENCENTCLOUD_CREDENTIALS_FILE` and `HOME`
    /// up through `lookup` instead of the process environment.
    pub fn with_lookup(lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'static) -> Self {
        Self::discover(Arc::new(lookup))
    }

    /// Reads section `[profile]` instead of `[default]`.
    pub fn with_profile(mut self, profile: impl Into<String>) -> Self {
        self.profile = profile.into();
        self
    }

    fn discover(lookup: Lookup) -> Self {
        ProfileProvider {
            source: ProfileSource::Discover(lookup),
            profile: Self::DEFAULT_PROFILE.to_owned(),
            system_path: PathBuf::from(Self::SYSTEM_PATH),
        }
    }

    /// The file to read, or why there is none.
    fn locate(&self) -> Result<PathBuf, CredentialsError> {
        let lookup = match &self.source {
            ProfileSource::Explicit(path) => return Ok(path.clone()),
            ProfileSource::Discover(lookup) => lookup,
        };
        if let Some(path) = non_empty(lookup, Self::FILE_VAR) {
            return Ok(PathBuf::from(path));
        }
        let mut not_found = Vec::new();
        if let Some(home) = non_empty(lookup, "HOME") {
            let path = Path::new(&home).join(".tencentcloud").join("credentials");
            if path.exists() {
                return Ok(path);
            }
            not_found.push(path);
        }
        if self.system_path.exists() {
            return Ok(self.system_path.clone());
        }
        not_found.push(self.system_path.clone());
        let listed: Vec<String> = not_found.iter().map(|p| p.display().to_string()).collect();
        Err(CredentialsError::NotConfigured {
            provider: self.name(),
            detail: format!("{} not found", listed.join(", ")),
        })
    }
}

impl Default for ProfileProvider {
    fn default() -> Self {
        ProfileProvider::new()
    }
}

impl fmt::Debug for ProfileProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("ProfileProvider");
        match &self.source {
            ProfileSource::Explicit(path) => d.field("path", path),
            ProfileSource::Discover(_) => d.field("path", &"<discovered>"),
        };
        d.field("profile", &self.profile).finish()
    }
}

impl ProvideCredentials for ProfileProvider {
    fn provide(&self) -> Result<Credentials, CredentialsError> {
        let path = self.locate()?;
        let text =
            std::fs::read_to_string(&path).map_err(|source| CredentialsError::ProfileRead {
                path: path.clone(),
                source,
            })?;
        parse_profile(&text, &path, &self.profile)
    }

    fn name(&self) -> &'static str {
        "profile"
    }
}

/// A value found in the profile section, with its line.
struct Entry {
    value: String,
    line: usize,
}

/// Extracts and validates the credentials of section `[profile]` of an INI text.
fn parse_profile(text: &str, path: &Path, profile: &str) -> Result<Credentials, CredentialsError> {
    let syntax = |line: usize, message: String| CredentialsError::ProfileSyntax {
        path: path.to_owned(),
        line,
        message,
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
        return Err(CredentialsError::ProfileMissingSection {
            path: path.to_owned(),
            profile: profile.to_owned(),
        });
    };
    let required = |entry: Option<Entry>, name: &'static str, field: CredentialField| {
        let entry = entry.ok_or_else(|| CredentialsError::ProfileMissingKey {
            path: path.to_owned(),
            profile: profile.to_owned(),
            section_line,
            key: name,
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

fn validate_entry(
    entry: Entry,
    field: CredentialField,
    path: &Path,
) -> Result<String, CredentialsError> {
    match invalid_reason(&entry.value) {
        Some(reason) => Err(CredentialsError::ProfileInvalid {
            path: path.to_owned(),
            line: entry.line,
            field,
            reason,
        }),
        None => Ok(entry.value),
    }
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

// ---------------------------------------------------------------------------------------------
// CvmRoleProvider
// ---------------------------------------------------------------------------------------------

/// Temporary credentials of the CAM role bound to a CVM instance, from the instance metadata
/// service.
///
/// `GET <base>` lists the role name (first non-empty line), unless one was given with
/// [`with_role_name`](Self::with_role_name); `GET <base><role>` returns
/// `{"TmpSecretId","TmpSecretKey","Token","ExpiredTime","Expiration","Code":"Success"}`.
///
/// The credentials are cached and fetched again once `ExpiredTime - now <= 300` seconds. If that
/// refresh fails while the cached credentials have not yet expired, they are still returned and
/// the refresh is tried again at the next call; once they have expired the error is returned.
///
/// Requests use short timeouts (1 s to connect, 5 s overall by default; the official SDK sets
/// none), no proxy, no redirects, and read at most 64 KiB. A connection failure or timeout is
/// [`CredentialsError::MetadataUnreachable`]; no role bound (HTTP 404 or an empty listing) is
/// [`CredentialsError::NotConfigured`].
pub struct CvmRoleProvider {
    base_url: String,
    role_name: Option<String>,
    connect_timeout: Duration,
    timeout: Duration,
    clock: Arc<dyn Fn() -> u64 + Send + Sync>,
    cache: Mutex<Option<CachedRole>>,
    agent: OnceLock<ureq::Agent>,
}

struct CachedRole {
    credentials: Credentials,
    expired_time: i64,
}

/// Refresh this many seconds (or fewer) before `ExpiredTime`, like the official SDKs.
const REFRESH_WINDOW_SECS: i64 = 300;

/// Largest metadata answer read.
const MAX_METADATA_BODY: u64 = 64 * 1024;

impl CvmRoleProvider {
    /// The metadata service's credentials endpoint.
    pub const DEFAULT_BASE_URL: &'static str =
        "http://metadata.tencentyun.com/latest/meta-data/cam/security-credentials/";
    /// Default connection timeout.
    pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
    /// Default timeout of a whole request, connection and body included.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

    /// Queries the default metadata service, discovering the role name.
    pub fn new() -> Self {
        CvmRoleProvider {
            base_url: Self::DEFAULT_BASE_URL.to_owned(),
            role_name: None,
            connect_timeout: Self::DEFAULT_CONNECT_TIMEOUT,
            timeout: Self::DEFAULT_TIMEOUT,
            clock: Arc::new(unix_now),
            cache: Mutex::new(None),
            agent: OnceLock::new(),
        }
    }

    /// Queries another base URL (a trailing `/` is added if missing).
    pub fn with_base_url(mut self, base_url: impl Into<String>) -> Self {
        let mut base_url = base_url.into();
        if !base_url.ends_with('/') {
            base_url.push('/');
        }
        self.base_url = base_url;
        self
    }

    /// Uses this role instead of listing it (an empty name means: list it).
    pub fn with_role_name(mut self, role_name: impl Into<String>) -> Self {
        let role_name = role_name.into().trim().to_owned();
        self.role_name = (!role_name.is_empty()).then_some(role_name);
        self
    }

    /// Sets the connection timeout (default 1 s); also bounds name resolution.
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self.agent = OnceLock::new();
        self
    }

    /// Sets the timeout of each whole request (default 5 s).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self.agent = OnceLock::new();
        self
    }

    /// Reads the current Unix time (seconds) from `clock` instead of the system clock.
    pub fn with_clock(mut self, clock: impl Fn() -> u64 + Send + Sync + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    fn agent(&self) -> &ureq::Agent {
        self.agent.get_or_init(|| {
            ureq::Agent::config_builder()
                .timeout_connect(Some(self.connect_timeout))
                .timeout_resolve(Some(self.connect_timeout))
                .timeout_global(Some(self.timeout))
                .http_status_as_error(false)
                .max_redirects(0)
                .proxy(None)
                .build()
                .into()
        })
    }

    fn lock(&self) -> MutexGuard<'_, Option<CachedRole>> {
        // The cache is always left consistent, so a panic elsewhere does not invalidate it.
        self.cache.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `GET url`: the status and at most [`MAX_METADATA_BODY`] bytes of body.
    fn get(&self, url: &str) -> Result<(u16, Vec<u8>), CredentialsError> {
        let unreachable = |e: ureq::Error| {
            let detail = match e {
                ureq::Error::Timeout(_) => format!(
                    "no answer within the timeout (connect {:?}, overall {:?}): {e}",
                    self.connect_timeout, self.timeout
                ),
                e => e.to_string(),
            };
            CredentialsError::MetadataUnreachable {
                url: url.to_owned(),
                detail,
            }
        };
        let mut response = self.agent().get(url).call().map_err(unreachable)?;
        let status = response.status().as_u16();
        if status != 200 {
            return Ok((status, Vec::new()));
        }
        let body = response
            .body_mut()
            .with_config()
            .limit(MAX_METADATA_BODY)
            .read_to_vec()
            .map_err(|e| match e {
                ureq::Error::BodyExceedsLimit(_) => CredentialsError::MetadataMalformed {
                    url: url.to_owned(),
                    detail: format!("body larger than {MAX_METADATA_BODY} bytes"),
                },
                e => unreachable(e),
            })?;
        Ok((status, body))
    }

    fn role_name(&self) -> Result<String, CredentialsError> {
        if let Some(role) = &self.role_name {
            return Ok(role.clone());
        }
        let url = &self.base_url;
        let no_role = |why: String| CredentialsError::NotConfigured {
            provider: "cvm-role",
            detail: format!("no CAM role is bound to this instance ({why} from {url})"),
        };
        let (status, body) = self.get(url)?;
        match status {
            200 => {}
            404 => return Err(no_role("HTTP 404".into())),
            status => {
                return Err(CredentialsError::MetadataStatus {
                    url: url.clone(),
                    status,
                });
            }
        }
        let text = String::from_utf8(body).map_err(|_| CredentialsError::MetadataMalformed {
            url: url.clone(),
            detail: "role listing is not UTF-8".into(),
        })?;
        match text.lines().map(str::trim).find(|l| !l.is_empty()) {
            Some(role) => Ok(role.to_owned()),
            None => Err(no_role("empty role listing".into())),
        }
    }

    /// Fetches fresh credentials and their `ExpiredTime`.
    fn fetch(&self) -> Result<CachedRole, CredentialsError> {
        let role = self.role_name()?;
        let url = format!("{}{}", self.base_url, encode_path_segment(&role));
        let (status, body) = self.get(&url)?;
        if status != 200 {
            return Err(CredentialsError::MetadataStatus { url, status });
        }
        parse_role_credentials(&body, &url)
    }
}

impl Default for CvmRoleProvider {
    fn default() -> Self {
        CvmRoleProvider::new()
    }
}

impl fmt::Debug for CvmRoleProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `try_lock`: never wait for (or deadlock on) a refresh in progress.
        let cached = match self.cache.try_lock() {
            Ok(cache) => format!("{:?}", cache.as_ref().map(|c| c.expired_time)),
            Err(std::sync::TryLockError::Poisoned(e)) => {
                format!("{:?}", e.into_inner().as_ref().map(|c| c.expired_time))
            }
            Err(std::sync::TryLockError::WouldBlock) => "<refreshing>".to_owned(),
        };
        f.debug_struct("CvmRoleProvider")
            .field("base_url", &self.base_url)
            .field("role_name", &self.role_name)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("cached_until", &format_args!("{cached}"))
            .finish_non_exhaustive()
    }
}

impl ProvideCredentials for CvmRoleProvider {
    fn provide(&self) -> Result<Credentials, CredentialsError> {
        let now = i64::try_from((self.clock)()).unwrap_or(i64::MAX);
        // Held during the fetch so that concurrent callers wait for one refresh.
        let mut cache = self.lock();
        if let Some(cached) = cache.as_ref()
            && cached.expired_time.saturating_sub(now) > REFRESH_WINDOW_SECS
        {
            return Ok(cached.credentials.clone());
        }
        match self.fetch() {
            Ok(fresh) => {
                let credentials = fresh.credentials.clone();
                *cache = Some(fresh);
                Ok(credentials)
            }
            Err(e) => match cache.as_ref() {
                Some(cached) if now < cached.expired_time => Ok(cached.credentials.clone()),
                _ => Err(e),
            },
        }
    }

    fn name(&self) -> &'static str {
        "cvm-role"
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
fn encode_path_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// Parses the metadata service's credentials document.
fn parse_role_credentials(body: &[u8], url: &str) -> Result<CachedRole, CredentialsError> {
    let malformed = |detail: String| CredentialsError::MetadataMalformed {
        url: url.to_owned(),
        detail,
    };
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| malformed(format!("not JSON ({e})")))?;
    let object = value
        .as_object()
        .ok_or_else(|| malformed("not a JSON object".into()))?;
    let string = |name: &str| -> Result<&str, CredentialsError> {
        match object.get(name) {
            None => Err(malformed(format!("missing field `{name}`"))),
            Some(v) => v
                .as_str()
                .ok_or_else(|| malformed(format!("field `{name}` is not a string"))),
        }
    };
    let code = string("Code")?;
    if code != "Success" {
        let printable = code.len() <= 64 && code.bytes().all(|b| b.is_ascii_graphic());
        return Err(CredentialsError::MetadataCode {
            url: url.to_owned(),
            code: if printable { code } else { "<unprintable>" }.to_owned(),
        });
    }
    let checked = |name: &str| -> Result<&str, CredentialsError> {
        let value = string(name)?;
        match invalid_reason(value) {
            Some(reason) => Err(malformed(format!("field `{name}` {reason}"))),
            None => Ok(value),
        }
    };
    let id = checked("TmpSecretId")?;
    let key = checked("TmpSecretKey")?;
    let token = checked("Token")?;
    let expired_time = match object.get("ExpiredTime") {
        None => return Err(malformed("missing field `ExpiredTime`".into())),
        Some(v) => v
            .as_i64()
            .ok_or_else(|| malformed("field `ExpiredTime` is not an integer".into()))?,
    };
    Ok(CachedRole {
        credentials: Credentials::new(id, key)?.with_token(token)?,
        expired_time,
    })
}

// ---------------------------------------------------------------------------------------------
// DefaultChain
// ---------------------------------------------------------------------------------------------

/// Tries [`EnvProvider`], [`ProfileProvider`] and [`CvmRoleProvider`] in that order.
///
/// A provider whose source is absent ([`CredentialsError::NotConfigured`], or an unreachable
/// metadata service) is skipped; any other error stops the chain and is returned, so that a
/// misconfiguration is reported rather than silently replaced by another identity. The first
/// provider that succeeds is remembered and asked alone from then on. When none applies the
/// error is [`CredentialsError::NoneApplied`], listing each provider and why it did not apply.
///
/// Unlike the official SDKs there is no TKE OIDC step.
pub struct DefaultChain {
    providers: Vec<Box<dyn ProvideCredentials>>,
    winner: OnceLock<usize>,
}

impl DefaultChain {
    /// Environment, then the default profile file, then the CVM role (default timeouts).
    pub fn new() -> Self {
        DefaultChain::with_providers(vec![
            Box::new(EnvProvider::new()),
            Box::new(ProfileProvider::new()),
            Box::new(CvmRoleProvider::new()),
        ])
    }

    /// A chain over other providers, tried in order with the same rules.
    pub fn with_providers(providers: Vec<Box<dyn ProvideCredentials>>) -> Self {
        DefaultChain {
            providers,
            winner: OnceLock::new(),
        }
    }
}

impl Default for DefaultChain {
    fn default() -> Self {
        DefaultChain::new()
    }
}

impl fmt::Debug for DefaultChain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DefaultChain")
            .field("providers", &self.providers)
            .field(
                "winner",
                &self.winner.get().map(|&i| self.providers[i].name()),
            )
            .finish()
    }
}

impl ProvideCredentials for DefaultChain {
    fn provide(&self) -> Result<Credentials, CredentialsError> {
        if let Some(&index) = self.winner.get() {
            return self.providers[index].provide();
        }
        let mut attempts = Vec::with_capacity(self.providers.len());
        for (index, provider) in self.providers.iter().enumerate() {
            match provider.provide() {
                Ok(credentials) => {
                    let _ = self.winner.set(index);
                    return Ok(credentials);
                }
                Err(e) if e.does_not_apply() => attempts.push(e.to_string()),
                Err(e) => return Err(e),
            }
        }
        Err(CredentialsError::NoneApplied { attempts })
    }

    fn name(&self) -> &'static str {
        "default-chain"
    }
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::io::{Read, Write};
    use std::net::TcpListener;
    use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
    use std::time::Instant;

    const ID: &str = "AKIDtestSecretId0001";
    const KEY: &str = "DistinctiveSecretKeyZq9";
    const TOKEN: &str = "DistinctiveTokenXy7";

    fn assert_no_secret(text: &str) {
        assert!(!text.contains(KEY), "secret key leaked: {text}");
        assert!(!text.contains(TOKEN), "token leaked: {text}");
        assert!(!text.contains("TmpKeyQw8"), "temporary key leaked: {text}");
        assert!(
            !text.contains("TmpTokenPo5"),
            "temporary token leaked: {text}"
        );
    }

    fn env(vars: &[(&str, &str)]) -> EnvProvider {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        EnvProvider::with_lookup(move |name| map.get(name).cloned())
    }

    fn profile(text: &str) -> Result<Credentials, CredentialsError> {
        parse_profile(text, Path::new("/test/credentials"), "default")
    }

    // --- Credentials -------------------------------------------------------------------------

    #[test]
    fn credentials_accessors() {
        let c = Credentials::new(ID, KEY).unwrap();
        assert_eq!((c.secret_id(), c.secret_key(), c.token()), (ID, KEY, None));
        let c = c.with_token(TOKEN).unwrap();
        assert_eq!(c.token(), Some(TOKEN));
    }

    #[test]
    fn credentials_validation() {
        use CredentialField::*;
        use InvalidReason::*;
        let cases: [(&str, &str, CredentialField, InvalidReason); 9] = [
            ("", KEY, SecretId, Empty),
            (ID, "", SecretKey, Empty),
            (" AKID", KEY, SecretId, SurroundingWhitespace),
            (ID, "key\n", SecretKey, SurroundingWhitespace),
            (ID, "\tkey", SecretKey, SurroundingWhitespace),
            ("AK\u{7}ID", KEY, SecretId, ControlCharacter),
            (ID, "ke\u{0}y", SecretKey, ControlCharacter),
            ("AKID\u{a0}x", KEY, SecretId, NonAscii),
            (ID, "\u{201c}key\u{201d}", SecretKey, NonAscii),
        ];
        for (id, key, field, reason) in cases {
            match Credentials::new(id, key) {
                Err(CredentialsError::Invalid {
                    field: f,
                    reason: r,
                }) => {
                    assert_eq!((f, r), (field, reason), "{id:?} {key:?}")
                }
                other => panic!("{id:?} {key:?}: {other:?}"),
            }
        }
        let base = Credentials::new(ID, KEY).unwrap();
        for (token, reason) in [
            ("", Empty),
            (" t", SurroundingWhitespace),
            ("t\r\nX", ControlCharacter),
        ] {
            match base.clone().with_token(token) {
                Err(CredentialsError::Invalid {
                    field: Token,
                    reason: r,
                }) => assert_eq!(r, reason),
                other => panic!("{token:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn validation_error_names_field_not_value() {
        let e = Credentials::new(ID, format!("{KEY} ")).unwrap_err();
        let text = e.to_string();
        assert!(
            text.starts_with("SecretKey has leading or trailing whitespace"),
            "{text}"
        );
        assert_no_secret(&text);
        assert_no_secret(&format!("{e:?}"));
    }

    #[test]
    fn credentials_debug_display_redact() {
        let c = Credentials::new(ID, KEY)
            .unwrap()
            .with_token(TOKEN)
            .unwrap();
        for text in [format!("{c:?}"), format!("{c:#?}"), c.to_string()] {
            assert!(text.contains(ID), "{text}");
            assert!(text.contains("<redacted>"), "{text}");
            assert_no_secret(&text);
        }
        assert_eq!(
            c.to_string(),
            format!("SecretId {ID} (SecretKey <redacted>, token <redacted>)")
        );
        let plain = Credentials::new(ID, KEY).unwrap();
        assert_eq!(
            plain.to_string(),
            format!("SecretId {ID} (SecretKey <redacted>)")
        );
        assert!(format!("{plain:?}").contains("token: None"));
    }

    #[test]
    fn static_provider() {
        let c = Credentials::new(ID, KEY)
            .unwrap()
            .with_token(TOKEN)
            .unwrap();
        let p = StaticProvider::new(c.clone());
        assert_eq!(p.provide().unwrap(), c);
        assert_eq!(p.name(), "static");
        assert_no_secret(&format!("{p:?}"));
        let arc: Arc<dyn ProvideCredentials> = Arc::new(p);
        assert_eq!(arc.provide().unwrap(), c);
    }

    // --- EnvProvider -------------------------------------------------------------------------

    #[test]
    fn env_both_set() {
        let c = env(&[
            (EnvProvider::SECRET_ID_VAR, ID),
            (EnvProvider::SECRET_KEY_VAR, KEY),
        ])
        .provide()
        .unwrap();
        assert_eq!((c.secret_id(), c.secret_key(), c.token()), (ID, KEY, None));
    }

    #[test]
    fn env_token_variables() {
        let base = [
            (EnvProvider::SECRET_ID_VAR, ID),
            (EnvProvider::SECRET_KEY_VAR, KEY),
        ];
        for token_var in [EnvProvider::SESSION_TOKEN_VAR, EnvProvider::TOKEN_VAR] {
            let mut vars = base.to_vec();
            vars.push((token_var, TOKEN));
            assert_eq!(
                env(&vars).provide().unwrap().token(),
                Some(TOKEN),
                "{token_var}"
            );
        }
        let mut same = base.to_vec();
        same.extend([
            (EnvProvider::SESSION_TOKEN_VAR, TOKEN),
            (EnvProvider::TOKEN_VAR, TOKEN),
        ]);
        assert_eq!(env(&same).provide().unwrap().token(), Some(TOKEN));
        let mut conflict = base.to_vec();
        conflict.extend([
            (EnvProvider::SESSION_TOKEN_VAR, TOKEN),
            (EnvProvider::TOKEN_VAR, "other"),
        ]);
        let e = env(&conflict).provide().unwrap_err();
        assert!(matches!(e, CredentialsError::EnvTokenConflict), "{e:?}");
        assert_no_secret(&e.to_string());
        let mut empty = base.to_vec();
        empty.push((EnvProvider::SESSION_TOKEN_VAR, ""));
        assert_eq!(env(&empty).provide().unwrap().token(), None);
    }

    #[test]
    fn env_none_set_is_not_configured() {
        for p in [
            env(&[]),
            env(&[
                (EnvProvider::SECRET_ID_VAR, ""),
                (EnvProvider::TOKEN_VAR, TOKEN),
            ]),
        ] {
            let e = p.provide().unwrap_err();
            assert!(e.does_not_apply(), "{e:?}");
            assert_eq!(e.to_string(), "environment: TENCENTCLOUD_SECRET_ID not set");
        }
    }

    #[test]
    fn env_only_one_set() {
        let e = env(&[(EnvProvider::SECRET_ID_VAR, ID)])
            .provide()
            .unwrap_err();
        assert!(
            matches!(
                e,
                CredentialsError::EnvIncomplete {
                    present: "TENCENTCLOUD_SECRET_ID",
                    missing: "TENCENTCLOUD_SECRET_KEY"
                }
            ),
            "{e:?}"
        );
        assert!(!e.does_not_apply());
        let e = env(&[(EnvProvider::SECRET_KEY_VAR, KEY)])
            .provide()
            .unwrap_err();
        assert!(
            matches!(
                e,
                CredentialsError::EnvIncomplete {
                    present: "TENCENTCLOUD_SECRET_KEY",
                    missing: "TENCENTCLOUD_SECRET_ID"
                }
            ),
            "{e:?}"
        );
        assert_no_secret(&format!("{e} {e:?}"));
    }

    #[test]
    fn env_invalid_value_names_variable() {
        let key = format!("{KEY}\n");
        let e = env(&[
            (EnvProvider::SECRET_ID_VAR, ID),
            (EnvProvider::SECRET_KEY_VAR, &key),
        ])
        .provide()
        .unwrap_err();
        assert!(
            matches!(
                e,
                CredentialsError::EnvInvalid {
                    var: "TENCENTCLOUD_SECRET_KEY",
                    reason: InvalidReason::SurroundingWhitespace
                }
            ),
            "{e:?}"
        );
        assert_no_secret(&format!("{e} {e:?}"));
    }

    #[test]
    fn env_debug_shows_nothing() {
        let p = env(&[
            (EnvProvider::SECRET_ID_VAR, ID),
            (EnvProvider::SECRET_KEY_VAR, KEY),
        ]);
        assert_eq!(format!("{p:?}"), "EnvProvider { .. }");
        assert_eq!(p.name(), "environment");
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
        assert!(
            matches!(
                e,
                CredentialsError::ProfileInvalid {
                    line: 3,
                    field: CredentialField::SecretKey,
                    reason: InvalidReason::SurroundingWhitespace,
                    ..
                }
            ),
            "{e:?}"
        );
        assert_eq!(
            e.to_string(),
            "profile: /test/credentials line 3: SecretKey has leading or trailing whitespace (remove it: it makes every signature fail)"
        );
        // An empty quoted value is empty.
        let e = profile("[default]\nsecret_id = \"\"\nsecret_key = k\n").unwrap_err();
        assert!(
            matches!(
                e,
                CredentialsError::ProfileInvalid {
                    line: 2,
                    reason: InvalidReason::Empty,
                    ..
                }
            ),
            "{e:?}"
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
        assert!(
            matches!(
                e,
                CredentialsError::ProfileMissingKey {
                    section_line: 4,
                    key: "secret_id",
                    ..
                }
            ),
            "{e:?}"
        );
        assert_eq!(
            e.to_string(),
            "profile: /test/credentials line 4: section [default] has no `secret_id` key"
        );
        let e = profile("[default]\nsecret_id = a\n").unwrap_err();
        assert!(
            matches!(
                e,
                CredentialsError::ProfileMissingKey {
                    section_line: 1,
                    key: "secret_key",
                    ..
                }
            ),
            "{e:?}"
        );
        let e = profile("[other]\nsecret_id = a\nsecret_key = b\n").unwrap_err();
        assert!(
            matches!(e, CredentialsError::ProfileMissingSection { .. }),
            "{e:?}"
        );
        assert_eq!(
            e.to_string(),
            "profile: /test/credentials has no [default] section; add one with secret_id and secret_key"
        );
        assert!(matches!(
            profile("").unwrap_err(),
            CredentialsError::ProfileMissingSection { .. }
        ));
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
            match &e {
                CredentialsError::ProfileSyntax {
                    line: l,
                    message: m,
                    ..
                } => {
                    assert_eq!(*l, line, "{text:?}");
                    assert!(m.contains(message), "{m}");
                }
                other => panic!("{text:?}: {other:?}"),
            }
            assert_no_secret(&format!("{e} {e:?}"));
        }
        // Duplicates outside the profile section do not matter.
        assert!(profile("[x]\na=1\na=2\n[default]\nsecret_id=a\nsecret_key=b\n").is_ok());
    }

    #[test]
    fn profile_custom_name() {
        let text = "[default]\nsecret_id = d\nsecret_key = d\n[prod]\nsecret_id = p\nsecret_key = pk\ntoken = t\n";
        let c = parse_profile(text, Path::new("/f"), "prod").unwrap();
        assert_eq!(
            (c.secret_id(), c.secret_key(), c.token()),
            ("p", "pk", Some("t"))
        );
        let e = parse_profile(text, Path::new("/f"), "Prod").unwrap_err();
        assert!(
            matches!(e, CredentialsError::ProfileMissingSection { ref profile, .. } if profile == "Prod")
        );
    }

    // --- ProfileProvider files ---------------------------------------------------------------

    struct TempDir(PathBuf);

    impl TempDir {
        fn new(name: &str) -> TempDir {
            let dir = std::env::temp_dir().join(format!(
                "tc-redis-credentials-{}-{name}",
                std::process::id()
            ));
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

    #[test]
    fn profile_from_path() {
        let dir = TempDir::new("from-path");
        let path = dir.0.join("credentials");
        std::fs::write(&path, format!("[default]\nsecret_id = {ID}\nsecret_key = {KEY}\n[ci]\nsecret_id = AKIDci\nsecret_key = ci\n")).unwrap();
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
        let path = dir.0.join("nope");
        let e = ProfileProvider::from_path(&path).provide().unwrap_err();
        match &e {
            CredentialsError::ProfileRead { path: p, source } => {
                assert_eq!(p, &path);
                assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
            }
            other => panic!("{other:?}"),
        }
        assert!(e.to_string().contains(&path.display().to_string()));
        assert!(std::error::Error::source(&e).is_some());
        assert!(!e.does_not_apply());
        // Same when named by TENCENTCLOUD_CREDENTIALS_FILE.
        let named = path.display().to_string();
        let e = ProfileProvider::with_lookup(move |k| {
            (k == ProfileProvider::FILE_VAR).then(|| named.clone())
        })
        .provide()
        .unwrap_err();
        assert!(matches!(e, CredentialsError::ProfileRead { .. }), "{e:?}");
    }

    #[test]
    fn profile_discovery() {
        let dir = TempDir::new("discovery");
        let home = dir.0.join("home");
        std::fs::create_dir_all(home.join(".tencentcloud")).unwrap();
        let system = dir.0.join("etc-credentials");
        let home_str = home.display().to_string();
        let discover = |vars: Vec<(&'static str, String)>| {
            let mut p = ProfileProvider::with_lookup(move |k| {
                vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone())
            });
            p.system_path = system.clone();
            p
        };
        // Nothing anywhere: not configured, listing both paths.
        let e = discover(vec![("HOME", home_str.clone())])
            .provide()
            .unwrap_err();
        assert!(e.does_not_apply(), "{e:?}");
        assert_eq!(
            e.to_string(),
            format!(
                "profile: {}, {} not found",
                home.join(".tencentcloud/credentials").display(),
                system.display()
            )
        );
        // The system file.
        std::fs::write(&system, "[default]\nsecret_id = sys\nsecret_key = sys\n").unwrap();
        assert_eq!(
            discover(vec![("HOME", home_str.clone())])
                .provide()
                .unwrap()
                .secret_id(),
            "sys"
        );
        assert_eq!(discover(vec![]).provide().unwrap().secret_id(), "sys");
        // The home file wins over the system file.
        std::fs::write(
            home.join(".tencentcloud/credentials"),
            "[default]\nsecret_id = home\nsecret_key = h\n",
        )
        .unwrap();
        assert_eq!(
            discover(vec![("HOME", home_str.clone())])
                .provide()
                .unwrap()
                .secret_id(),
            "home"
        );
        // The variable wins over both.
        let named = dir.0.join("named");
        std::fs::write(&named, "[default]\nsecret_id = named\nsecret_key = n\n").unwrap();
        let vars = vec![
            ("HOME", home_str),
            (ProfileProvider::FILE_VAR, named.display().to_string()),
        ];
        assert_eq!(discover(vars).provide().unwrap().secret_id(), "named");
    }

    // --- CvmRoleProvider ---------------------------------------------------------------------

    const ROLE_PATH: &str = "/latest/meta-data/cam/security-credentials/";

    struct Fake {
        base: String,
        hits: Arc<Mutex<Vec<String>>>,
    }

    impl Fake {
        fn hits(&self) -> Vec<String> {
            self.hits.lock().unwrap().clone()
        }
    }

    /// A metadata server on 127.0.0.1 answering `route(path) -> (status, body)`.
    fn fake(route: impl Fn(&str) -> (u16, String) + Send + 'static) -> Fake {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let hits = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&hits);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut request = Vec::new();
                let mut chunk = [0u8; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut chunk) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => request.extend_from_slice(&chunk[..n]),
                    }
                }
                let request = String::from_utf8_lossy(&request);
                let path = request.split_whitespace().nth(1).unwrap_or("").to_owned();
                seen.lock().unwrap().push(path.clone());
                let (status, body) = route(&path);
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status} X\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        Fake {
            base: format!("http://{addr}{ROLE_PATH}"),
            hits,
        }
    }

    fn role_json(id: &str, key: &str, token: &str, expired: u64) -> String {
        format!(
            r#"{{"TmpSecretId":"{id}","TmpSecretKey":"{key}","ExpiredTime":{expired},"Expiration":"2030-01-01T00:00:00Z","Token":"{token}","Code":"Success"}}"#
        )
    }

    fn cvm(base: &str) -> CvmRoleProvider {
        CvmRoleProvider::new()
            .with_base_url(base)
            .with_timeout(Duration::from_secs(3))
    }

    #[test]
    fn cvm_lists_role_and_fetches_credentials() {
        let server = fake(|path| match path.strip_prefix(ROLE_PATH) {
            Some("") => (200, "\n  my-role  \nsecond\n".into()),
            Some("my-role") => (
                200,
                role_json("AKIDtmp", "TmpKeyQw8", "TmpTokenPo5", 2_000_000_000),
            ),
            _ => (404, String::new()),
        });
        let p = cvm(&server.base).with_clock(|| 1_000_000_000);
        let c = p.provide().unwrap();
        assert_eq!(
            (c.secret_id(), c.secret_key(), c.token()),
            ("AKIDtmp", "TmpKeyQw8", Some("TmpTokenPo5"))
        );
        assert_eq!(
            server.hits(),
            [ROLE_PATH.to_owned(), format!("{ROLE_PATH}my-role")]
        );
        // Cached: no further request.
        p.provide().unwrap();
        assert_eq!(server.hits().len(), 2);
        let debug = format!("{p:?}");
        assert!(debug.contains("cached_until: Some(2000000000)"), "{debug}");
        assert_no_secret(&debug);
        assert_eq!(p.name(), "cvm-role");
    }

    #[test]
    fn cvm_given_role_name_is_not_listed_and_is_encoded() {
        let server = fake(|path| match path.strip_prefix(ROLE_PATH) {
            Some("a%2Bb%40c") => (
                200,
                role_json("AKIDtmp", "TmpKeyQw8", "TmpTokenPo5", 2_000_000_000),
            ),
            _ => (404, String::new()),
        });
        let p = cvm(server.base.trim_end_matches('/'))
            .with_role_name("a+b@c")
            .with_clock(|| 0);
        assert_eq!(p.provide().unwrap().secret_id(), "AKIDtmp");
        assert_eq!(server.hits(), [format!("{ROLE_PATH}a%2Bb%40c")]);
    }

    #[test]
    fn cvm_refreshes_only_within_300_seconds_of_expiry() {
        let fetches = Arc::new(AtomicU64::new(0));
        let failing = Arc::new(AtomicBool::new(false));
        let (f, fail) = (Arc::clone(&fetches), Arc::clone(&failing));
        let server = fake(move |path| match path.strip_prefix(ROLE_PATH) {
            Some("") => (200, "role".into()),
            Some("role") if fail.load(Ordering::SeqCst) => (500, String::new()),
            Some("role") => {
                let n = f.fetch_add(1, Ordering::SeqCst) + 1;
                (
                    200,
                    role_json(
                        &format!("AKIDgen{n}"),
                        "TmpKeyQw8",
                        "TmpTokenPo5",
                        10_000 * n,
                    ),
                )
            }
            _ => (404, String::new()),
        });
        let now = Arc::new(AtomicU64::new(1_000));
        let clock = Arc::clone(&now);
        let p = cvm(&server.base).with_clock(move || clock.load(Ordering::SeqCst));
        let fetched = || {
            server
                .hits()
                .iter()
                .filter(|h| h.ends_with("/role"))
                .count()
        };

        assert_eq!(p.provide().unwrap().secret_id(), "AKIDgen1");
        assert_eq!(fetched(), 1);
        now.store(10_000 - 301, Ordering::SeqCst);
        assert_eq!(p.provide().unwrap().secret_id(), "AKIDgen1");
        assert_eq!(fetched(), 1, "no fetch while more than 300 s remain");
        now.store(10_000 - 300, Ordering::SeqCst);
        assert_eq!(p.provide().unwrap().secret_id(), "AKIDgen2");
        assert_eq!(fetched(), 2, "second fetch once ExpiredTime - now <= 300");
        assert_eq!(p.provide().unwrap().secret_id(), "AKIDgen2");
        assert_eq!(fetched(), 2);

        // A failed refresh falls back to the cached credentials until they expire.
        failing.store(true, Ordering::SeqCst);
        now.store(20_000 - 10, Ordering::SeqCst);
        assert_eq!(p.provide().unwrap().secret_id(), "AKIDgen2");
        now.store(20_000, Ordering::SeqCst);
        let e = p.provide().unwrap_err();
        assert!(
            matches!(e, CredentialsError::MetadataStatus { status: 500, .. }),
            "{e:?}"
        );
        failing.store(false, Ordering::SeqCst);
        assert_eq!(p.provide().unwrap().secret_id(), "AKIDgen3");
    }

    #[test]
    fn cvm_code_not_success() {
        let server = fake(|path| match path.strip_prefix(ROLE_PATH) {
            Some("") => (200, "role".into()),
            _ => (
                200,
                r#"{"Code":"RoleNotExist","TmpSecretKey":"TmpKeyQw8","Token":"TmpTokenPo5"}"#
                    .into(),
            ),
        });
        let e = cvm(&server.base).provide().unwrap_err();
        match &e {
            CredentialsError::MetadataCode { code, url } => {
                assert_eq!(code, "RoleNotExist");
                assert!(url.ends_with("/role"), "{url}");
            }
            other => panic!("{other:?}"),
        }
        assert!(!e.does_not_apply());
        assert_no_secret(&format!("{e} {e:?}"));
    }

    #[test]
    fn cvm_malformed_answers() {
        let cases: [(&str, &str); 7] = [
            ("not json", "not JSON"),
            ("[1]", "not a JSON object"),
            (
                r#"{"TmpSecretId":"a","TmpSecretKey":"TmpKeyQw8","Token":"TmpTokenPo5","ExpiredTime":1}"#,
                "missing field `Code`",
            ),
            (
                r#"{"Code":"Success","TmpSecretId":"a","Token":"TmpTokenPo5","ExpiredTime":1}"#,
                "missing field `TmpSecretKey`",
            ),
            (
                r#"{"Code":"Success","TmpSecretId":"a","TmpSecretKey":"TmpKeyQw8","Token":"TmpTokenPo5"}"#,
                "missing field `ExpiredTime`",
            ),
            (
                r#"{"Code":"Success","TmpSecretId":"a","TmpSecretKey":"TmpKeyQw8","Token":"TmpTokenPo5","ExpiredTime":"1"}"#,
                "field `ExpiredTime` is not an integer",
            ),
            (
                r#"{"Code":"Success","TmpSecretId":"a","TmpSecretKey":" TmpKeyQw8","Token":"TmpTokenPo5","ExpiredTime":1}"#,
                "field `TmpSecretKey` has leading",
            ),
        ];
        for (body, expected) in cases {
            let body = body.to_owned();
            let server = fake(move |path| {
                if path == ROLE_PATH {
                    (200, "role".into())
                } else {
                    (200, body.clone())
                }
            });
            let e = cvm(&server.base).provide().unwrap_err();
            match &e {
                CredentialsError::MetadataMalformed { detail, .. } => {
                    assert!(detail.contains(expected), "{detail} vs {expected}")
                }
                other => panic!("{expected}: {other:?}"),
            }
            assert_no_secret(&format!("{e} {e:?}"));
        }
    }

    #[test]
    fn cvm_oversized_body() {
        let server = fake(|path| {
            if path == ROLE_PATH {
                (200, "role".into())
            } else {
                (200, "x".repeat(70 * 1024))
            }
        });
        let e = cvm(&server.base).provide().unwrap_err();
        assert!(
            matches!(e, CredentialsError::MetadataMalformed { ref detail, .. } if detail.contains("larger than")),
            "{e:?}"
        );
    }

    #[test]
    fn cvm_no_role_bound_and_bad_status() {
        let server = fake(|_| (404, String::new()));
        let e = cvm(&server.base).provide().unwrap_err();
        assert!(
            matches!(
                e,
                CredentialsError::NotConfigured {
                    provider: "cvm-role",
                    ..
                }
            ),
            "{e:?}"
        );
        assert!(e.to_string().contains("no CAM role is bound"), "{e}");
        let server = fake(|_| (200, "\n \n".into()));
        let e = cvm(&server.base).provide().unwrap_err();
        assert!(matches!(e, CredentialsError::NotConfigured { .. }), "{e:?}");
        let server = fake(|_| (503, String::new()));
        let e = cvm(&server.base).provide().unwrap_err();
        assert!(
            matches!(e, CredentialsError::MetadataStatus { status: 503, .. }),
            "{e:?}"
        );
        // A named role that does not exist is a status error, not "not configured".
        let server = fake(|_| (404, String::new()));
        let e = cvm(&server.base)
            .with_role_name("ghost")
            .provide()
            .unwrap_err();
        assert!(
            matches!(e, CredentialsError::MetadataStatus { status: 404, .. }),
            "{e:?}"
        );
    }

    fn closed_port_base() -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        format!("http://{addr}{ROLE_PATH}")
    }

    #[test]
    fn cvm_unreachable_port_fails_fast() {
        let base = closed_port_base();
        let start = Instant::now();
        let e = CvmRoleProvider::new()
            .with_base_url(&base)
            .with_connect_timeout(Duration::from_millis(500))
            .with_timeout(Duration::from_secs(1))
            .provide()
            .unwrap_err();
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "{:?}",
            start.elapsed()
        );
        assert!(
            matches!(e, CredentialsError::MetadataUnreachable { ref url, .. } if *url == base),
            "{e:?}"
        );
        assert!(e.does_not_apply());
    }

    #[test]
    fn cvm_silent_server_times_out() {
        // Accepts connections (via the backlog) but never answers.
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}{ROLE_PATH}", listener.local_addr().unwrap());
        let start = Instant::now();
        let e = CvmRoleProvider::new()
            .with_base_url(&base)
            .with_timeout(Duration::from_millis(300))
            .provide()
            .unwrap_err();
        let elapsed = start.elapsed();
        assert!(
            elapsed >= Duration::from_millis(250) && elapsed < Duration::from_secs(3),
            "{elapsed:?}"
        );
        assert!(
            matches!(e, CredentialsError::MetadataUnreachable { ref detail, .. } if detail.contains("no answer within")),
            "{e:?}"
        );
        drop(listener);
    }

    // --- DefaultChain ------------------------------------------------------------------------

    #[test]
    fn chain_lists_every_attempt() {
        let dir = TempDir::new("chain");
        let home = dir.0.join("home");
        let system = dir.0.join("etc-credentials");
        let home_str = home.display().to_string();
        let mut profile =
            ProfileProvider::with_lookup(move |k| (k == "HOME").then(|| home_str.clone()));
        profile.system_path = system.clone();
        let base = closed_port_base();
        let chain = DefaultChain::with_providers(vec![
            Box::new(env(&[])),
            Box::new(profile),
            Box::new(
                CvmRoleProvider::new()
                    .with_base_url(&base)
                    .with_timeout(Duration::from_secs(1)),
            ),
        ]);
        let e = chain.provide().unwrap_err();
        let CredentialsError::NoneApplied { attempts } = &e else {
            panic!("{e:?}")
        };
        assert_eq!(attempts.len(), 3);
        assert_eq!(attempts[0], "environment: TENCENTCLOUD_SECRET_ID not set");
        assert_eq!(
            attempts[1],
            format!(
                "profile: {}, {} not found",
                home.join(".tencentcloud/credentials").display(),
                system.display()
            )
        );
        assert!(
            attempts[2].starts_with(&format!("cvm-role: metadata service unreachable ({base})")),
            "{}",
            attempts[2]
        );
        let text = e.to_string();
        assert!(
            text.starts_with(
                "no credentials found; tried environment: TENCENTCLOUD_SECRET_ID not set; profile: "
            ),
            "{text}"
        );
        assert!(
            text.contains("To proceed: set TENCENTCLOUD_SECRET_ID"),
            "{text}"
        );
    }

    /// Counts calls; succeeds or reports "not configured".
    #[derive(Debug)]
    struct Counting {
        calls: Arc<AtomicUsize>,
        result: Option<Credentials>,
    }

    impl ProvideCredentials for Counting {
        fn provide(&self) -> Result<Credentials, CredentialsError> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            self.result.clone().ok_or(CredentialsError::NotConfigured {
                provider: "counting",
                detail: "nothing".into(),
            })
        }

        fn name(&self) -> &'static str {
            "counting"
        }
    }

    #[test]
    fn chain_caches_the_winner() {
        let first = Arc::new(AtomicUsize::new(0));
        let second = Arc::new(AtomicUsize::new(0));
        let creds = Credentials::new(ID, KEY)
            .unwrap()
            .with_token(TOKEN)
            .unwrap();
        let chain = DefaultChain::with_providers(vec![
            Box::new(Counting {
                calls: Arc::clone(&first),
                result: None,
            }),
            Box::new(Counting {
                calls: Arc::clone(&second),
                result: Some(creds.clone()),
            }),
        ]);
        assert_eq!(chain.provide().unwrap(), creds);
        assert_eq!(chain.provide().unwrap(), creds);
        assert_eq!(
            (first.load(Ordering::SeqCst), second.load(Ordering::SeqCst)),
            (1, 2)
        );
        let debug = format!("{chain:?}");
        assert!(debug.contains("winner: Some(\"counting\")"), "{debug}");
        assert_no_secret(&debug);
        assert_eq!(chain.name(), "default-chain");
    }

    #[test]
    fn chain_stops_at_a_real_error() {
        let later = Arc::new(AtomicUsize::new(0));
        let chain = DefaultChain::with_providers(vec![
            Box::new(env(&[(EnvProvider::SECRET_ID_VAR, ID)])),
            Box::new(Counting {
                calls: Arc::clone(&later),
                result: Some(Credentials::new(ID, KEY).unwrap()),
            }),
        ]);
        let e = chain.provide().unwrap_err();
        assert!(matches!(e, CredentialsError::EnvIncomplete { .. }), "{e:?}");
        assert_eq!(later.load(Ordering::SeqCst), 0);
    }

    #[test]
    fn chain_with_env_credentials_and_debug_of_defaults() {
        let chain = DefaultChain::with_providers(vec![
            Box::new(env(&[
                (EnvProvider::SECRET_ID_VAR, ID),
                (EnvProvider::SECRET_KEY_VAR, KEY),
                (EnvProvider::TOKEN_VAR, TOKEN),
            ])),
            Box::new(ProfileProvider::from_path("/nonexistent")),
        ]);
        assert_eq!(chain.provide().unwrap().token(), Some(TOKEN));
        assert_no_secret(&format!("{chain:?}"));
        let defaults = format!("{:?}", DefaultChain::new());
        assert!(
            defaults.contains("EnvProvider")
                && defaults.contains("ProfileProvider")
                && defaults.contains("CvmRoleProvider"),
            "{defaults}"
        );
    }
}
