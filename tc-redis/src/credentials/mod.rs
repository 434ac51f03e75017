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
//! | [`WebIdentityProvider`] | TKE workload identity: `TKE_*` variables, an OIDC token exchanged with STS |
//! | [`CvmRoleProvider`] | the CVM instance metadata service (CAM role bound to the instance)      |
//! | [`AssumeRoleProvider`] | any provider's credentials assuming a CAM role with STS `AssumeRole` |
//! | [`DefaultChain`]    | environment → profile → TKE OIDC → CVM role, first that applies wins    |
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

mod chain;
mod cvm;
mod env;
mod error;
mod oidc;
mod profile;
mod refresh;
mod sts;
#[cfg(test)]
mod test_support;

pub use chain::DefaultChain;
pub use cvm::CvmRoleProvider;
pub use env::EnvProvider;
pub use error::CredentialsError;
pub use oidc::WebIdentityProvider;
pub use profile::ProfileProvider;
pub use sts::{AssumeRoleProvider, StsError};

use std::fmt;
use std::sync::Arc;

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
