//! [`WebIdentityProvider`]: TKE workload identity, an OIDC token exchanged with STS
//! `AssumeRoleWithWebIdentity` for temporary credentials of a CAM role.

use super::refresh::{Expiring, RefreshingCache};
use super::sts::{StsError, StsSettings, issued};
use super::{
    CredentialSource, Credentials, CredentialsError, Lookup, ProvideCredentials, non_empty,
    process_env,
};
use crate::Action;
use crate::clock::Clock;
use crate::sts::AssumeRoleWithWebIdentityRequest;
use std::fmt;
use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Largest token file read: a service-account JWT is one or two KiB.
const MAX_TOKEN_FILE: u64 = 64 * 1024;

/// What the exchange needs: from the `TKE_*` variables or given in code.
#[derive(Debug, Clone)]
struct Identity {
    region: String,
    provider_id: String,
    token_file: PathBuf,
    role_arn: String,
}

enum Source {
    /// Read at every refresh, as the official Go SDK does.
    Env(Lookup),
    Fixed(Identity),
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
/// [`from_env`](Self::from_env) applies only when they are set: none set is
/// [`CredentialsError::NotConfigured`] (the default chain moves on), some but not all is
/// [`StsError::TkeIncomplete`] (the chain stops: a half-configured pod must not silently run as
/// its node's instance role).
///
/// The token is sent with `AssumeRoleWithWebIdentity`, which the API takes unsigned (no other
/// credentials are needed). The credentials are cached and exchanged again when a tenth of their
/// lifetime remains (default 7200 s), one caller at a time while the others keep using the
/// still-valid ones.
pub struct WebIdentityProvider {
    source: Source,
    session_name: Option<String>,
    settings: StsSettings,
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
        WebIdentityProvider::with_source(Source::Env(process_env()))
    }

    /// [`from_env`](Self::from_env) with another variable lookup (tests, or a configuration
    /// that is not the environment).
    pub fn with_lookup(lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'static) -> Self {
        WebIdentityProvider::with_source(Source::Env(super::string_lookup(lookup)))
    }

    /// Explicit settings: exchange the token in `token_file` (re-read at each refresh) from
    /// identity provider `provider_id` for role `role_arn`, calling STS with `region`.
    pub fn new(
        region: impl Into<String>,
        provider_id: impl Into<String>,
        token_file: impl Into<PathBuf>,
        role_arn: impl Into<String>,
    ) -> Self {
        WebIdentityProvider::with_source(Source::Fixed(Identity {
            region: region.into(),
            provider_id: provider_id.into(),
            token_file: token_file.into(),
            role_arn: role_arn.into(),
        }))
    }

    fn with_source(source: Source) -> Self {
        WebIdentityProvider {
            source,
            session_name: None,
            settings: StsSettings::default(),
            cache: RefreshingCache::new(),
        }
    }

    /// The session name (default `tc-redis-<unix seconds>` at each exchange).
    pub fn with_session_name(mut self, name: impl Into<String>) -> Self {
        self.session_name = Some(name.into());
        self
    }

    /// How long the credentials live (`DurationSeconds`, 1 to 43200 s; default 7200 s).
    pub fn with_duration(mut self, duration: Duration) -> Self {
        self.settings.duration = duration;
        self
    }

    /// Sends to this STS endpoint (a private endpoint, a test fake) instead of
    /// `sts.tencentcloudapi.com`; `https://host[:port]`.
    pub fn with_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.settings.endpoint = Some(endpoint.into());
        self
    }

    /// Allows an `http://` endpoint (loopback testing only).
    pub fn allow_plain_http(mut self, allow: bool) -> Self {
        self.settings.allow_plain_http = allow;
        self
    }

    /// Reads the time (for expiry and request timestamps) from `clock` (tests).
    pub fn with_clock(mut self, clock: impl Clock + 'static) -> Self {
        self.settings.clock = Arc::new(clock);
        self
    }

    /// The settings now: the fixed ones, or the `TKE_*` variables.
    fn identity(&self) -> Result<Identity, CredentialsError> {
        let lookup = match &self.source {
            Source::Fixed(identity) => return Ok(identity.clone()),
            Source::Env(lookup) => lookup,
        };
        let vars = [
            Self::REGION_VAR,
            Self::PROVIDER_ID_VAR,
            Self::TOKEN_FILE_VAR,
            Self::ROLE_ARN_VAR,
        ];
        // A variable that is not UTF-8 is an error naming it, never "unset".
        let values = vars
            .iter()
            .map(|var| {
                non_empty(lookup, var)
                    .map(|v| v.into_string())
                    .transpose()
                    .map_err(|_| CredentialsError::EnvNotUnicode { var })
            })
            .collect::<Result<Vec<Option<String>>, _>>()?;
        let (present, missing): (Vec<_>, Vec<_>) = vars
            .iter()
            .zip(&values)
            .partition(|(_, value)| value.is_some());
        let present: Vec<&'static str> = present.into_iter().map(|(v, _)| *v).collect();
        let missing: Vec<&'static str> = missing.into_iter().map(|(v, _)| *v).collect();
        if present.is_empty() {
            return Err(CredentialsError::NotConfigured {
                provider: "tke-oidc",
                detail: "TKE_REGION, TKE_PROVIDER_ID, TKE_WEB_IDENTITY_TOKEN_FILE and \
                         TKE_ROLE_ARN not set"
                    .to_owned(),
            });
        }
        if !missing.is_empty() {
            return Err(StsError::TkeIncomplete { present, missing }.into());
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
        let duration = self.settings.duration_seconds()?;
        let token = read_token(&identity.token_file)?;
        let session_name = match &self.session_name {
            Some(name) => name.clone(),
            None => format!("tc-redis-{}", self.settings.now()),
        };
        // The exchange is unsigned: the client asks this provider nothing.
        let client = self.settings.client(&identity.region, Arc::new(Unsigned))?;
        let request = AssumeRoleWithWebIdentityRequest::new(
            identity.provider_id.as_str(),
            token,
            identity.role_arn.as_str(),
            session_name,
        )
        .with_duration_seconds(i64::try_from(duration).unwrap_or(i64::MAX));
        let reply = client.call(&request).map(|r| {
            let expired = i64::try_from(r.expired_time).unwrap_or(i64::MAX);
            (r.credentials, expired)
        });
        issued(
            <AssumeRoleWithWebIdentityRequest as Action>::NAME,
            &identity.role_arn,
            CredentialSource::WebIdentity {
                role_arn: identity.role_arn.clone(),
            },
            reply,
            &self.settings,
            duration,
        )
    }
}

