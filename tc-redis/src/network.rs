//! How a client reaches a host: one value, [`Network`], built by
//! [`ClientBuilder::build`](crate::ClientBuilder::build) from its settings (trust roots and extra
//! CAs, proxy, root domain, endpoint override, timeouts, user agent, the reply size cap, plain
//! http) and inherited by every client the library builds for the caller.
//!
//! The STS exchange of `AssumeRoleProvider` and `WebIdentityProvider` goes out through the same
//! transport (so the same roots, CAs, proxy and timeouts) to `sts.<root domain>` (the endpoint
//! given to the builder is for the client's own calls; a provider's own endpoint wins); the
//! CVM metadata agent takes the user agent and never waits longer than the client would (see
//! `CvmRoleProvider`). The builder hands its
//! network to its credentials provider
//! ([`ProvideCredentials::use_network`](crate::credentials::ProvideCredentials::use_network)).

use crate::endpoint::{self, Endpoint};
use crate::error::ConfigError;
use crate::tls::{CaSource, TlsRoots, TrustStore};
use crate::transport::{Transport, UreqSettings, UreqTransport};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// Default connect timeout. The official SDKs use one 60 s timeout for everything; connecting
/// takes far less, and a dead endpoint should fail fast.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default timeout of a whole call (connect, send, receive), as in the official SDKs.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// Default cap on a response body; a larger one is refused unread.
///
/// The largest documented Redis response is DescribeInstances at its largest page (`Limit`
/// 1000): Tencent's example instance is about 2.9 KB of compact JSON, so about 3 MB for a full
/// page. 8 MiB leaves room for instances with many tags and nodes; the default build's actions
/// (CleanUpInstance, DescribeTaskInfo) answer in under 1 KiB. Parsing costs a small multiple of
/// the body (`tests/client/tests/response_memory.rs`), so one call holds a few tens of MiB at
/// worst.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 8 * 1024 * 1024;
/// The longest `connect_timeout` or `timeout` [`ClientBuilder::build`](crate::ClientBuilder::build)
/// accepts: a day. Longer ones are refused (and `Duration::MAX` would overflow the clock on the
/// first call).
pub const MAX_TIMEOUT: Duration = Duration::from_secs(24 * 60 * 60);

/// The `User-Agent` and `X-TC-RequestClient` of this crate.
pub(crate) const USER_AGENT: &str = concat!("tc-redis/", env!("CARGO_PKG_VERSION"));

/// How a client reaches hosts: its transport (with the trust roots and CAs, the proxy, the
/// timeouts, the user agent and the reply size cap it was built with) and the rules that pick
/// each service's endpoint. Built by [`ClientBuilder::build`](crate::ClientBuilder::build);
/// [`Client::network`](crate::Client::network) returns it. Cheap to clone: clones share the
/// transport and its connection pool.
///
/// A credentials provider that sends requests of its own (STS, the metadata service) takes the
/// network of the client it signs for; to give one to a provider used outside a client, put it
/// in its [`ProviderContext`](crate::credentials::ProviderContext::with_network).
#[derive(Clone)]
pub struct Network {
    transport: Arc<dyn Transport>,
    /// Every action goes here when set (the builder's `endpoint`).
    explicit_endpoint: Option<Arc<Endpoint>>,
    root_domain: String,
    connect_timeout: Duration,
    timeout: Duration,
}

impl fmt::Debug for Network {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Network")
            .field("transport", &self.transport)
            .field("endpoint", &self.explicit_endpoint.as_ref().map(|e| &e.url))
            .field("root_domain", &self.root_domain)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl Network {
    /// The network of a client built with the defaults (Mozilla's roots, the environment's
    /// proxy, `tencentcloudapi.com`), plain http allowed or not: what a provider used outside
    /// any client, with no network in its context, sends with.
    #[cfg(feature = "credentials-sts")]
    pub(crate) fn standalone(allow_plain_http: bool) -> Result<Network, ConfigError> {
        NetworkSettings {
            allow_plain_http,
            ..NetworkSettings::default()
        }
        .build()
    }

    /// The transport every request goes out through.
    pub(crate) fn transport(&self) -> &Arc<dyn Transport> {
        &self.transport
    }

    /// Where an action of `service` goes for `region`: the explicit endpoint, else the
    /// service's own under the root domain (`<service>.<region>.<root>` for a financial zone).
    pub(crate) fn endpoint_for(&self, service: &str, region: Option<&str>) -> Arc<Endpoint> {
        match &self.explicit_endpoint {
            Some(explicit) => Arc::clone(explicit),
            None => Arc::new(endpoint::default_for(service, region, &self.root_domain)),
        }
    }

    /// The network a credentials provider's STS exchange goes out on: this one's transport and
    /// rules (roots and CAs, proxy, timeouts, root domain), to `endpoint` when the provider has
    /// one of its own (checked as the builder checks its own), else to STS's host under the
    /// root domain. Never to the endpoint given to the builder: that one is where the client's
    /// own calls go (a gateway for Redis, a test fake), which need not serve STS.
    #[cfg(feature = "credentials-sts")]
    pub(crate) fn for_provider(
        &self,
        endpoint: Option<&str>,
        allow_plain_http: bool,
    ) -> Result<Network, ConfigError> {
        let explicit_endpoint = match endpoint {
            Some(e) => Some(Arc::new(endpoint::parse(e, allow_plain_http)?)),
            None => None,
        };
        Ok(Network {
            explicit_endpoint,
            ..self.clone()
        })
    }

    /// The connect timeout the client was built with.
    #[cfg(feature = "credentials-cvm")]
    pub(crate) fn connect_timeout(&self) -> Duration {
        self.connect_timeout
    }

    /// The timeout of one whole attempt the client was built with.
    #[cfg(feature = "credentials-cvm")]
    pub(crate) fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The `User-Agent` and `X-TC-RequestClient` sent.
    pub(crate) fn user_agent(&self) -> &'static str {
        USER_AGENT
    }
}

