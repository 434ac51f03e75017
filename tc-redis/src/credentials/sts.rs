//! Temporary credentials from STS: [`AssumeRoleProvider`] (any source credentials assume a
//! role), the plumbing it shares with [`WebIdentityProvider`](super::WebIdentityProvider), and
//! [`StsError`].
//!
//! Both send the generated `tc_redis::sts` actions through an ordinary [`Client`], so the
//! exchange is signed, routed (`sts.tencentcloudapi.com`), retried and bounded like any call.

use super::expiry::clamped_expiry;
use super::refresh::{Expiring, RefreshingCache};
use super::{CredentialSource, Credentials, CredentialsError, ProvideCredentials};
use crate::clock::{Clock, SystemClock};
use crate::error::{ConfigError, Error};
use crate::sts::{AssumeRoleRequest, Credentials as StsCredentials};
use crate::{Action, Client, ErrorCode};
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Longest lifetime STS grants (`DurationSeconds` at most 43200 s, as the official SDKs check).
pub(super) const MAX_DURATION: Duration = Duration::from_secs(43_200);
/// The official SDKs' default `DurationSeconds`.
pub(super) const DEFAULT_DURATION: Duration = Duration::from_secs(7_200);
/// The region the official SDKs send STS calls with when none is given.
const DEFAULT_REGION: &str = "ap-guangzhou";

/// Why STS gave no credentials. Inside [`CredentialsError::Sts`].
#[derive(Debug)]
#[non_exhaustive]
pub enum StsError {
    /// STS answered with an error: the role does not exist or does not trust the caller, the
    /// web-identity token is invalid or expired, the source credentials are refused. Fix what
    /// the code names (the request id is for Tencent support).
    Refused {
        /// The action sent (`AssumeRole`, `AssumeRoleWithWebIdentity`).
        action: &'static str,
        /// The role asked for.
        role_arn: String,
        /// `Response.Error.Code`.
        code: String,
        /// The server's message.
        message: String,
        /// The request id.
        request_id: String,
    },
    /// STS could not be reached or answered with something that is not an API reply (a
    /// connection refused, a timeout, an HTTP error page, a malformed body, no source
    /// credentials). Check the endpoint and the network; the detail says which.
    Failed {
        /// The action sent.
        action: &'static str,
        /// The role asked for.
        role_arn: String,
        /// What went wrong (never a secret).
        detail: String,
    },
    /// STS answered with credentials that had already expired (`ExpiredTime` not after now):
    /// this machine's clock or STS's is wrong. Check the system clock (NTP).
    Expired {
        /// The role asked for.
        role_arn: String,
        /// The `ExpiredTime` received (Unix seconds).
        expired_time: i64,
        /// The local time (Unix seconds).
        now: i64,
    },
    /// The provider's settings cannot work: an endpoint that is not a URL, a duration outside
    /// 1..=43200 s. Fix the setting named.
    Config {
        /// What is wrong.
        detail: String,
    },
    /// Some of the TKE workload-identity variables are set, but not all: the pod is half
    /// configured. Set the missing ones (TKE's pod identity webhook sets all four), or unset all.
    TkeIncomplete {
        /// The variables that are set.
        present: Vec<&'static str>,
        /// The variables that are unset or empty.
        missing: Vec<&'static str>,
    },
    /// The web-identity token file could not be read, is not a regular file, is larger than
    /// 64 KiB, or holds no token. Check `TKE_WEB_IDENTITY_TOKEN_FILE` and the volume it names.
    TokenFile {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
}

impl fmt::Display for StsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StsError::Refused {
                action,
                role_arn,
                code,
                message,
                request_id,
            } => write!(
                f,
                "sts: {action} for role {role_arn} refused: {code}: {message} (request id {request_id})"
            ),
            StsError::Failed {
                action,
                role_arn,
                detail,
            } => write!(f, "sts: {action} for role {role_arn} failed: {detail}"),
            StsError::Expired {
                role_arn,
                expired_time,
                now,
            } => write!(
                f,
                "sts: credentials for role {role_arn} arrived already expired (ExpiredTime \
                 {expired_time}, local time {now}); check the system clock"
            ),
            StsError::Config { detail } => write!(f, "sts: {detail}"),
            StsError::TkeIncomplete { present, missing } => write!(
                f,
                "tke-oidc: {} set but {} not; set all four TKE_* variables, or none",
                present.join(", "),
                missing.join(", ")
            ),
            StsError::TokenFile { path, detail } => write!(
                f,
                "tke-oidc: web identity token file {}: {detail}",
                path.display()
            ),
        }
    }
}

impl std::error::Error for StsError {}

impl From<StsError> for CredentialsError {
    fn from(e: StsError) -> Self {
        CredentialsError::Sts(e)
    }
}

