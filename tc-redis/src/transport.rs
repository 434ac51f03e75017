//! HTTP: the only module that knows it. A [`Transport`] sends one signed POST and returns the
//! status, the `Date` header and the body; [`UreqTransport`] is the default, over one ureq
//! `Agent` (one keep-alive pool) per proxy decision of the client: direct, or through one proxy.

use crate::error::{ConfigError, TransportError, TransportErrorKind};
use progress::Stage;
use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
#[cfg(feature = "proxy")]
use ureq::unversioned::transport::ConnectProxyConnector;
use ureq::unversioned::transport::{Connector, NextTimeout, TcpConnector};

mod agents;
mod progress;

/// One request, ready to send: every header is final and signed.
#[derive(Debug, Clone, Copy)]
pub struct HttpRequest<'a> {
    /// `scheme://host[:port]/`.
    pub url: &'a str,
    /// Headers in the order they are sent. `Host` is not among them: the HTTP stack derives it
    /// from the URL, exactly as it was signed.
    pub headers: &'a [(&'static str, &'a str)],
    /// The exact bytes that were signed.
    pub body: &'a [u8],
}

/// What came back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// The `Date` header, used to correct clock skew.
    pub date: Option<String>,
    /// The body (at most the transport's size limit).
    pub body: Vec<u8>,
}

/// Sends requests. Implement it to put the client on another HTTP stack, or to answer from
/// memory in tests and benchmarks.
pub trait Transport: Send + Sync + fmt::Debug {
    /// Sends one request. Errors say whether the request may have reached the server.
    fn send(&self, request: &HttpRequest<'_>) -> Result<HttpResponse, TransportError>;
}

/// Idle keep-alive connections kept per agent.
const MAX_IDLE_CONNECTIONS: usize = 64;
/// Idle connections older than this are not reused (Go SDK: 30 s): a server that dropped one
/// would fail the next POST, which must not be retried blindly.
const MAX_IDLE_AGE: Duration = Duration::from_secs(30);
/// The largest request head sent. ureq writes the head through a 128 KiB buffer, in as many
/// pieces as it takes, and fails on a header that does not fit, after the pieces before it
/// were sent. Checking the size first refuses such a request before any byte of it leaves
/// (API 3.0 heads are well under 4 KiB; STS session tokens are the longest part).
const MAX_REQUEST_HEAD: usize = 64 * 1024;
/// How long a resolved address is reused: the idle-connection age, so that a connection is
/// never older than the address it was opened to.
const DNS_CACHE_TTL: Duration = MAX_IDLE_AGE;

/// Settings of the default transport.
#[derive(Debug, Clone)]
pub(crate) struct UreqSettings {
    pub(crate) connect_timeout: Duration,
    pub(crate) timeout: Duration,
    pub(crate) max_response_bytes: u64,
    /// The proxy rules read by [`crate::proxy`] (builder or environment), applied per host.
    #[cfg(feature = "proxy")]
    pub(crate) proxy: crate::proxy::ProxyRules,
    /// The roots that verify the endpoint's certificate.
    pub(crate) trust: crate::tls::TrustStore,
    pub(crate) https_only: bool,
    pub(crate) user_agent: String,
}

/// The default transport: ureq with rustls, a keep-alive pool, enforced timeouts and a body cap.
pub struct UreqTransport {
    agents: agents::Agents,
    max_response_bytes: u64,
    trust: crate::tls::TrustStore,
}

impl fmt::Debug for UreqTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UreqTransport")
            .field("max_response_bytes", &self.max_response_bytes)
            .finish_non_exhaustive()
    }
}

