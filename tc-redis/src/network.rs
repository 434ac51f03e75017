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

use crate::cancel::Cancel;
pub use crate::endpoint::is_loopback;
use crate::endpoint::{self, Endpoint};
use crate::env::Env;
use crate::error::ConfigError;
#[cfg(feature = "ca-bundle")]
use crate::tls::CaSource;
use crate::tls::{TlsRoots, TrustStore};
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
    /// Every action goes here when set (the builder's `endpoint`), unless its service has an
    /// endpoint of its own in `service_endpoints`.
    explicit_endpoint: Option<Arc<Endpoint>>,
    /// Each service's endpoint, from the builder's `service_endpoint` (ahead of the explicit
    /// endpoint) and from `TENCENTCLOUD_ENDPOINT_URL_<SERVICE>` (behind it).
    service_endpoints: Arc<ServiceEndpoints>,
    root_domain: String,
    connect_timeout: Duration,
    timeout: Duration,
    /// Fired: no new request starts, no wait lasts (the STS exchange's included).
    cancel: Cancel,
}

impl fmt::Debug for Network {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Network")
            .field("transport", &self.transport)
            .field("endpoint", &self.explicit_endpoint.as_ref().map(|e| &e.url))
            .field("service_endpoints", &self.service_endpoints)
            .field("root_domain", &self.root_domain)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("cancel", &self.cancel)
            .finish()
    }
}

impl Network {
    /// The cancellation handle of every client on this network
    /// ([`ClientBuilder::cancel`](crate::ClientBuilder::cancel)).
    pub(crate) fn cancel(&self) -> &Cancel {
        &self.cancel
    }

    /// The network of a client built with the defaults (Mozilla's roots, the environment's
    /// proxy, `tencentcloudapi.com`), plain http allowed or not: what a provider used outside
    /// any client, with no network in its context, sends with.
    #[cfg(feature = "credentials-sts")]
    pub(crate) fn standalone(allow_plain_http: bool, env: &Env) -> Result<Network, ConfigError> {
        NetworkSettings {
            allow_plain_http,
            ..NetworkSettings::default()
        }
        .build(env)
    }

    /// The transport every request goes out through.
    pub(crate) fn transport(&self) -> &Arc<dyn Transport> {
        &self.transport
    }

    /// Where an action of `service` goes for `region`, the first that applies:
    ///
    /// 1. the service's endpoint given to the builder ([`ClientBuilder::service_endpoint`]);
    /// 2. the endpoint given to the builder for every service ([`ClientBuilder::endpoint`]);
    /// 3. the environment's `TENCENTCLOUD_ENDPOINT_URL_<SERVICE>` (the service's name in upper
    ///    case: `TENCENTCLOUD_ENDPOINT_URL_STS`), as `AWS_ENDPOINT_URL_<SERVICE>` in the AWS SDKs;
    /// 4. the service's own host under the root domain (`<service>.<region>.<root>` for a
    ///    financial zone).
    ///
    /// [`ClientBuilder::service_endpoint`]: crate::ClientBuilder::service_endpoint
    /// [`ClientBuilder::endpoint`]: crate::ClientBuilder::endpoint
    pub(crate) fn endpoint_for(&self, service: &str, region: Option<&str>) -> Arc<Endpoint> {
        let endpoints = &self.service_endpoints;
        if let Some(e) = ServiceEndpoints::find(&endpoints.given, service) {
            return e;
        }
        if let Some(explicit) = &self.explicit_endpoint {
            return Arc::clone(explicit);
        }
        if let Some(e) = ServiceEndpoints::find(&endpoints.environment, service) {
            return e;
        }
        Arc::new(endpoint::default_for(service, region, &self.root_domain))
    }