/// The token in `path`: a regular file (checked before opening, so that a FIFO or a device
/// never blocks), at most [`MAX_TOKEN_FILE`] bytes, surrounding whitespace removed.
fn read_token(path: &std::path::Path) -> Result<String, StsError> {
    let fail = |detail: String| StsError::TokenFile {
        path: path.to_owned(),
        detail,
    };
    let meta = std::fs::metadata(path).map_err(|e| fail(format!("cannot read: {e}")))?;
    if !meta.is_file() {
        return Err(fail("not a regular file".into()));
    }
    if meta.len() > MAX_TOKEN_FILE {
        return Err(fail(format!("larger than {MAX_TOKEN_FILE} bytes")));
    }
    let mut text = String::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_TOKEN_FILE + 1).read_to_string(&mut text))
        .map_err(|e| fail(format!("cannot read: {e}")))?;
    let token = text.trim();
    if token.is_empty() {
        return Err(fail("holds no token".into()));
    }
    if token.len() as u64 > MAX_TOKEN_FILE || token.chars().any(char::is_control) {
        return Err(fail(
            "holds more than one token, or control characters".into(),
        ));
    }
    Ok(token.to_owned())
}

impl fmt::Debug for WebIdentityProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let source = match &self.source {
            Source::Env(_) => "TKE_* environment".to_owned(),
            // The token file's path and the role are not secrets; the token is never read here.
            Source::Fixed(i) => format!("{i:?}"),
        };
        f.debug_struct("WebIdentityProvider")
            .field("source", &format_args!("{source}"))
            .field("session_name", &self.session_name)
            .field("settings", &self.settings)
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
        if let Source::Env(_) = self.source {
            self.identity()?;
        }
        let now = self.settings.now();
        self.cache
            .get(now, self.settings.refresh_window(), || self.fetch())
    }

    fn name(&self) -> &'static str {
        "tke-oidc"
    }
}

/// The credentials of the unsigned exchange's client: never asked, since the action is sent
/// unsigned; says so if it ever were.
#[derive(Debug)]
struct Unsigned;

impl ProvideCredentials for Unsigned {
    fn provide(&self) -> Result<Credentials, CredentialsError> {
        Err(CredentialsError::NotConfigured {
            provider: "tke-oidc",
            detail: "the web-identity exchange is sent unsigned".to_owned(),
        })
    }

    fn name(&self) -> &'static str {
        "unsigned"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(vars: &[(&'static str, &'static str)]) -> WebIdentityProvider {
        let vars = vars.to_vec();
        WebIdentityProvider::with_lookup(move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        })
    }

    #[test]
    fn no_tke_variable_means_not_configured() {
        let e = lookup(&[]).provide().unwrap_err();
        assert!(e.does_not_apply(), "{e:?}");
        assert!(e.to_string().starts_with("tke-oidc: TKE_REGION"), "{e}");
    }

    #[test]
    fn some_tke_variables_is_an_error_naming_the_missing_ones() {
        let e = lookup(&[("TKE_REGION", "ap-guangzhou"), ("TKE_ROLE_ARN", "qcs::x")])
            .provide()
            .unwrap_err();
        assert!(!e.does_not_apply(), "{e:?}");
        assert_eq!(
            e.to_string(),
            "tke-oidc: TKE_REGION, TKE_ROLE_ARN set but TKE_PROVIDER_ID, \
             TKE_WEB_IDENTITY_TOKEN_FILE not; set all four TKE_* variables, or none"
        );
    }

    #[test]
    fn the_token_file_must_be_a_small_regular_file_with_a_token() {
        let dir = std::env::temp_dir().join(format!("tc-redis-oidc-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let token = dir.join("token");
        std::fs::write(&token, "eyJhbGciOi.payload.sig\n").unwrap();
        assert_eq!(read_token(&token).unwrap(), "eyJhbGciOi.payload.sig");
        std::fs::write(&token, " \n").unwrap();
        assert!(
            read_token(&token)
                .unwrap_err()
                .to_string()
                .contains("holds no token")
        );
        std::fs::write(&token, "x".repeat(70 * 1024)).unwrap();
        assert!(
            read_token(&token)
                .unwrap_err()
                .to_string()
                .contains("larger than")
        );
        let e = read_token(&dir).unwrap_err().to_string();
        assert!(e.contains("not a regular file"), "{e}");
        let e = read_token(std::path::Path::new("/dev/zero"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("not a regular file"), "{e}");
        let e = read_token(&dir.join("missing")).unwrap_err().to_string();
        assert!(e.contains("cannot read"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
