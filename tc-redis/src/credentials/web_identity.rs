//! [`WebIdentityProvider`]: TKE workload identity, an OIDC token exchanged with STS
//! `AssumeRoleWithWebIdentity` for temporary credentials of a CAM role.

use super::refresh::{Expiring, RefreshingCache};
use super::sts_client::StsClient;
use super::{
    CredentialSource, Credentials, CredentialsError, MAX_CREDENTIALS_FILE_BYTES,
    ProvideCredentials, ProviderContext,
};
use crate::action::Action;
use crate::input::read_file;
use crate::network::Network;
use crate::sts::AssumeRoleWithWebIdentityRequest;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The provider's name in messages.
const NAME: &str = "tke-oidc";

/// What the exchange needs: from the `TKE_*` variables or given in code.
#[derive(Debug, Clone)]
struct Identity {
    region: String,
    provider_id: String,
    token_file: PathBuf,
    role_arn: String,
}

/// Temporary credentials of a CAM role, for a TKE pod with workload identity (OIDC).
///
/// TKE's pod identity webhook sets four variables in the pod, the names the official SDKs read
/// (Go `tencentcloud/common/oidc_role_arn_provider.go` `DefaultTkeOIDCRoleArnProvider`, Python
/// `tencentcloud/common/credential.py` `DefaultTkeOIDCRoleArnProvider`):
///
/// | variable | meaning |
/// |---|---|
/// | `TKE_REGION` | the region sent with the STS call |
/// | `TKE_PROVIDER_ID` | the OIDC identity provider's name in CAM |
/// | `TKE_WEB_IDENTITY_TOKEN_FILE` | the projected service-account token, re-read at each refresh (kubelet rotates it) |
/// | `TKE_ROLE_ARN` | the role to assume |
///
/// [`from_env`](Self::from_env) reads them (from the [`ProviderContext`]'s environment) at each
/// refresh and applies only when they are set: none set is
/// [`NotLoaded`](super::CredentialsErrorKind::NotLoaded) (the default chain moves on), some but
/// not all is an [`InvalidConfiguration`](super::CredentialsErrorKind::InvalidConfiguration) (the
/// chain stops: a half-configured pod must not silently run as its node's instance role).
///
/// The token file is read by the rules of [`crate::input::read_file`]: a regular file of at
/// most 64 KiB (a FIFO or a device is refused without blocking), one token, surrounding
/// whitespace removed. The token is sent with `AssumeRoleWithWebIdentity`, which the API takes
/// unsigned (no other credentials are needed), on the network of the client the provider signs
/// for (behind a TLS-inspecting proxy, the client's CA bundle is what verifies STS). The
/// credentials are cached and exchanged again when a tenth of their lifetime remains (default
/// 7200 s), one caller at a time while the others keep using the still-valid ones.
pub struct WebIdentityProvider {
    /// `None`: the `TKE_*` variables, read at every refresh, as the official Go SDK does.
    fixed: Option<Identity>,
    session_name: Option<String>,
    sts: StsClient,
    cache: RefreshingCache,
}

impl WebIdentityProvider {
    /// The region variable.
    pub const REGION_VAR: &'static str = "TKE_REGION";
    /// The identity provider variable.
    pub const PROVIDER_ID_VAR: &'static str = "TKE_PROVIDER_ID";
    /// The token file variable.
    pub const TOKEN_FILE_VAR: &'static str = "TKE_WEB_IDENTITY_TOKEN_FILE";
    /// The role variable.
    pub const ROLE_ARN_VAR: &'static str = "TKE_ROLE_ARN";

    /// TKE workload identity from the process environment, read at each refresh.
    pub fn from_env() -> Self {
        WebIdentityProvider::with_identity(None)
    }

    /// Explicit settings: exchange the token in `token_file` (re-read at each refresh) from
    /// identity provider `provider_id` for role `role_arn`, calling STS with `region`.
    pub fn new(
        region: impl Into<String>,
        provider_id: impl Into<String>,
        token_file: impl Into<PathBuf>,
        role_arn: impl Into<String>,
    ) -> Self {
        WebIdentityProvider::with_identity(Some(Identity {
            region: region.into(),
            provider_id: provider_id.into(),
            token_file: token_file.into(),
            role_arn: role_arn.into(),
        }))
    }

    fn with_identity(fixed: Option<Identity>) -> Self {
        WebIdentityProvider {
            fixed,
            session_name: None,
            sts: StsClient::new(NAME, ProviderContext::new()),
            cache: RefreshingCache::new(),
        }
    }

    /// Reads the `TKE_*` variables (for [`from_env`](Self::from_env)) from the environment of
    /// `context`, times expiry by its clock, and sends on its network if it has one.
    pub fn with_context(mut self, context: ProviderContext) -> Self {
        self.sts.context = context;
        self
    }