/// How a provider reaches STS and for how long it asks: shared by both STS providers.
#[derive(Clone)]
pub(super) struct StsSettings {
    pub(super) endpoint: Option<String>,
    pub(super) allow_plain_http: bool,
    pub(super) clock: Arc<dyn Clock>,
    pub(super) duration: Duration,
}

impl Default for StsSettings {
    fn default() -> Self {
        StsSettings {
            endpoint: None,
            allow_plain_http: false,
            clock: Arc::new(SystemClock),
            duration: DEFAULT_DURATION,
        }
    }
}

impl fmt::Debug for StsSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StsSettings")
            .field("endpoint", &self.endpoint)
            .field("allow_plain_http", &self.allow_plain_http)
            .field("duration", &self.duration)
            .finish_non_exhaustive()
    }
}

impl StsSettings {
    /// Unix seconds now.
    pub(super) fn now(&self) -> i64 {
        i64::try_from(self.clock.now().as_secs()).unwrap_or(i64::MAX)
    }

    /// `DurationSeconds`, checked against STS's range.
    pub(super) fn duration_seconds(&self) -> Result<u64, StsError> {
        let secs = self.duration.as_secs();
        if secs == 0 || self.duration > MAX_DURATION {
            return Err(StsError::Config {
                detail: format!(
                    "duration {secs} s is outside STS's range of 1 to {} s",
                    MAX_DURATION.as_secs()
                ),
            });
        }
        Ok(secs)
    }

    /// Refresh this many seconds before expiry: a tenth of the lifetime, as the official SDKs do.
    pub(super) fn refresh_window(&self) -> i64 {
        (self.duration.as_secs() / 10).max(1) as i64
    }

    /// A client for one exchange: STS's endpoint (or the override), `region`, this clock, and
    /// `credentials` to sign with (not asked for an unsigned action).
    pub(super) fn client(
        &self,
        region: &str,
        credentials: Arc<dyn ProvideCredentials>,
    ) -> Result<Client, StsError> {
        let mut builder = Client::builder()
            .region(region)
            .credentials_provider(credentials)
            .allow_plain_http(self.allow_plain_http)
            .clock(SharedClock(Arc::clone(&self.clock)));
        if let Some(endpoint) = &self.endpoint {
            builder = builder.endpoint(endpoint.clone());
        }
        builder.build().map_err(|e: ConfigError| StsError::Config {
            detail: e.to_string(),
        })
    }
}

/// The provider's clock, shared with the client it builds.
#[derive(Debug)]
struct SharedClock(Arc<dyn Clock>);

impl Clock for SharedClock {
    fn now(&self) -> Duration {
        self.0.now()
    }

    fn monotonic(&self) -> Duration {
        self.0.monotonic()
    }

    fn sleep(&self, duration: Duration) {
        self.0.sleep(duration);
    }
}

/// The typed reply or error of an STS action, turned into cached credentials or an [`StsError`].
pub(super) fn issued<C: ErrorCode>(
    action: &'static str,
    role_arn: &str,
    source: CredentialSource,
    reply: Result<(StsCredentials, i64), Error<C>>,
    settings: &StsSettings,
    requested_secs: u64,
) -> Result<Expiring, CredentialsError> {
    let (issued, expired_time) = reply.map_err(|e| match e {
        Error::Api(api) => StsError::Refused {
            action,
            role_arn: role_arn.to_owned(),
            code: api.code.as_str().to_owned(),
            message: api.message,
            request_id: api.request_id,
        },
        other => StsError::Failed {
            action,
            role_arn: role_arn.to_owned(),
            detail: other.to_string(),
        },
    })?;
    let now = settings.now();
    let expires_at = checked_expiry(role_arn, expired_time, now, requested_secs)?;
    // A missing TmpSecretId (an identifier, so `None`) is an empty one: refused just below.
    let credentials = Credentials::new(
        issued.tmp_secret_id.unwrap_or_default(),
        issued.tmp_secret_key,
    )
    .and_then(|c| c.with_token(issued.token))
    .map(|c| c.with_source(source))
    .map_err(|e| StsError::Failed {
        action,
        role_arn: role_arn.to_owned(),
        detail: format!("the issued credentials are malformed: {e}"),
    })?;
    Ok(Expiring {
        credentials,
        expires_at,
    })
}

/// `expired_time` if it is in the future; no later than `requested_secs` from now, which is all
/// STS can grant (an absurd expiry, such as centuries ahead, would otherwise disable refresh).
fn checked_expiry(
    role_arn: &str,
    expired_time: i64,
    now: i64,
    requested_secs: u64,
) -> Result<i64, StsError> {
    let max_lifetime = i64::try_from(requested_secs).unwrap_or(i64::MAX);
    clamped_expiry(now, expired_time, max_lifetime).ok_or_else(|| StsError::Expired {
        role_arn: role_arn.to_owned(),
        expired_time,
        now,
    })
}