    /// The network a credentials provider's STS exchange goes out on: this one's transport and
    /// rules (roots and CAs, proxy, timeouts, root domain, service endpoints), to `endpoint`
    /// when the provider has one of its own (checked as the builder checks its own), else to
    /// STS's endpoint by the rules of `endpoint_for`. Never to the endpoint given to the builder
    /// for every service: that one is where the client's own calls go (a gateway for Redis, a
    /// test fake), which need not serve STS; `service_endpoint("sts", ...)` or
    /// `TENCENTCLOUD_ENDPOINT_URL_STS` point STS elsewhere.
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
    /// `(service, endpoint)` pairs given to the builder, the last one of a service winning.
    pub(crate) service_endpoints: Vec<(String, String)>,
    pub(crate) allow_plain_http: bool,
    pub(crate) connect_timeout: Option<Duration>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) max_response_bytes: Option<u64>,
    /// The builder's proxy (feature `proxy`; without it, always `None`).
    pub(crate) proxy: Option<String>,
    pub(crate) root_domain: Option<String>,
    pub(crate) tls_roots: Option<TlsRoots>,
    #[cfg(feature = "ca-bundle")]
    pub(crate) ca_certificates: Vec<CaSource>,
    pub(crate) transport: Option<Arc<dyn Transport>>,
    pub(crate) cancel: Cancel,
}

impl fmt::Debug for NetworkSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NetworkSettings")
            .field(
                "endpoint",
                &self.endpoint.as_deref().map(crate::redact::redact_url),
            )
            .field(
                "service_endpoints",
                &self
                    .service_endpoints
                    .iter()
                    .map(|(s, e)| (s, crate::redact::redact_url(e)))
                    .collect::<Vec<_>>(),
            )
            .field("allow_plain_http", &self.allow_plain_http)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("max_response_bytes", &self.max_response_bytes)
            .field(
                "proxy",
                &self.proxy.as_deref().map(crate::redact::redact_url),
            )
            .field("root_domain", &self.root_domain)
            .field("tls_roots", &self.tls_roots)
            .field("transport", &self.transport)
            .finish_non_exhaustive()
    }
}

impl NetworkSettings {
    /// Checks every setting and builds the transport, reading the proxy variables from `env`
    /// (the client's provider context's). Sends nothing.
    pub(crate) fn build(&self, env: &Env) -> Result<Network, ConfigError> {
        // Checked even when an explicit endpoint wins: a typo is reported, not silently unused.
        let root_domain = match self.root_domain.as_deref() {
            Some(d) => endpoint::check_root_domain(d)?,
            None => endpoint::DEFAULT_ROOT_DOMAIN.to_owned(),
        };
        let explicit_endpoint = match self.endpoint.as_deref() {
            Some(e) => Some(Arc::new(endpoint::parse(e, self.allow_plain_http)?)),
            None => None,
        };
        let service_endpoints = Arc::new(ServiceEndpoints::read(
            &self.service_endpoints,
            env,
            self.allow_plain_http,
        )?);
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
                #[cfg(feature = "proxy")]
                proxy: crate::proxy::ProxyRules::read(
                    self.proxy.as_deref(),
                    self.allow_plain_http,
                    env,
                )?,
                #[cfg(feature = "ca-bundle")]
                trust: TrustStore::resolve(self.tls_roots, &self.ca_certificates)?,
                #[cfg(not(feature = "ca-bundle"))]
                trust: TrustStore::roots(self.tls_roots),
                https_only: !self.allow_plain_http,
                user_agent: USER_AGENT.to_owned(),
            })?),
        };
        #[cfg(not(feature = "proxy"))]
        if self.transport.is_none() {
            refuse_proxy_variables(env, explicit_endpoint.as_deref(), self.allow_plain_http)?;
        }
        Ok(Network {
            transport,
            explicit_endpoint,
            service_endpoints,
            root_domain,
            connect_timeout,
            timeout,
            cancel: self.cancel.clone(),
        })
    }
}

/// Without the `proxy` feature, a proxy variable that would apply is refused: the operator who
/// set it expects the proxy, and a direct connection is what a proxy exists to forbid (it fails
/// closed). An explicit loopback endpoint is reached directly, as with the feature, and so is
/// everything under `NO_PROXY=*`.
#[cfg(not(feature = "proxy"))]
fn refuse_proxy_variables(
    env: &Env,
    explicit: Option<&Endpoint>,
    plain_http: bool,
) -> Result<(), ConfigError> {
    if explicit.is_some_and(|e| is_loopback(&e.host)) {
        return Ok(());
    }
    let set = |name: &'static str| -> Result<bool, ConfigError> {
        match env.get(name) {
            Ok(value) => Ok(value.is_some_and(|v| !v.trim().is_empty())),
            Err(e) => Err(ConfigError::InvalidSetting {
                setting: name,
                reason: e.to_string(),
            }),
        }
    };
    for name in ["no_proxy", "NO_PROXY"] {
        if env
            .get(name)
            .ok()
            .flatten()
            .is_some_and(|v| v.trim() == "*")
        {
            return Ok(());
        }
    }
    let names: &[&'static str] = if plain_http {
        &[
            "https_proxy",
            "HTTPS_PROXY",
            "all_proxy",
            "ALL_PROXY",
            "http_proxy",
        ]
    } else {
        &["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"]
    };
    for name in names {
        if set(name)? {
            return Err(ConfigError::InvalidSetting {
                setting: name,
                reason: "is set, and this build of tc-redis has no proxy support (its cargo feature `proxy` is off): requests would bypass the proxy. Build with the feature, or unset the variable to connect directly".to_owned(),
            });
        }
    }
    Ok(())
}

