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
//! | [`TccliProvider`]   | tccli's profile, `~/.tccli/<profile>.credential` (JSON)                 |
//! | [`WebIdentityProvider`] | TKE workload identity: `TKE_*` variables, an OIDC token exchanged with STS |
//! | [`CvmRoleProvider`] | the CVM instance metadata service (CAM role bound to the instance)      |
//! | [`AssumeRoleProvider`] | any provider's credentials assuming a CAM role with STS `AssumeRole` |
//! | [`DefaultChain`]    | environment → credentials file → tccli profile → TKE OIDC → CVM role    |
//!
//! Every [`Credentials`] value carries a [`CredentialSource`]: a description of where it came
//! from (never a secret), which `AuthFailure` errors show, so that "which identity signed?" has
//! an answer.
//!
//! Files are read by one set of rules ([`crate::input::read_file`]): regular files only (a FIFO
//! or a device never blocks), at most [`MAX_CREDENTIALS_FILE_BYTES`], and parsed again only
//! when they change.
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
//!   every provider it tried and why that provider did not apply; an error in a source that is
//!   configured (a variable that is not UTF-8, a file that is a FIFO, a broken tccli profile)
//!   stops the chain instead of letting the next source's identity sign;
//! * tccli's profile is a source (the official SDKs do not read it), after the credentials file
//!   and before the CVM role;
//! * files must be regular files of at most 64 KiB, and are parsed again only when they change
//!   (the SDKs read them at each lookup, whatever they are);
//! * temporary credentials already expired when received are an error, and an expiry more than
//!   12 hours ahead is clamped, so that refresh still happens.
//!
//! Neither `Debug` nor `Display` of any type here ever shows a SecretKey or a token.

mod chain;
mod cvm;
mod env;
mod error;
mod expiry;
mod file;
mod oidc;
mod profile;
mod refresh;
mod sts;
mod tccli;
#[cfg(test)]
mod test_support;

pub use chain::DefaultChain;
pub use cvm::CvmRoleProvider;
pub use env::EnvProvider;
pub use error::CredentialsError;
pub use expiry::MAX_LIFETIME_SECS;
pub use file::MAX_CREDENTIALS_FILE_BYTES;
pub use oidc::WebIdentityProvider;
pub use profile::ProfileProvider;
pub use sts::{AssumeRoleProvider, StsError};
pub use tccli::TccliProvider;
pub(crate) use tccli::valid_profile_name;

use std::ffi::OsString;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

/// Printed in place of a secret by `Debug` and `Display`.
const REDACTED: &str = "<redacted>";

// ---------------------------------------------------------------------------------------------
// Credentials
// ---------------------------------------------------------------------------------------------

/// A validated SecretId / SecretKey pair and an optional session token.
///
/// `Debug` and `Display` show the SecretId (an identifier, not a secret) and print `<redacted>`
/// for the SecretKey and the token. Each value also carries its [`CredentialSource`].
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    secret_id: String,
    secret_key: String,
    token: Option<String>,
    source: CredentialSource,
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
            source: CredentialSource::Static,
        })
    }

    /// Records where these credentials came from (providers call this; the default is
    /// [`CredentialSource::Static`]).
    pub fn with_source(mut self, source: CredentialSource) -> Self {
        self.source = source;
        self
    }

    /// Where these credentials came from: shown by `AuthFailure` errors.
    pub fn source(&self) -> &CredentialSource {
        &self.source
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
            .field("source", &self.source)
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

/// Where a [`Credentials`] value came from: which identity signs. Never holds a secret.
///
/// `Display` says it in words, for error messages ("environment variables
/// TENCENTCLOUD_SECRET_ID/TENCENTCLOUD_SECRET_KEY", "credentials file /home/a/.tencentcloud/credentials,
/// profile \[default\]", "CVM instance role `cvm-role-x`", ...).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CredentialSource {
    /// Given in code ([`Credentials::new`], [`StaticProvider`]).
    Static,
    /// [`EnvProvider`]: the `TENCENTCLOUD_*` variables.
    Environment,
    /// [`ProfileProvider`]: a section of an INI credentials file.
    CredentialsFile {
        /// The file.
        path: PathBuf,
        /// The section.
        profile: String,
    },
    /// [`TccliProvider`]: a tccli profile's `.credential` file.
    Tccli {
        /// The `<profile>.credential` file.
        path: PathBuf,
        /// The profile.
        profile: String,
    },
    /// [`CvmRoleProvider`]: the CAM role bound to the CVM instance.
    CvmRole {
        /// The role's name.
        role: String,
    },
    /// [`AssumeRoleProvider`]: a role assumed with STS `AssumeRole`.
    AssumedRole {
        /// The role's ARN.
        role_arn: String,
    },
    /// [`WebIdentityProvider`]: TKE workload identity, a role assumed with the pod's OIDC token.
    WebIdentity {
        /// The role's ARN.
        role_arn: String,
    },
}

impl fmt::Display for CredentialSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CredentialSource::Static => f.write_str("credentials given in code"),
            CredentialSource::Environment => {
                f.write_str("environment variables TENCENTCLOUD_SECRET_ID/TENCENTCLOUD_SECRET_KEY")
            }
            CredentialSource::CredentialsFile { path, profile } => write!(
                f,
                "credentials file {}, profile [{profile}]",
                path.display()
            ),
            CredentialSource::Tccli { path, profile } => {
                write!(f, "tccli profile `{profile}` ({})", path.display())
            }
            CredentialSource::CvmRole { role } => write!(f, "CVM instance role `{role}`"),
            CredentialSource::AssumedRole { role_arn } => {
                write!(f, "role `{role_arn}` assumed with STS AssumeRole")
            }
            CredentialSource::WebIdentity { role_arn } => {
                write!(f, "TKE workload identity, role `{role_arn}`")
            }
        }
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

/// Looks an environment variable up; injectable for tests. Values are `OsString`s so that a
/// non-UTF-8 value is seen (and reported, or used as a path) rather than taken for "unset".
type Lookup = Arc<dyn Fn(&str) -> Option<OsString> + Send + Sync>;

fn process_env() -> Lookup {
    Arc::new(|name: &str| std::env::var_os(name))
}

/// A [`Lookup`] from one that returns UTF-8 strings (the public `with_lookup` constructors).
fn string_lookup(lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'static) -> Lookup {
    Arc::new(move |name| lookup(name).map(OsString::from))
}

/// The variable's value, `None` when unset or empty.
fn non_empty(lookup: &Lookup, name: &str) -> Option<OsString> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use test_support::{ID, KEY, TOKEN, assert_no_secret};

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
}