    /// The session name (default `tc-redis-<unix seconds>` at each exchange).
    pub fn with_session_name(mut self, name: impl Into<String>) -> Self {
        self.session_name = Some(name.into());
        self
    }

    super::sts_client::sts_settings!();

    /// The settings now: the fixed ones, or the `TKE_*` variables.
    fn identity(&self) -> Result<Identity, CredentialsError> {
        if let Some(identity) = &self.fixed {
            return Ok(identity.clone());
        }
        let vars = [
            Self::REGION_VAR,
            Self::PROVIDER_ID_VAR,
            Self::TOKEN_FILE_VAR,
            Self::ROLE_ARN_VAR,
        ];
        let env = self.sts.context.env();
        // A variable that is not UTF-8 is an error naming it, never "unset".
        let values = vars
            .iter()
            .map(|var| {
                env.get(var).map_err(|e| {
                    CredentialsError::invalid(
                        NAME,
                        format!("{var} is set but is not valid UTF-8; set it again"),
                    )
                    .with_source(e)
                })
            })
            .collect::<Result<Vec<Option<String>>, _>>()?;
        let (present, missing): (Vec<_>, Vec<_>) = vars
            .iter()
            .zip(&values)
            .partition(|(_, value)| value.is_some());
        let names = |list: Vec<(&&str, _)>| {
            list.into_iter()
                .map(|(v, _)| *v)
                .collect::<Vec<_>>()
                .join(", ")
        };
        if present.is_empty() {
            return Err(CredentialsError::not_loaded(
                NAME,
                "TKE_REGION, TKE_PROVIDER_ID, TKE_WEB_IDENTITY_TOKEN_FILE and TKE_ROLE_ARN not set",
            ));
        }
        if !missing.is_empty() {
            return Err(CredentialsError::invalid(
                NAME,
                format!(
                    "{} set but {} not; set all four TKE_* variables, or none",
                    names(present),
                    names(missing)
                ),
            ));
        }
        let mut values = values.into_iter().flatten();
        let mut next = || values.next().unwrap_or_default();
        Ok(Identity {
            region: next(),
            provider_id: next(),
            token_file: PathBuf::from(next()),
            role_arn: next(),
        })
    }

    fn fetch(&self) -> Result<Expiring, CredentialsError> {
        let identity = self.identity()?;
        let duration = self.sts.duration_seconds()?;
        let token = read_token(&identity.token_file)?;
        let session_name = match &self.session_name {
            Some(name) => name.clone(),
            None => format!("tc-redis-{}", self.sts.context.unix_now()),
        };
        // The exchange is unsigned: the pipeline asks this provider nothing.
        let pipeline = self.sts.pipeline(&identity.region, Arc::new(Unsigned))?;
        let request = AssumeRoleWithWebIdentityRequest::new(
            identity.provider_id.as_str(),
            token,
            identity.role_arn.as_str(),
            session_name,
        )
        .with_duration_seconds(i64::try_from(duration).unwrap_or(i64::MAX));
        let reply = pipeline.call(&request).map(|r| {
            let expired = i64::try_from(r.expired_time).unwrap_or(i64::MAX);
            (r.credentials, expired)
        });
        self.sts.issued(
            <AssumeRoleWithWebIdentityRequest as Action>::NAME,
            &identity.role_arn,
            CredentialSource::WebIdentity {
                role_arn: identity.role_arn.clone(),
            },
            duration,
            reply,
        )
    }
}

/// The token in `path`, read by the crate's bounded reader, surrounding whitespace removed.
fn read_token(path: &Path) -> Result<String, CredentialsError> {
    let fail = |detail: String| {
        CredentialsError::invalid(
            NAME,
            format!(
                "web identity token file {}: {detail}; check TKE_WEB_IDENTITY_TOKEN_FILE and the \
                 volume it names",
                path.display()
            ),
        )
    };
    let bytes = read_file(path, MAX_CREDENTIALS_FILE_BYTES)
        .map_err(|e| fail(format!("cannot read: {e}")).with_source(e))?;
    let text = std::str::from_utf8(&bytes).map_err(|_| fail("not UTF-8 text".into()))?;
    let token = text.trim();
    if token.is_empty() {
        return Err(fail("holds no token".into()));
    }
    if token.chars().any(char::is_control) {
        return Err(fail(
            "holds more than one token, or control characters".into(),
        ));
    }
    Ok(token.to_owned())
}

