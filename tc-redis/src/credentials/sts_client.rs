//! [`StsClient`]: how the two STS providers (`assume_role.rs`, `web_identity.rs`) reach STS and
//! for how long they ask, and what they make of its answer.
//!
//! The exchange goes through the crate's request pipeline on the network of the client the
//! provider signs for (handed over by `ClientBuilder::build`), so it is signed, routed
//! (`sts.<root domain>`), proxied, verified against the client's roots and CAs, retried and
//! bounded like any call. The provider's own settings win: a network in its context, an STS
//! endpoint of its own.

use super::expiry::checked_expiry;
use super::provider_context::HandedNetwork;
use super::refresh::Expiring;
use super::{CredentialSource, Credentials, CredentialsError, ProvideCredentials, ProviderContext};
use crate::action::ErrorCode;
use crate::error::{Error, TransportErrorKind};
use crate::escape::Escaped;
use crate::network::Network;
use crate::pipeline::Pipeline;
use crate::sts::Credentials as IssuedCredentials;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// The builder methods of the STS settings both STS providers have (a field `sts: StsClient`),
/// written once for `AssumeRoleProvider` and `WebIdentityProvider`.
macro_rules! sts_settings {
    () => {
        /// How long the credentials live (`DurationSeconds`, 1 to 43200 s; default 7200 s).
        pub fn with_duration(mut self, duration: std::time::Duration) -> Self {
            self.sts.duration = duration;
            self
        }

        /// Sends to this STS endpoint (a private endpoint, a test fake), `https://host[:port]`,
        /// instead of the one the client's network picks.
        pub fn with_endpoint(mut self, endpoint: impl Into<String>) -> Self {
            self.sts.endpoint = Some(endpoint.into());
            self
        }

        /// Allows an `http://` endpoint (loopback testing only; the client's transport must
        /// allow it too).
        pub fn allow_plain_http(mut self, allow: bool) -> Self {
            self.sts.allow_plain_http = allow;
            self
        }
    };
}
pub(crate) use sts_settings;

/// Longest lifetime STS grants (`DurationSeconds` at most 43200 s, as the official SDKs check).
const MAX_DURATION: Duration = Duration::from_secs(43_200);
/// The official SDKs' default `DurationSeconds`.
const DEFAULT_DURATION: Duration = Duration::from_secs(7_200);

/// One STS provider's way to STS.
pub(super) struct StsClient {
    /// The provider's name, for messages.
    provider: &'static str,
    pub(super) context: ProviderContext,
    pub(super) endpoint: Option<String>,
    pub(super) allow_plain_http: bool,
    pub(super) duration: Duration,
    network: HandedNetwork,
}

impl fmt::Debug for StsClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StsClient")
            .field("endpoint", &self.endpoint)
            .field("allow_plain_http", &self.allow_plain_http)
            .field("duration", &self.duration)
            .field("network", &self.network.get(&self.context))
            .finish_non_exhaustive()
    }
}

impl StsClient {
    pub(super) fn new(provider: &'static str, context: ProviderContext) -> StsClient {
        StsClient {
            provider,
            context,
            endpoint: None,
            allow_plain_http: false,
            duration: DEFAULT_DURATION,
            network: HandedNetwork::default(),
        }
    }

    /// Keeps the network of the client the provider signs for.
    pub(super) fn hand(&self, network: &Network) {
        self.network.hand(network);
    }

    /// `DurationSeconds`, checked against STS's range before anything is sent.
    pub(super) fn duration_seconds(&self) -> Result<u64, CredentialsError> {
        let secs = self.duration.as_secs();
        if secs == 0 || self.duration > MAX_DURATION {
            return Err(CredentialsError::invalid(
                self.provider,
                format!(
                    "duration {secs} s is outside STS's range of 1 to {} s",
                    MAX_DURATION.as_secs()
                ),
            ));
        }
        Ok(secs)
    }

    /// Refresh this many seconds before expiry: a tenth of the lifetime, as the official SDKs do.
    pub(super) fn refresh_window(&self) -> i64 {
        (self.duration.as_secs() / 10).max(1) as i64
    }

