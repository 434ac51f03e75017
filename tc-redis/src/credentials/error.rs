//! [`CredentialsError`]: why credentials could not be obtained, in four kinds (after aws-config's
//! `CredentialsError`), with the cause kept as its [`source`](std::error::Error::source); and the
//! reasons a credential value is refused ([`InvalidCredential`]).

use std::fmt;

/// Why credentials could not be obtained.
///
/// Its [`kind`](Self::kind) says what a caller can do about it; its message names the source
/// and the variable, file or role concerned, says what to do next, and never holds a SecretKey,
/// a token or a line of a credentials file; the cause (a [`crate::input::ReadError`], a
/// [`crate::env::NotUnicode`], an [`InvalidCredential`], the STS call's `tc_redis::Error`, ...)
/// is its [`source`](std::error::Error::source).
///
/// ```
/// use tc_redis::credentials::{Credentials, CredentialsErrorKind, InvalidCredential};
///
/// let e = Credentials::new("AKIDexample", "key\n").unwrap_err();
/// assert_eq!(e.kind(), CredentialsErrorKind::InvalidConfiguration);
/// let cause = std::error::Error::source(&e).and_then(|s| s.downcast_ref::<InvalidCredential>());
/// assert_eq!(cause.map(|c| c.field().to_string()).as_deref(), Some("SecretKey"));
/// ```
#[derive(Debug)]
pub struct CredentialsError {
    kind: CredentialsErrorKind,
    provider: Option<&'static str>,
    message: String,
    attempts: Vec<String>,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

/// The kinds of [`CredentialsError`]: what the caller can do about it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CredentialsErrorKind {
    /// The source is not there: variables unset, no credentials file, no tccli profile, no CAM
    /// role bound, no metadata service. The default chain moves on to the next source; used
    /// alone, configure that source or use another.
    NotLoaded,
    /// The source did not answer in time (STS). Try again, or check the network.
    TimedOut,
    /// The source is there but cannot work as configured: a malformed variable or file, a file
    /// that is a FIFO or too large, a half-configured TKE pod, a profile that does not exist, a
    /// setting out of range. The default chain stops here (another identity never signs in its
    /// place). Fix what the message names.
    InvalidConfiguration,
    /// The source answered, with a refusal or something unusable: STS refused, the metadata
    /// service answered an error or a malformed document, credentials arrived already expired,
    /// STS could not be reached. The default chain stops here. The message says what to check.
    ProviderError,
}

impl CredentialsError {
    pub(crate) fn new(
        kind: CredentialsErrorKind,
        provider: &'static str,
        message: impl Into<String>,
    ) -> Self {
        CredentialsError {
            kind,
            provider: Some(provider),
            message: message.into(),
            attempts: Vec::new(),
            source: None,
        }
    }

    /// [`CredentialsErrorKind::NotLoaded`].
    pub(crate) fn not_loaded(provider: &'static str, message: impl Into<String>) -> Self {
        Self::new(CredentialsErrorKind::NotLoaded, provider, message)
    }

    /// [`CredentialsErrorKind::InvalidConfiguration`].
    pub(crate) fn invalid(provider: &'static str, message: impl Into<String>) -> Self {
        Self::new(
            CredentialsErrorKind::InvalidConfiguration,
            provider,
            message,
        )
    }

    /// [`CredentialsErrorKind::ProviderError`].
    #[cfg(any(
        feature = "credentials-profile",
        feature = "credentials-sts",
        feature = "credentials-cvm"
    ))]
    pub(crate) fn provider_error(provider: &'static str, message: impl Into<String>) -> Self {
        Self::new(CredentialsErrorKind::ProviderError, provider, message)
    }

    /// Keeps `source` as the cause.
    pub(crate) fn with_source(
        mut self,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        self.source = Some(Box::new(source));
        self
    }

    /// The default chain's list of what it tried.
    pub(crate) fn with_attempts(mut self, attempts: Vec<String>) -> Self {
        self.attempts = attempts;
        self
    }

    /// What the caller can do about it.
    pub fn kind(&self) -> CredentialsErrorKind {
        self.kind
    }

    /// The provider's [`name`](super::ProvideCredentials::name) (`"environment"`, `"tccli"`,
    /// `"cvm-role"`, ...); `None` for a value refused by [`Credentials::new`](super::Credentials::new).
    pub fn provider(&self) -> Option<&'static str> {
        self.provider
    }

    /// For an error of the [`DefaultChain`](super::DefaultChain): one line per source it tried,
    /// saying why that source did not apply. Empty otherwise.
    pub fn attempts(&self) -> &[String] {
        &self.attempts
    }
}

impl fmt::Display for CredentialsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(provider) = self.provider {
            write!(f, "{provider}: ")?;
        }
        // The message quotes files, variables and servers' replies: escaped here, once for all
        // of them (escaping is idempotent, so parts escaped when it was built stay as they are).
        fmt::Display::fmt(&crate::escape::Escaped(&self.message), f)
    }
}

impl std::error::Error for CredentialsError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// A SecretId, SecretKey or token that cannot be used, and why: the
/// [`source`](std::error::Error::source) of the [`CredentialsError`] that refused it. Never holds
/// the value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct InvalidCredential {
    field: CredentialField,
    reason: InvalidReason,
}

impl InvalidCredential {
    /// The field refused.
    pub fn field(&self) -> CredentialField {
        self.field
    }

    /// Why.
    pub fn reason(&self) -> InvalidReason {
        self.reason
    }

    /// Checks one value of a credential.
    pub(crate) fn check(field: CredentialField, value: &str) -> Result<(), InvalidCredential> {
        match invalid_reason(value) {
            Some(reason) => Err(InvalidCredential { field, reason }),
            None => Ok(()),
        }
    }
}

impl fmt::Display for InvalidCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.field, self.reason)
    }
}

impl std::error::Error for InvalidCredential {}

/// A value refused by [`Credentials::new`](super::Credentials::new) or
/// [`with_token`](super::Credentials::with_token): no provider, the reason as the message.
impl From<InvalidCredential> for CredentialsError {
    fn from(e: InvalidCredential) -> Self {
        CredentialsError {
            kind: CredentialsErrorKind::InvalidConfiguration,
            provider: None,
            message: e.to_string(),
            attempts: Vec::new(),
            source: Some(Box::new(e)),
        }
    }
}

/// Which part of a [`Credentials`](super::Credentials) value a validation error is about.
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
pub(crate) fn invalid_reason(value: &str) -> Option<InvalidReason> {
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