/// The prefix of the variables that set one service's endpoint.
pub const SERVICE_ENDPOINT_VARIABLE_PREFIX: &str = "TENCENTCLOUD_ENDPOINT_URL_";

/// Each service's own endpoint: given to the builder, or set by the environment.
#[derive(Debug, Default)]
struct ServiceEndpoints {
    given: Vec<(String, Arc<Endpoint>)>,
    environment: Vec<(String, Arc<Endpoint>)>,
}

impl ServiceEndpoints {
    /// Checks the builder's pairs and reads `TENCENTCLOUD_ENDPOINT_URL_<SERVICE>` from `env`,
    /// each endpoint by the rules of the builder's own (`https`, or `http` to loopback when
    /// allowed). A malformed one is an error naming the setting or the variable.
    fn read(
        given: &[(String, String)],
        env: &Env,
        allow_plain_http: bool,
    ) -> Result<ServiceEndpoints, ConfigError> {
        let mut endpoints = ServiceEndpoints::default();
        for (service, url) in given {
            let service = check_service(service).map_err(|reason| ConfigError::InvalidSetting {
                setting: "service_endpoint",
                reason,
            })?;
            let endpoint = endpoint::parse(url, allow_plain_http).map_err(|e| {
                ConfigError::InvalidSetting {
                    setting: "service_endpoint",
                    reason: format!("{service}: {e}"),
                }
            })?;
            let endpoint = Arc::new(endpoint);
            endpoints.given.retain(|(s, _)| *s != service);
            endpoints.given.push((service, endpoint));
        }
        for (name, value) in env.with_prefix(SERVICE_ENDPOINT_VARIABLE_PREFIX) {
            let invalid = |reason: String| ConfigError::InvalidSetting {
                setting: "TENCENTCLOUD_ENDPOINT_URL_<SERVICE>",
                reason: format!("{name}: {reason}"),
            };
            let service =
                check_service(&name[SERVICE_ENDPOINT_VARIABLE_PREFIX.len()..]).map_err(invalid)?;
            let value = value.map_err(|e| invalid(e.to_string()))?;
            let endpoint =
                endpoint::parse(&value, allow_plain_http).map_err(|e| invalid(e.to_string()))?;
            endpoints.environment.push((service, Arc::new(endpoint)));
        }
        Ok(endpoints)
    }

    fn find(list: &[(String, Arc<Endpoint>)], service: &str) -> Option<Arc<Endpoint>> {
        list.iter()
            .find(|(s, _)| s == service)
            .map(|(_, e)| Arc::clone(e))
    }
}

/// A service's name as the API spells it in host names (`redis`, `sts`): letters and digits,
/// returned in lower case.
fn check_service(service: &str) -> Result<String, String> {
    if service.is_empty() || !service.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(format!(
            "{service:?} is not a service name such as \"sts\" or \"redis\" (letters and digits)"
        ));
    }
    Ok(service.to_ascii_lowercase())
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

#[cfg(test)]
mod tests {
    use super::*;

    fn network(settings: NetworkSettings, env: &[(&str, &str)]) -> Result<Network, String> {
        settings
            .build(&Env::from_pairs(env.iter().copied()))
            .map_err(|e| e.to_string())
    }

    fn url(n: &Network, service: &str) -> String {
        n.endpoint_for(service, Some("ap-guangzhou")).url.clone()
    }