    /// A pipeline for one exchange: in `region`, signing with `credentials` (not asked for an
    /// unsigned action), on the network in force, to the provider's endpoint if it has one.
    pub(super) fn pipeline(
        &self,
        region: &str,
        credentials: Arc<dyn ProvideCredentials>,
    ) -> Result<Pipeline, CredentialsError> {
        let config = |e: crate::error::ConfigError| {
            CredentialsError::invalid(self.provider, format!("STS: {e}")).with_source(e)
        };
        let network = self
            .network
            .get_or_make(&self.context, || {
                Network::standalone(self.allow_plain_http, self.context.env())
            })
            .map_err(config)?;
        let network = network
            .for_provider(self.endpoint.as_deref(), self.allow_plain_http)
            .map_err(config)?;
        Ok(Pipeline::new(
            network,
            Some(region.to_owned()),
            credentials,
            self.context.shared_clock(),
        ))
    }

    /// What STS answered to `action` for `role_arn`: the credentials it issued, checked and
    /// cached until their `expired_time` (no later than the `requested_secs` asked for), or an
    /// error that names the action, the role and what to do.
    pub(super) fn issued<C: ErrorCode + 'static>(
        &self,
        action: &'static str,
        role_arn: &str,
        source: CredentialSource,
        requested_secs: u64,
        reply: Result<(IssuedCredentials, i64), Error<C>>,
    ) -> Result<Expiring, CredentialsError> {
        let (issued, expired_time) = reply.map_err(|e| self.failed(action, role_arn, e))?;
        let origin = format!("STS {action} for role {role_arn}");
        let expires_at = checked_expiry(
            self.provider,
            &origin,
            self.context.unix_now(),
            expired_time,
            i64::try_from(requested_secs).unwrap_or(i64::MAX),
        )?;
        // A missing TmpSecretId (an identifier, so `None`) is an empty one: refused just below.
        let credentials = Credentials::new(
            issued.tmp_secret_id.unwrap_or_default(),
            issued.tmp_secret_key,
        )
        .and_then(|c| c.with_token(issued.token))
        .map_err(|e| {
            CredentialsError::provider_error(
                self.provider,
                format!("{origin}: the issued credentials are malformed: {e}"),
            )
            .with_source(e)
        })?;
        Ok(Expiring {
            credentials: credentials.with_source(source),
            expires_at,
        })
    }

    /// Why the exchange gave nothing, the call's error kept as the source.
    fn failed<C: ErrorCode + 'static>(
        &self,
        action: &'static str,
        role_arn: &str,
        e: Error<C>,
    ) -> CredentialsError {
        use super::CredentialsErrorKind as Kind;
        let what = format!("{action} for role {role_arn}");
        let (kind, message) = match &e {
            Error::Api(api) => (
                Kind::ProviderError,
                format!(
                    "{what} refused: {}: {} (request id {}); fix what the code names: the role, \
                     its trust policy, the token or the source credentials",
                    Escaped(api.code.as_str()),
                    Escaped(&api.message),
                    Escaped(&api.request_id)
                ),
            ),
            Error::Transport(t) if t.kind == TransportErrorKind::Timeout => {
                (Kind::TimedOut, format!("{what} timed out: {e}"))
            }
            // The source credentials of an assumed role: their own kind (not there, misconfigured).
            Error::Credentials(inner) => (
                inner.kind(),
                format!("{what}: no source credentials to sign it: {inner}"),
            ),
            Error::Config(_) => (Kind::InvalidConfiguration, format!("{what}: {e}")),
            _ => (Kind::ProviderError, format!("{what} failed: {e}")),
        };
        CredentialsError::new(kind, self.provider, message).with_source(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::CredentialsErrorKind;
    use crate::credentials::test_support::context;

    #[test]
    fn durations_outside_the_sts_range_are_refused_before_sending() {
        let mut sts = StsClient::new("assume-role", context(&[]));
        for secs in [0, 43_201] {
            sts.duration = Duration::from_secs(secs);
            let e = sts.duration_seconds().unwrap_err();
            assert_eq!(e.kind(), CredentialsErrorKind::InvalidConfiguration);
            assert_eq!(
                e.to_string(),
                format!("assume-role: duration {secs} s is outside STS's range of 1 to 43200 s")
            );
        }
        let sts = StsClient::new("assume-role", context(&[]));
        assert_eq!(sts.duration_seconds().unwrap(), 7_200);
        assert_eq!(sts.refresh_window(), 720);
    }
}
