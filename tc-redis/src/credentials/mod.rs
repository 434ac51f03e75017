//! Credentials and the providers that find them, laid out as aws-config lays out its own: the
//! [`Credentials`] type and the [`ProvideCredentials`] trait here, the [`DefaultChain`] beside
//! them, one file per source named after it, and one [`ProviderContext`] (the environment, where
//! files are found, the clock, the network) that every provider reads and tests replace.
//!
//! | provider | source | feature |
//! |---|---|---|
//! | [`Credentials`] itself | a value given in code | always |
//! | [`EnvProvider`] (`environment.rs`) | `TENCENTCLOUD_SECRET_ID`, `TENCENTCLOUD_SECRET_KEY`, token variables | always |
//! | `ProfileProvider` (`profile_file.rs`) | the INI file `~/.tencentcloud/credentials` (or another path) | `credentials-profile` |
//! | `TccliProvider` (`tccli.rs`) | tccli's profile, `~/.tccli/<profile>.credential` (JSON) | `credentials-profile` |
//! | `WebIdentityProvider` (`web_identity.rs`) | TKE workload identity: `TKE_*` variables, an OIDC token exchanged with STS | `credentials-sts` |
//! | `AssumeRoleProvider` (`assume_role.rs`) | any provider's credentials assuming a CAM role with STS `AssumeRole` | `credentials-sts` |
//! | `CvmRoleProvider` (`cvm/`) | the CVM instance metadata service (the CAM role bound to the instance) | `credentials-cvm` |
//! | [`DefaultChain`] (`chain.rs`) | environment → credentials file → tccli profile → TKE workload identity → CVM role | always, with the sources of the features on |
//!
//! Every [`Credentials`] value carries a [`CredentialSource`]: a description of where it came
//! from (never a secret), which `AuthFailure` errors show, so that "which identity signed?" has
//! an answer. Errors are [`CredentialsError`]s of a few [kinds](CredentialsErrorKind), their
//! cause kept as the source.
//!
//! The providers that send requests of their own take the network of the client they sign for
//! ([`ProvideCredentials::use_network`]): the STS exchange goes out through the client's
//! transport (roots and CAs, proxy, timeouts, user agent) to the endpoint its rules pick (the
//! root domain, the endpoint override), unless the provider's own settings say otherwise.
//!
//! Variables are read through [`crate::env::Env`] (a value that is not UTF-8 is an error naming
//! it) and files through [`crate::input::read_file`]: regular files only (a FIFO or a device
//! never blocks), at most [`MAX_CREDENTIALS_FILE_BYTES`], and parsed again only when they change.
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
//!   and before the machine's own identity; a tccli profile set to use the CVM role uses it and
//!   nothing else;
//! * temporary credentials already expired when received are an error, and an expiry more than
//!   12 hours ahead is clamped, so that refresh still happens.
//!
//! Neither `Debug` nor `Display` of any type here ever shows a SecretKey or a token.

mod chain;
mod environment;
// Visible to the crate so that its errors name these two files alone, never the providers.
pub(crate) mod error;
mod provider_context;
pub(crate) mod source;

#[cfg(feature = "credentials-profile")]
mod file_cache;
#[cfg(feature = "credentials-profile")]
mod profile_file;
#[cfg(feature = "credentials-profile")]
mod tccli;

#[cfg(feature = "credentials-sts")]
mod assume_role;
#[cfg(feature = "credentials-sts")]
mod sts_client;
#[cfg(feature = "credentials-sts")]
mod web_identity;

#[cfg(feature = "credentials-cvm")]
mod cvm;

#[cfg(any(
    feature = "credentials-profile",
    feature = "credentials-sts",
    feature = "credentials-cvm"
))]
mod expiry;
#[cfg(any(feature = "credentials-sts", feature = "credentials-cvm"))]
mod refresh;

#[cfg(test)]
mod test_support;

pub use chain::DefaultChain;
pub use environment::EnvProvider;
pub use error::{
    CredentialField, CredentialsError, CredentialsErrorKind, InvalidCredential, InvalidReason,
};
pub use provider_context::ProviderContext;
pub use source::CredentialSource;

#[cfg(feature = "credentials-profile")]
pub use profile_file::ProfileProvider;
#[cfg(feature = "credentials-profile")]
pub use tccli::TccliProvider;
#[cfg(feature = "credentials-profile")]
pub(crate) use tccli::valid_profile_name;

#[cfg(feature = "credentials-sts")]
pub use assume_role::AssumeRoleProvider;
#[cfg(feature = "credentials-sts")]
pub use web_identity::WebIdentityProvider;

#[cfg(feature = "credentials-cvm")]
pub use cvm::CvmRoleProvider;

#[cfg(any(
    feature = "credentials-profile",
    feature = "credentials-sts",
    feature = "credentials-cvm"
))]
pub use expiry::MAX_LIFETIME_SECS;

use crate::network::Network;
use std::fmt;
use std::sync::Arc;