impl UreqTransport {
    pub(crate) fn new(s: &UreqSettings) -> Result<UreqTransport, ConfigError> {
        // Every proxy the rules can choose is converted now, so that one ureq refuses is a
        // build error, not a failure of the first request to some host.
        #[cfg(feature = "proxy")]
        let proxies = s
            .proxy
            .proxies()
            .map(|p| Ok((p.url.clone(), ureq_proxy(p)?)))
            .collect::<Result<Vec<_>, ConfigError>>()?;
        let (connect_timeout, timeout, https_only) = (s.connect_timeout, s.timeout, s.https_only);
        let user_agent = s.user_agent.clone();
        let tls = tls_config(&s.trust);
        let build = move |proxy: Option<ureq::Proxy>| {
            let config = ureq::Agent::config_builder()
                // Only `crate::proxy`'s choice; never ureq's own reading of the environment.
                // Non-200 replies are read like any other: their body may carry a request id.
                .http_status_as_error(false)
                .https_only(https_only)
                .timeout_connect(Some(connect_timeout))
                .timeout_global(Some(timeout))
                .proxy(proxy)
                .tls_config(tls.clone())
                .user_agent(user_agent.as_str())
                // The API never redirects. Following one would resend the `X-TC-*` headers (the
                // session token among them) to wherever `Location` points, as a GET; a 3xx is
                // returned as it is and reported as `Error::Http`.
                .max_redirects(0)
                .max_idle_age(MAX_IDLE_AGE)
                // ureq keeps 3 idle connections per host by default: threads sharing a client
                // beyond that would open a new connection for most calls.
                .max_idle_connections(MAX_IDLE_CONNECTIONS)
                .max_idle_connections_per_host(MAX_IDLE_CONNECTIONS)
                .build();
            ureq::Agent::with_parts(config, connector(), CachingResolver::default())
        };
        Ok(UreqTransport {
            #[cfg(feature = "proxy")]
            agents: agents::Agents::new(s.proxy.clone(), proxies, build),
            #[cfg(not(feature = "proxy"))]
            agents: agents::Agents::new(build),
            max_response_bytes: s.max_response_bytes,
            trust: s.trust.clone(),
        })
    }

    /// A certificate failure says which roots were in use and how to add one.
    fn explain(&self, mut e: TransportError) -> TransportError {
        if e.kind == TransportErrorKind::Tls {
            e.message = format!("{}; {}", e.message, self.trust.certificate_error_help());
        }
        e
    }
}

/// ureq's form of a proxy. Never `ureq::Proxy::try_from_env`: `crate::proxy` read the
/// environment, strictly.
#[cfg(feature = "proxy")]
fn ureq_proxy(p: &crate::proxy::ProxyChoice) -> Result<ureq::Proxy, ConfigError> {
    let proxy = ureq::Proxy::new(&p.url).map_err(|e| ConfigError::InvalidSetting {
        setting: p.source,
        reason: format!("{:?} is not a proxy URL ({e})", p.redacted()),
    })?;
    // The connector chain below has no SOCKS support (ureq's `socks-proxy` feature is off):
    // a SOCKS proxy would be bypassed, the request going out directly.
    if !matches!(
        proxy.protocol(),
        ureq::ProxyProtocol::Http | ureq::ProxyProtocol::Https
    ) {
        return Err(ConfigError::InvalidSetting {
            setting: p.source,
            reason: format!(
                "{:?} proxies are not supported; use an http:// or https:// proxy",
                proxy.protocol()
            ),
        });
    }
    Ok(proxy)
}

/// The ureq TLS settings for a trust store. Verification is never disabled.
fn tls_config(trust: &crate::tls::TrustStore) -> ureq::tls::TlsConfig {
    use crate::tls::TrustStore;
    use ureq::tls::RootCerts;
    let roots = match trust {
        TrustStore::Webpki => RootCerts::WebPki,
        #[cfg(feature = "platform-roots")]
        TrustStore::Platform => RootCerts::PlatformVerifier,
        #[cfg(feature = "ca-bundle")]
        TrustStore::Certificates { der, .. } => RootCerts::from(
            der.iter()
                .map(|d| ureq::tls::Certificate::from_der(d).to_owned()),
        ),
    };
    ureq::tls::TlsConfig::builder().root_certs(roots).build()
}