impl fmt::Debug for WebIdentityProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The token file's path and the role are not secrets; the token is never read here.
        let source = match &self.fixed {
            None => "TKE_* environment".to_owned(),
            Some(i) => format!("{i:?}"),
        };
        f.debug_struct("WebIdentityProvider")
            .field("source", &format_args!("{source}"))
            .field("session_name", &self.session_name)
            .field("sts", &self.sts)
            .field(
                "cached_until",
                &format_args!("{}", self.cache.cached_until()),
            )
            .finish()
    }
}

impl ProvideCredentials for WebIdentityProvider {
    fn provide(&self) -> Result<Credentials, CredentialsError> {
        // Not configured is answered without touching the cache or the network.
        if self.fixed.is_none() {
            self.identity()?;
        }
        let now = self.sts.context.unix_now();
        self.cache
            .get(now, self.sts.refresh_window(), || self.fetch())
    }

    fn name(&self) -> &'static str {
        NAME
    }

    fn use_network(&self, network: &Network) {
        self.sts.hand(network);
    }
}

/// The credentials of the unsigned exchange's pipeline: never asked, since the action is sent
/// unsigned; says so if it ever were.
#[derive(Debug)]
struct Unsigned;

impl ProvideCredentials for Unsigned {
    fn provide(&self) -> Result<Credentials, CredentialsError> {
        Err(CredentialsError::invalid(
            NAME,
            "the web-identity exchange is sent unsigned",
        ))
    }

    fn name(&self) -> &'static str {
        "unsigned"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::CredentialsErrorKind::{InvalidConfiguration, NotLoaded};
    use crate::credentials::test_support::context;
    use std::time::Duration;
    use tc_redis_test_support::TempDir;

    fn from(vars: &[(&str, &str)]) -> WebIdentityProvider {
        WebIdentityProvider::from_env().with_context(context(vars))
    }

    #[test]
    fn no_tke_variable_means_not_loaded() {
        let e = from(&[]).provide().unwrap_err();
        assert_eq!(e.kind(), NotLoaded, "{e:?}");
        assert!(e.to_string().starts_with("tke-oidc: TKE_REGION"), "{e}");
    }

    #[test]
    fn some_tke_variables_is_an_error_naming_the_missing_ones() {
        let e = from(&[("TKE_REGION", "ap-guangzhou"), ("TKE_ROLE_ARN", "qcs::x")])
            .provide()
            .unwrap_err();
        assert_eq!(e.kind(), InvalidConfiguration, "{e:?}");
        assert_eq!(
            e.to_string(),
            "tke-oidc: TKE_REGION, TKE_ROLE_ARN set but TKE_PROVIDER_ID, \
             TKE_WEB_IDENTITY_TOKEN_FILE not; set all four TKE_* variables, or none"
        );
    }

    #[test]
    #[cfg(unix)]
    fn a_tke_variable_that_is_not_utf8_is_an_error_naming_it() {
        use std::os::unix::ffi::OsStringExt;
        let env = crate::env::Env::from_pairs([(
            "TKE_ROLE_ARN",
            std::ffi::OsString::from_vec(vec![b'q', 0xFF]),
        )]);
        let e = WebIdentityProvider::from_env()
            .with_context(ProviderContext::new().with_env(env))
            .provide()
            .unwrap_err();
        assert_eq!(e.kind(), InvalidConfiguration);
        assert_eq!(
            e.to_string(),
            "tke-oidc: TKE_ROLE_ARN is set but is not valid UTF-8; set it again"
        );
    }

    #[test]
    fn the_token_file_must_be_a_small_regular_file_with_a_token() {
        let dir = TempDir::new("oidc-token");
        let token = dir.write("token", "eyJhbGciOi.payload.sig\n");
        assert_eq!(read_token(&token).unwrap(), "eyJhbGciOi.payload.sig");
        let check = |path: &Path, expected: &str| {
            let e = read_token(path).unwrap_err();
            assert_eq!(e.kind(), InvalidConfiguration);
            let shown = e.to_string();
            assert!(
                shown.starts_with(&format!(
                    "tke-oidc: web identity token file {}: ",
                    path.display()
                )) && shown.contains(expected),
                "{shown} vs {expected}"
            );
        };
        dir.write("token", " \n");
        check(&token, "holds no token");
        dir.write("token", "a.b.c\nd.e.f\n");
        check(&token, "holds more than one token");
        dir.write("token", "x".repeat(70 * 1024));
        check(&token, "larger than 65536 bytes");
        check(dir.path(), "it is a directory, not a regular file");
        check(Path::new("/dev/zero"), "it is a character device");
        check(&dir.join("missing"), "cannot read");
        #[cfg(unix)]
        {
            let fifo = dir.fifo("fifo");
            let start = std::time::Instant::now();
            check(&fifo, "it is a FIFO");
            assert!(start.elapsed() < Duration::from_secs(1));
        }
    }
}