/// The size cap of every credential file (credentials file, tccli profile, web-identity
/// token): a credentials file is a few hundred bytes, a token a few kilobytes.
pub const MAX_CREDENTIALS_FILE_BYTES: u64 = 64 * 1024;

/// Printed in place of a secret by `Debug` and `Display`.
const REDACTED: &str = "<redacted>";

/// A validated SecretId / SecretKey pair and an optional session token.
///
/// `Debug` and `Display` show the SecretId (an identifier, not a secret) and print `<redacted>`
/// for the SecretKey and the token. Each value also carries its [`CredentialSource`].
///
/// It is a provider of itself (name `"static"`): give it to
/// [`ClientBuilder::credentials`](crate::ClientBuilder::credentials), or as the source of an
/// assumed role.
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
    /// Fails with [`CredentialsErrorKind::InvalidConfiguration`], its source an
    /// [`InvalidCredential`] naming the field, when either is empty, has leading or trailing
    /// whitespace, or contains a control or non-ASCII character.
    pub fn new(
        secret_id: impl Into<String>,
        secret_key: impl Into<String>,
    ) -> Result<Self, CredentialsError> {
        let secret_id = secret_id.into();
        let secret_key = secret_key.into();
        InvalidCredential::check(CredentialField::SecretId, &secret_id)?;
        InvalidCredential::check(CredentialField::SecretKey, &secret_key)?;
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
        InvalidCredential::check(CredentialField::Token, &token)?;
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

/// A source of [`Credentials`], asked before each request is signed.
///
/// Implementations cache what is expensive to obtain and return quickly otherwise.
pub trait ProvideCredentials: Send + Sync + fmt::Debug {
    /// Returns the current credentials.
    fn provide(&self) -> Result<Credentials, CredentialsError>;

    /// A short name for messages (`"environment"`, `"profile"`, `"cvm-role"`, …).
    fn name(&self) -> &'static str;

    /// Takes the network of the client this provider signs for, so that the requests the
    /// provider sends itself (STS, the metadata service) go out as the client's do.
    /// [`ClientBuilder::build`](crate::ClientBuilder::build) calls it.
    ///
    /// A network in the provider's own [`ProviderContext`] wins, and so do the provider's
    /// explicit settings (an STS endpoint, timeouts); of several networks handed, the first is
    /// kept. The default does nothing, which suits a provider that sends nothing; a provider
    /// built on others hands the network on to them.
    fn use_network(&self, network: &Network) {
        let _ = network;
    }
}

impl<T: ProvideCredentials + ?Sized> ProvideCredentials for Arc<T> {
    fn provide(&self) -> Result<Credentials, CredentialsError> {
        (**self).provide()
    }

    fn name(&self) -> &'static str {
        (**self).name()
    }

    fn use_network(&self, network: &Network) {
        (**self).use_network(network);
    }
}

impl<T: ProvideCredentials + ?Sized> ProvideCredentials for Box<T> {
    fn provide(&self) -> Result<Credentials, CredentialsError> {
        (**self).provide()
    }

    fn name(&self) -> &'static str {
        (**self).name()
    }

    fn use_network(&self, network: &Network) {
        (**self).use_network(network);
    }
}

/// Fixed credentials provide themselves.
impl ProvideCredentials for Credentials {
    fn provide(&self) -> Result<Credentials, CredentialsError> {
        Ok(self.clone())
    }

    fn name(&self) -> &'static str {
        "static"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use test_support::{ID, KEY, TOKEN, assert_no_secret};

    /// The field and reason of a value refused by [`Credentials::new`] or `with_token`.
    fn why<T: fmt::Debug>(r: Result<T, CredentialsError>) -> (CredentialField, InvalidReason) {
        let e = r.unwrap_err();
        assert_eq!(e.kind(), CredentialsErrorKind::InvalidConfiguration);
        let cause = std::error::Error::source(&e)
            .and_then(|s| s.downcast_ref::<InvalidCredential>())
            .unwrap_or_else(|| panic!("no InvalidCredential under {e:?}"));
        (cause.field(), cause.reason())
    }

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
            assert_eq!(
                why(Credentials::new(id, key)),
                (field, reason),
                "{id:?} {key:?}"
            );
        }
        let base = Credentials::new(ID, KEY).unwrap();
        for (token, reason) in [
            ("", Empty),
            (" t", SurroundingWhitespace),
            ("t\r\nX", ControlCharacter),
        ] {
            assert_eq!(
                why(base.clone().with_token(token)),
                (Token, reason),
                "{token:?}"
            );
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
        assert_eq!(e.provider(), None);
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
    fn credentials_provide_themselves() {
        let c = Credentials::new(ID, KEY)
            .unwrap()
            .with_token(TOKEN)
            .unwrap();
        assert_eq!(c.provide().unwrap(), c);
        assert_eq!(c.name(), "static");
        let arc: Arc<dyn ProvideCredentials> = Arc::new(c.clone());
        assert_eq!(arc.provide().unwrap(), c);
        assert_no_secret(&format!("{arc:?}"));
    }
}