/// ureq's default chain (CONNECT proxy, TCP, rustls) with the hooks of [`progress`] around it,
/// so that every failure is placed before or after the first byte of the request was written.
fn connector() -> impl Connector {
    let opening = ().chain(progress::Opening);
    #[cfg(feature = "proxy")]
    let opening = opening.chain(ConnectProxyConnector::default());
    opening
        .chain(TcpConnector::default())
        .chain(progress::Handshake::default())
        .chain(progress::Opened)
}

/// Refuses a request whose head is larger than [`MAX_REQUEST_HEAD`], naming its longest header.
fn check_head_size(request: &HttpRequest<'_>) -> Result<(), TransportError> {
    // "Name: value\r\n" per header, plus the request line and what ureq adds (Host,
    // User-Agent, Accept, Content-Length), generously.
    let size = request.url.len()
        + 512
        + request
            .headers
            .iter()
            .map(|(n, v)| n.len() + v.len() + 4)
            .sum::<usize>();
    if size <= MAX_REQUEST_HEAD {
        return Ok(());
    }
    let (name, value) = request
        .headers
        .iter()
        .max_by_key(|(_, v)| v.len())
        .copied()
        .unwrap_or(("", ""));
    Err(TransportError {
        kind: TransportErrorKind::InvalidRequest,
        message: format!(
            "the request head would be about {size} bytes (header {name} alone is {} bytes); at most {MAX_REQUEST_HEAD} are sent",
            value.len()
        ),
        may_have_been_sent: false,
    })
}

impl Transport for UreqTransport {
    fn send(&self, request: &HttpRequest<'_>) -> Result<HttpResponse, TransportError> {
        check_head_size(request)?;
        let route = self.agents.for_url(request.url)?;
        let mut builder = route.agent.post(request.url);
        for (name, value) in request.headers {
            builder = builder.header(*name, *value);
        }
        progress::begin();
        let mut response = builder
            .send(request.body)
            .map_err(|e| self.explain(blame_the_proxy(map_error(e), route.proxy.as_deref())))?;
        let status = response.status().as_u16();
        let date = response
            .headers()
            .get("date")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = response
            .body_mut()
            .with_config()
            .limit(self.max_response_bytes)
            .read_to_vec()
            .map_err(|e| match e {
                ureq::Error::BodyExceedsLimit(limit) => TransportError {
                    kind: TransportErrorKind::ResponseTooLarge,
                    message: format!(
                        "limit {limit} bytes; raise ClientBuilder::max_response_bytes if the reply is legitimately this large"
                    ),
                    may_have_been_sent: true,
                },
                other => map_error(other),
            })?;
        Ok(HttpResponse { status, date, body })
    }
}

/// ureq resolves the host on every call, before it looks in its connection pool, and with a
/// timeout set (ours always are) its default resolver starts a thread per lookup: that doubled
/// the client's CPU per call over a kept-alive connection. This resolver asks the default one
/// and reuses its answer for [`DNS_CACHE_TTL`], for up to [`DNS_CACHE_HOSTS`] hosts: one agent
/// can serve several services' hosts (the direct agent, when `NO_PROXY` exempts them all).
///
/// It uses ureq's `unversioned` resolver API, which ureq may change in a minor release; the
/// lock file pins the version this was written against.
#[derive(Debug, Default)]
struct CachingResolver {
    /// (`host:port`, when looked up, addresses), most recent last.
    known: Mutex<Vec<(String, Instant, ResolvedSocketAddrs)>>,
}

/// The most hosts whose addresses [`CachingResolver`] keeps (a client calls a few services).
const DNS_CACHE_HOSTS: usize = 8;