/// The builder's network settings, as given; [`build`](Self::build) checks them all and makes
/// the [`Network`].
#[derive(Default)]
pub(crate) struct NetworkSettings {
    pub(crate) endpoint: Option<String>,
    pub(crate) allow_plain_http: bool,
    pub(crate) connect_timeout: Option<Duration>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) max_response_bytes: Option<u64>,
    pub(crate) proxy: Option<String>,
    pub(crate) root_domain: Option<String>,
    pub(crate) tls_roots: Option<TlsRoots>,
    pub(crate) ca_certificates: Vec<CaSource>,
    pub(crate) transport: Option<Arc<dyn Transport>>,
}

impl fmt::Debug for NetworkSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NetworkSettings")
            .field(
                "endpoint",
                &self.endpoint.as_deref().map(crate::proxy::redact),
            )
            .field("allow_plain_http", &self.allow_plain_http)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("proxy", &self.proxy.as_deref().map(crate::proxy::redact))
            .field("root_domain", &self.root_domain)
            .field("tls_roots", &self.tls_roots)
            .field("ca_certificates", &self.ca_certificates)
            .field("transport", &self.transport)
            .finish()
    }
}

impl NetworkSettings {
    /// Checks every setting and builds the transport. Sends nothing.
    pub(crate) fn build(&self) -> Result<Network, ConfigError> {
        // Checked even when an explicit endpoint wins: a typo is reported, not silently unused.
        let root_domain = match self.root_domain.as_deref() {
            Some(d) => endpoint::check_root_domain(d)?,
            None => endpoint::DEFAULT_ROOT_DOMAIN.to_owned(),
        };
        let explicit_endpoint = match self.endpoint.as_deref() {
            Some(e) => Some(Arc::new(endpoint::parse(e, self.allow_plain_http)?)),
            None => None,
        };
        let connect_timeout = positive(
            "connect_timeout",
            self.connect_timeout,
            DEFAULT_CONNECT_TIMEOUT,
        )?;
        let timeout = positive("timeout", self.timeout, DEFAULT_TIMEOUT)?;
        let max_response_bytes = match self.max_response_bytes {
            Some(0) => {
                return Err(ConfigError::InvalidSetting {
                    setting: "max_response_bytes",
                    reason: "must be at least 1".to_owned(),
                });
            }
            other => other.unwrap_or(DEFAULT_MAX_RESPONSE_BYTES),
        };
        let transport: Arc<dyn Transport> = match &self.transport {
            Some(t) => Arc::clone(t),
            None => Arc::new(UreqTransport::new(&UreqSettings {
                connect_timeout,
                timeout,
                max_response_bytes,
                // Read and checked whole now; applied to each service's host at its first call.
                proxy: crate::proxy::ProxyRules::from_builder_or_env(
                    self.proxy.as_deref(),
                    self.allow_plain_http,
                )?,
                trust: TrustStore::resolve(self.tls_roots, &self.ca_certificates)?,
                https_only: !self.allow_plain_http,
                user_agent: USER_AGENT.to_owned(),
            })?),
        };
        Ok(Network {
            transport,
            explicit_endpoint,
            root_domain,
            connect_timeout,
            timeout,
        })
    }
}

/// A timeout setting: longer than zero, at most [`MAX_TIMEOUT`], else `default`.
fn positive(
    setting: &'static str,
    value: Option<Duration>,
    default: Duration,
) -> Result<Duration, ConfigError> {
    match value {
        Some(d) if d.is_zero() => Err(ConfigError::InvalidSetting {
            setting,
            reason: "must be longer than zero".to_owned(),
        }),
        Some(d) if d > MAX_TIMEOUT => Err(ConfigError::InvalidSetting {
            setting,
            reason: format!("{d:?} is longer than the longest accepted, {MAX_TIMEOUT:?} (a day)"),
        }),
        Some(d) => Ok(d),
        None => Ok(default),
    }
}