    #[test]
    fn service_endpoints_follow_their_precedence() {
        let env = [
            ("TENCENTCLOUD_ENDPOINT_URL_STS", "https://sts.env.example"),
            ("TENCENTCLOUD_ENDPOINT_URL_CVM", "https://cvm.env.example"),
        ];
        let n = network(NetworkSettings::default(), &env).unwrap();
        assert_eq!(url(&n, "sts"), "https://sts.env.example/");
        assert_eq!(url(&n, "redis"), "https://redis.tencentcloudapi.com/");
        let n = network(
            NetworkSettings {
                endpoint: Some("https://gateway.example".into()),
                service_endpoints: vec![
                    ("STS".into(), "https://first.example".into()),
                    ("sts".into(), "https://sts.code.example".into()),
                ],
                ..NetworkSettings::default()
            },
            &env,
        )
        .unwrap();
        // Code for the service, then code for all, then the variable.
        assert_eq!(url(&n, "sts"), "https://sts.code.example/");
        assert_eq!(url(&n, "cvm"), "https://gateway.example/");
        assert_eq!(url(&n, "redis"), "https://gateway.example/");
    }

    #[cfg(feature = "credentials-sts")]
    #[test]
    fn providers_take_the_sts_endpoint_but_not_the_endpoint_for_every_service() {
        let settings = || NetworkSettings {
            endpoint: Some("https://gateway.example".into()),
            ..NetworkSettings::default()
        };
        let n = network(settings(), &[]).unwrap();
        let sts = n.for_provider(None, false).unwrap();
        assert_eq!(url(&sts, "sts"), "https://sts.tencentcloudapi.com/");
        let n = network(
            settings(),
            &[("TENCENTCLOUD_ENDPOINT_URL_STS", "https://sts.vpc.example")],
        )
        .unwrap();
        let sts = n.for_provider(None, false).unwrap();
        assert_eq!(url(&sts, "sts"), "https://sts.vpc.example/");
        let own = n.for_provider(Some("https://own.example"), false).unwrap();
        assert_eq!(url(&own, "sts"), "https://own.example/");
    }

    #[test]
    fn malformed_service_endpoints_name_their_setting() {
        let err = network(
            NetworkSettings::default(),
            &[("TENCENTCLOUD_ENDPOINT_URL_STS", "http://sts.example")],
        )
        .unwrap_err();
        assert!(err.contains("TENCENTCLOUD_ENDPOINT_URL_STS: "), "{err}");
        let err = network(
            NetworkSettings::default(),
            &[("TENCENTCLOUD_ENDPOINT_URL_S-TS", "https://sts.example")],
        )
        .unwrap_err();
        assert!(err.contains("\"S-TS\" is not a service name"), "{err}");
        let err = network(
            NetworkSettings {
                service_endpoints: vec![("sts".into(), "https://u:secret@x.example".into())],
                ..NetworkSettings::default()
            },
            &[],
        )
        .unwrap_err();
        assert!(!err.contains("secret"), "{err}");
        // http to loopback, when plain http is allowed.
        let n = network(
            NetworkSettings {
                allow_plain_http: true,
                ..NetworkSettings::default()
            },
            &[("TENCENTCLOUD_ENDPOINT_URL_STS", "http://localhost.:8080")],
        )
        .unwrap();
        assert_eq!(url(&n, "sts"), "http://localhost.:8080/");
    }

    #[cfg(not(feature = "proxy"))]
    #[test]
    fn without_the_proxy_feature_a_proxy_variable_is_refused_naming_it() {
        let err = network(
            NetworkSettings::default(),
            &[("https_proxy", "http://proxy.corp:3128")],
        )
        .unwrap_err();
        assert!(
            err.starts_with("https_proxy: ") && err.contains("feature `proxy`"),
            "{err}"
        );
        // Loopback endpoints and NO_PROXY=* are reached directly, as with the feature.
        let loopback = NetworkSettings {
            endpoint: Some("http://127.0.0.1:8080".into()),
            allow_plain_http: true,
            ..NetworkSettings::default()
        };
        assert!(
            network(
                loopback,
                &[("HTTPS_PROXY", "http://p:1"), ("http_proxy", "http://p:1")]
            )
            .is_ok()
        );
        assert!(
            network(
                NetworkSettings::default(),
                &[("NO_PROXY", "*"), ("ALL_PROXY", "http://p:1")]
            )
            .is_ok()
        );
    }
}