impl Resolver for CachingResolver {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        config: &ureq::config::Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        progress::enter(Stage::Resolving);
        let authority = uri.authority().map(|a| a.as_str()).unwrap_or_default();
        {
            let known = self.known.lock().unwrap_or_else(|p| p.into_inner());
            if let Some((_, _, addrs)) = known
                .iter()
                .find(|(key, at, _)| key == authority && at.elapsed() < DNS_CACHE_TTL)
            {
                progress::enter(Stage::Resolved);
                return Ok(addrs.clone());
            }
        }
        // Resolve without holding the lock: a slow lookup must not block other threads' calls.
        // The lookup's own error does not name the host: say which one failed (a proxy's, or
        // the endpoint's).
        let host = uri.host().unwrap_or_default();
        let addrs = DefaultResolver::default()
            .resolve(uri, config, timeout)
            .map_err(|e| match e {
                ureq::Error::Io(io) => {
                    ureq::Error::Io(std::io::Error::new(io.kind(), format!("{host}: {io}")))
                }
                other => other,
            })?;
        let mut known = self.known.lock().unwrap_or_else(|p| p.into_inner());
        known.retain(|(key, at, _)| key != authority && at.elapsed() < DNS_CACHE_TTL);
        if known.len() >= DNS_CACHE_HOSTS {
            known.remove(0);
        }
        known.push((authority.to_owned(), Instant::now(), addrs.clone()));
        progress::enter(Stage::Resolved);
        Ok(addrs)
    }
}

/// Through a proxy, the client resolves and connects to the proxy only: a failure to resolve,
/// connect or tunnel is the proxy's, and says so, naming the proxy and the variable (or setting)
/// that chose it; a `407` says the proxy wants credentials.
fn blame_the_proxy(mut e: TransportError, proxy: Option<&str>) -> TransportError {
    use TransportErrorKind as K;
    let Some(proxy) = proxy else {
        return e;
    };
    if !matches!(e.kind, K::Dns | K::Connect | K::Proxy) || e.may_have_been_sent {
        return e;
    }
    let what = if e.message.contains("407") {
        "wants authentication (407 Proxy Authentication Required): give user:password in its URL"
    } else {
        match e.kind {
            K::Dns => "has a host name that does not resolve",
            K::Connect => "could not be connected to",
            _ => "refused the tunnel",
        }
    };
    e.kind = K::Proxy;
    e.message = format!("{proxy} {what}: {}", e.message);
    e
}

/// Classifies a ureq error of the current request by the stage it reached (see [`progress`]):
/// whether the request may have been sent is that fact, never a guess from the error; the
/// error only names the failure within its stage.
fn map_error(e: ureq::Error) -> TransportError {
    use TransportErrorKind as K;
    let timeout = matches!(e, ureq::Error::Timeout(_));
    let refused_input = matches!(
        e,
        ureq::Error::Http(_) | ureq::Error::BadUri(_) | ureq::Error::Protocol(_)
    );
    let stage = progress::current();
    let kind = match stage {
        Stage::Resolving => K::Dns,
        _ if timeout => K::Timeout,
        Stage::Sending if matches!(e, ureq::Error::BodyExceedsLimit(_)) => K::ResponseTooLarge,
        Stage::Sending => K::Io,
        Stage::TlsHandshake => K::Tls,
        Stage::ProxyTunnel => K::Proxy,
        Stage::Connecting if matches!(e, ureq::Error::ConnectProxyFailed(_)) => K::Proxy,
        Stage::Connecting => K::Connect,
        _ if matches!(e, ureq::Error::TlsRequired) => K::Tls,
        // Checking the request, or writing its head into the buffer (an over-long header).
        Stage::Preparing | Stage::Resolved | Stage::Connected if refused_input => K::InvalidRequest,
        Stage::Preparing | Stage::Resolved => K::Connect,
        Stage::Connected => K::Io,
    };
    TransportError {
        kind,
        message: e.to_string(),
        may_have_been_sent: stage == Stage::Sending,
    }
}