/// Temporary credentials of a CAM role, assumed with `AssumeRole` by any source credentials.
///
/// ```no_run
/// use tc_redis::credentials::{AssumeRoleProvider, EnvProvider};
/// use tc_redis::Client;
///
/// let role = AssumeRoleProvider::new(
///     EnvProvider::new(),
///     "qcs::cam::uin/100000000001:roleName/deployer",
///     "nightly-cleanup",
/// );
/// let client = Client::builder().region("ap-guangzhou").credentials_provider(role).build()?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// The credentials are cached and assumed again when a tenth of their lifetime remains
/// (default lifetime 7200 s, as in the official SDKs): one caller does it while the others
/// keep using the still-valid ones. Sent to `sts.tencentcloudapi.com` in region `ap-guangzhou`
/// (the official SDKs' choice) unless [`with_endpoint`](Self::with_endpoint) /
/// [`with_region`](Self::with_region) say otherwise, signed by the source with service `sts`.
pub struct AssumeRoleProvider {
    source: Arc<dyn ProvideCredentials>,
    role_arn: String,
    session_name: String,
    region: String,
    settings: StsSettings,
    cache: RefreshingCache,
}

impl AssumeRoleProvider {
    /// Assumes `role_arn` (`qcs::cam::uin/<uin>:roleName/<name>`) as session `session_name`,
    /// signing with `source`'s credentials.
    pub fn new(
        source: impl ProvideCredentials + 'static,
        role_arn: impl Into<String>,
        session_name: impl Into<String>,
    ) -> Self {
        AssumeRoleProvider {
            source: Arc::new(source),
            role_arn: role_arn.into(),
            session_name: session_name.into(),
            region: DEFAULT_REGION.to_owned(),
            settings: StsSettings::default(),
            cache: RefreshingCache::new(),
        }
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

    /// The `X-TC-Region` of the STS call (default `ap-guangzhou`).
    pub fn with_region(mut self, region: impl Into<String>) -> Self {
        self.region = region.into();
        self
    }

    /// Reads the time (for expiry and request timestamps) from `clock` (tests).
    pub fn with_clock(mut self, clock: impl Clock + 'static) -> Self {
        self.settings.clock = Arc::new(clock);
        self
    }

    fn fetch(&self) -> Result<Expiring, CredentialsError> {
        let duration = self.settings.duration_seconds()?;
        let client = self
            .settings
            .client(&self.region, Arc::clone(&self.source))?;
        let request = AssumeRoleRequest::new(self.role_arn.as_str(), self.session_name.as_str())
            .with_duration_seconds(duration);
        let reply = client
            .call(&request)
            .map(|r| (r.credentials, r.expired_time));
        issued(
            <AssumeRoleRequest as Action>::NAME,
            &self.role_arn,
            CredentialSource::AssumedRole {
                role_arn: self.role_arn.clone(),
            },
            reply,
            &self.settings,
            duration,
        )
    }
}

impl fmt::Debug for AssumeRoleProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AssumeRoleProvider")
            .field("source", &self.source)
            .field("role_arn", &self.role_arn)
            .field("session_name", &self.session_name)
            .field("region", &self.region)
            .field("settings", &self.settings)
            .field(
                "cached_until",
                &format_args!("{}", self.cache.cached_until()),
            )
            .finish()
    }
}

impl ProvideCredentials for AssumeRoleProvider {
    fn provide(&self) -> Result<Credentials, CredentialsError> {
        let now = self.settings.now();
        self.cache
            .get(now, self.settings.refresh_window(), || self.fetch())
    }

    fn name(&self) -> &'static str {
        "assume-role"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_in_the_past_is_an_error_and_a_far_one_is_clamped() {
        let role = "qcs::cam::uin/1:roleName/r";
        assert!(matches!(
            checked_expiry(role, 999, 1_000, 7200),
            Err(StsError::Expired {
                expired_time: 999,
                now: 1_000,
                ..
            })
        ));
        assert!(checked_expiry(role, 1_000, 1_000, 7200).is_err());
        assert_eq!(checked_expiry(role, 1_500, 1_000, 7200).unwrap(), 1_500);
        assert_eq!(
            checked_expiry(role, i64::MAX, 1_000, 7200).unwrap(),
            8_200,
            "clamped to the requested lifetime"
        );
    }

    #[test]
    fn durations_outside_the_sts_range_are_refused_before_sending() {
        for secs in [0, 43_201] {
            let settings = StsSettings {
                duration: Duration::from_secs(secs),
                ..StsSettings::default()
            };
            let e = settings.duration_seconds().unwrap_err();
            assert!(e.to_string().contains("outside STS's range"), "{secs}: {e}");
        }
        let settings = StsSettings::default();
        assert_eq!(settings.duration_seconds().unwrap(), 7_200);
        assert_eq!(settings.refresh_window(), 720);
    }
}
