//! The blocking client and its builder.

use crate::action::{Action, ErrorCode};
use crate::clock::{Clock, SystemClock, parse_http_date};
use crate::credentials::{
    Credentials, DefaultChain, ProvideCredentials, StaticProvider, TccliProvider,
};
use crate::endpoint::{self, Endpoint};
use crate::error::{ConfigError, Error, Outcome};
use crate::events::{self, CallContext};
use crate::rate_limit::{Limiter, RateLimit};
use crate::retry::{Jitter, RetryPolicy, is_rate_limited};
use crate::sign::{self, SigningKey};
use crate::tls::{CaSource, TlsRoots, TrustStore};
use crate::transport::{HttpRequest, HttpResponse, Transport, UreqSettings, UreqTransport};
use std::fmt;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

/// The `Authorization` of an action the API takes unsigned, as the official SDKs send it.
const UNSIGNED: &str = "SKIP";

/// The `User-Agent` and `X-TC-RequestClient` of this crate.
const REQUEST_CLIENT: &str = concat!("tc-redis/", env!("CARGO_PKG_VERSION"));

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
/// the body (`tests/tests/response_memory.rs`), so one call holds a few tens of MiB at worst.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 8 * 1024 * 1024;
/// The longest `connect_timeout` or `timeout` [`ClientBuilder::build`] accepts: a day. Longer
/// ones are refused (and `Duration::MAX` would overflow the clock on the first call).
pub const MAX_TIMEOUT: Duration = Duration::from_secs(24 * 60 * 60);
/// The longest region name [`ClientBuilder::build`] accepts. Region names are short
/// (`ap-shanghai-fsi`, `na-siliconvalley`); a longer value is a mistake, and beyond some size
/// the HTTP stack would refuse the header at the first call.
pub const MAX_REGION_LEN: usize = 64;

/// The language of the server's error messages (`X-TC-Language`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Language {
    /// Simplified Chinese, the API's default.
    #[default]
    ZhCn,
    /// English.
    EnUs,
}

impl Language {
    /// The header value.
    pub fn as_str(self) -> &'static str {
        match self {
            Language::ZhCn => "zh-CN",
            Language::EnUs => "en-US",
        }
    }
}

impl std::str::FromStr for Language {
    type Err = ConfigError;
    fn from_str(s: &str) -> Result<Self, ConfigError> {
        match s {
            "zh-CN" => Ok(Language::ZhCn),
            "en-US" => Ok(Language::EnUs),
            other => Err(ConfigError::InvalidLanguage(other.to_owned())),
        }
    }
}

/// A blocking Tencent Cloud Redis API client.
///
/// Cheap to clone and to share between threads: clones share one connection pool, one
/// rate limiter, one clock-skew correction and one signing-key cache.
///
/// ```no_run
/// use tc_redis::{Client, CleanUpInstanceRequest};
///
/// // Credentials from the environment, ~/.tencentcloud/credentials or the CVM role.
/// let client = Client::builder().region("ap-guangzhou").build()?;
/// let reply = client.clean_up_instance(&CleanUpInstanceRequest::new("crs-5a4py64p"))?;
/// println!("task {:?} (request {})", reply.task_id, reply.request_id);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    region: Option<String>,
    /// The endpoint given to the builder, which every action goes to; else each action goes to
    /// its service's own (resolved once per service).
    explicit_endpoint: Option<Arc<Endpoint>>,
    /// The root domain of the services' default endpoints.
    root_domain: String,
    /// The first service's endpoint, read without a lock (a client mostly calls one service).
    first_service_endpoint: OnceLock<(&'static str, Arc<Endpoint>)>,
    other_service_endpoints: Mutex<Vec<(&'static str, Arc<Endpoint>)>>,
    language: Language,
    credentials: Arc<dyn ProvideCredentials>,
    transport: Arc<dyn Transport>,
    retry: RetryPolicy,
    limiter: Limiter,
    clock: Arc<dyn Clock>,
    jitter: Jitter,
    /// Server time minus local time, in seconds, learnt from `AuthFailure.SignatureExpire`.
    skew: AtomicI64,
    /// The signing key of the last (date, secret), reused until either changes.
    key_cache: Mutex<Option<CachedKey>>,
}

struct CachedKey {
    date: String,
    service: &'static str,
    secret_id: String,
    secret_key: String,
    key: SigningKey,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        f.debug_struct("Client")
            .field("region", &i.region)
            .field("endpoint", &i.explicit_endpoint.as_ref().map(|e| &e.url))
            .field("language", &i.language)
            .field("credentials", &i.credentials)
            .field("retry", &i.retry)
            .field("clock_skew_seconds", &i.skew.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A builder with the documented defaults.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The endpoint URL action `A` is sent to: the one given to the builder, else its service's
    /// (`https://<service>.tencentcloudapi.com/`, or `https://<service>.<region>.tencentcloudapi.com/`
    /// in a financial-zone region).
    pub fn endpoint_for<A: Action>(&self) -> String {
        self.route(A::SERVICE).url.clone()
    }

    /// Where an action of `service` goes.
    fn route(&self, service: &'static str) -> Arc<Endpoint> {
        let inner = &*self.inner;
        if let Some(explicit) = &inner.explicit_endpoint {
            return Arc::clone(explicit);
        }
        let resolve = || {
            Arc::new(endpoint::default_for(
                service,
                inner.region.as_deref(),
                &inner.root_domain,
            ))
        };
        let (first, e) = inner
            .first_service_endpoint
            .get_or_init(|| (service, resolve()));
        if *first == service {
            return Arc::clone(e);
        }
        let mut known = inner
            .other_service_endpoints
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if let Some((_, e)) = known.iter().find(|(s, _)| *s == service) {
            return Arc::clone(e);
        }
        let e = resolve();
        known.push((service, Arc::clone(&e)));
        e
    }

    /// The clock and sleep the client waits with.
    pub(crate) fn clock(&self) -> &dyn Clock {
        &*self.inner.clock
    }

    /// The clock offset learnt from the server, in seconds (server minus local).
    pub fn clock_skew(&self) -> i64 {
        self.inner.skew.load(Ordering::Relaxed)
    }

    /// Sends any action. The generated methods (such as
    /// [`clean_up_instance`](Client::clean_up_instance)) call this.
    ///
    /// The request is serialised once and the exact bytes are signed and sent; each attempt is
    /// signed again with a fresh timestamp.
    pub fn call<A: Action>(&self, request: &A) -> Result<A::Response, Error<A::ErrorCode>> {
        let inner = &*self.inner;
        let region = inner
            .region
            .as_deref()
            .ok_or(Error::Config(ConfigError::MissingRegion))?;
        request.check().map_err(Error::InvalidRequest)?;
        let body = serde_json::to_vec(request)
            .map_err(|e| Error::Config(ConfigError::Serialize(e.to_string())))?;
        let hashed_payload = sign::hash_hex(&body);
        let endpoint = self.route(A::SERVICE);
        let call = CallContext {
            action: A::NAME,
            service: A::SERVICE,
            region,
            host: &endpoint.host,
        };
        let mut attempt = 0;
        let mut skew_corrected = false;
        loop {
            attempt += 1;
            inner
                .limiter
                .acquire(A::NAME, A::RATE_LIMIT_PER_SECOND, &*inner.clock);
            // An action the API takes unsigned asks no provider and sends no credentials.
            let credentials = if A::SKIP_SIGN {
                None
            } else {
                Some(inner.credentials.provide().map_err(Error::Credentials)?)
            };
            let timestamp = self.timestamp();
            let auth = match &credentials {
                Some(c) => self.authorization::<A>(c, &endpoint, timestamp, &hashed_payload),
                None => UNSIGNED.to_owned(),
            };
            let timestamp = timestamp.to_string();
            let mut headers: Vec<(&'static str, &str)> = Vec::with_capacity(9);
            headers.push(("Content-Type", "application/json"));
            headers.push(("X-TC-Action", A::NAME));
            headers.push(("X-TC-Timestamp", &timestamp));
            headers.push(("X-TC-Version", A::VERSION));
            headers.push(("X-TC-Region", region));
            if let Some(token) = credentials.as_ref().and_then(Credentials::token) {
                headers.push(("X-TC-Token", token));
            }
            headers.push(("X-TC-Language", inner.language.as_str()));
            headers.push(("X-TC-RequestClient", REQUEST_CLIENT));
            headers.push(("Authorization", &auth));
            let started = inner.clock.monotonic();
            let sent = inner.transport.send(&HttpRequest {
                url: &endpoint.url,
                headers: &headers,
                body: &body,
            });

            let elapsed = || inner.clock.monotonic().saturating_sub(started);
            let error = match sent {
                Ok(response) => match crate::response::parse::<A::Response, A::ErrorCode>(
                    response.status,
                    &response.body,
                ) {
                    Ok(parsed) => {
                        events::attempt_answered(
                            &call,
                            attempt,
                            response.status,
                            &response.body,
                            elapsed(),
                        );
                        return Ok(parsed);
                    }
                    Err(Error::Api(e))
                        if e.code.as_str() == "AuthFailure.SignatureExpire" && !skew_corrected =>
                    {
                        let error = Error::Api(e);
                        events::attempt_failed(&call, attempt, &error, elapsed());
                        // Refused before execution: correct the clock from the server's `Date`
                        // and re-sign once, without counting an attempt or waiting.
                        if let Some(skew) = self.learn_skew(&response) {
                            events::clock_skew_corrected(&call, skew);
                            skew_corrected = true;
                            attempt -= 1;
                            continue;
                        }
                        error
                    }
                    Err(e) => {
                        events::attempt_failed(&call, attempt, &e, elapsed());
                        e
                    }
                },
                Err(e) => {
                    let error = Error::Transport(e);
                    events::attempt_failed(&call, attempt, &error, elapsed());
                    error
                }
            };
            let error = match &credentials {
                Some(c) => name_the_signer(error, c),
                None => error,
            };
            if attempt >= inner.retry.attempts() || !retryable::<A>(&error) {
                if retryable::<A>(&error) {
                    events::giving_up(&call, attempt, &error);
                }
                return Err(error);
            }
            let wait = inner.retry.backoff(attempt, inner.jitter.next());
            events::retry(&call, attempt, inner.retry.attempts(), wait, &error);
            inner.clock.sleep(wait);
        }
    }

    /// Unix seconds for the next request, corrected by the learnt skew.
    fn timestamp(&self) -> u64 {
        let now = self.inner.clock.now().as_secs() as i64;
        (now + self.inner.skew.load(Ordering::Relaxed)).max(0) as u64
    }

    /// Stores the offset the server's `Date` header shows and returns it; `None` when there is
    /// none to learn.
    fn learn_skew(&self, response: &HttpResponse) -> Option<i64> {
        let server = response.date.as_deref().and_then(parse_http_date)?;
        let local = self.inner.clock.now().as_secs() as i64;
        let skew = server as i64 - local;
        self.inner.skew.store(skew, Ordering::Relaxed);
        Some(skew)
    }

    /// The `Authorization` value for action `A` sent to `endpoint` with this timestamp and
    /// payload hash.
    fn authorization<A: Action>(
        &self,
        c: &Credentials,
        endpoint: &Endpoint,
        timestamp: u64,
        hashed_payload: &str,
    ) -> String {
        let headers = [
            ("content-type", "application/json"),
            ("host", endpoint.host.as_str()),
        ];
        let canonical = sign::canonical_request("POST", "/", "", &headers, hashed_payload);
        let date = sign::utc_date(timestamp);
        let scope = sign::credential_scope(&date, A::SERVICE);
        let to_sign = sign::string_to_sign(timestamp, &scope, &canonical);
        let signature = self.with_signing_key(c, &date, A::SERVICE, |key| key.sign(&to_sign));
        sign::authorization(c.secret_id(), &scope, "content-type;host", &signature)
    }

    fn with_signing_key<R>(
        &self,
        c: &Credentials,
        date: &str,
        service: &'static str,
        f: impl FnOnce(&SigningKey) -> R,
    ) -> R {
        let mut cache = self
            .inner
            .key_cache
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let fresh = cache.as_ref().is_some_and(|k| {
            k.date == date
                && k.service == service
                && k.secret_id == c.secret_id()
                && k.secret_key == c.secret_key()
        });
        if !fresh {
            // Other credentials than for the previous request: the provider refreshed them.
            if cache
                .as_ref()
                .is_some_and(|k| k.secret_id != c.secret_id() || k.secret_key != c.secret_key())
            {
                events::credentials_refreshed(self.inner.credentials.name());
            }
            *cache = Some(CachedKey {
                date: date.to_owned(),
                service,
                secret_id: c.secret_id().to_owned(),
                secret_key: c.secret_key().to_owned(),
                key: SigningKey::derive(c.secret_key(), date, service),
            });
        }
        match cache.as_ref() {
            Some(k) => f(&k.key),
            None => f(&SigningKey::derive(c.secret_key(), date, service)),
        }
    }
}

/// An `AuthFailure.*` error, told which credentials signed: "which identity signed?" is the
/// first question such an error raises.
fn name_the_signer<C: ErrorCode>(mut error: Error<C>, credentials: &Credentials) -> Error<C> {
    if let Error::Api(e) = &mut error
        && e.code.as_str().starts_with("AuthFailure")
    {
        e.credential_source = Some(Box::new(credentials.source().clone()));
    }
    error
}

/// Whether another attempt is worth it and safe. Worth it: the failure may not repeat (a
/// rate limit, a network hiccup, a gateway's 5xx or 429; never a certificate, a proxy, bad
/// input). Safe: [`Error::outcome`] says the action did not run, or the spec marks the action
/// idempotent.
fn retryable<A: Action>(error: &Error<A::ErrorCode>) -> bool {
    let transient = match error {
        Error::Api(e) => is_rate_limited(e.code.as_str()),
        Error::Transport(t) => t.kind.is_transient(),
        Error::Http { status, .. } => *status >= 500 || *status == 429,
        _ => false,
    };
    transient
        && match error.outcome() {
            Outcome::NotSent | Outcome::Refused => true,
            Outcome::MayHaveRun => A::IDEMPOTENT,
        }
}

/// Builds a [`Client`]. Every setting is checked by [`build`](ClientBuilder::build), before any
/// request is sent.
#[derive(Default)]
pub struct ClientBuilder {
    region: Option<String>,
    credentials: Option<Arc<dyn ProvideCredentials>>,
    endpoint: Option<String>,
    allow_plain_http: bool,
    language: Language,
    connect_timeout: Option<Duration>,
    timeout: Option<Duration>,
    max_response_bytes: Option<u64>,
    proxy: Option<String>,
    root_domain: Option<String>,
    tls_roots: Option<TlsRoots>,
    ca_certificates: Vec<CaSource>,
    retry: Option<RetryPolicy>,
    rate_limit: RateLimit,
    transport: Option<Arc<dyn Transport>>,
    clock: Option<Arc<dyn Clock>>,
    profile: Option<String>,
    /// Where tccli's files are read from instead of `$HOME/.tccli` (unit tests).
    tccli_dir: Option<std::path::PathBuf>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("region", &self.region)
            .field("credentials", &self.credentials)
            .field("endpoint", &self.endpoint)
            .field("allow_plain_http", &self.allow_plain_http)
            .field("language", &self.language)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("proxy", &self.proxy.as_deref().map(crate::proxy::redact))
            .field("root_domain", &self.root_domain)
            .field("tls_roots", &self.tls_roots)
            .field("ca_certificates", &self.ca_certificates)
            .field("retry", &self.retry)
            .field("rate_limit", &self.rate_limit)
            .field("transport", &self.transport)
            .field("clock", &self.clock)
            .field("profile", &self.profile)
            .finish()
    }
}

impl ClientBuilder {
    /// The region (`X-TC-Region`), such as `ap-guangzhou`. Required by every regional action,
    /// CleanUpInstance included. A financial-zone region (`ap-shanghai-fsi`, ...) also selects
    /// its own endpoint, `<service>.<region>.tencentcloudapi.com`.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Static credentials. Without this, [`DefaultChain`] is used: environment, then the
    /// credentials file, then tccli's profile, then TKE workload identity (when the `TKE_*`
    /// variables are set), then the CVM role.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(Arc::new(StaticProvider::new(credentials)));
        self
    }

    /// Any credentials provider.
    pub fn credentials_provider(mut self, provider: impl ProvideCredentials + 'static) -> Self {
        self.credentials = Some(Arc::new(provider));
        self
    }

    /// The profile (default `default`): the section of the credentials file and the tccli
    /// profile (`~/.tccli/<profile>.credential`) that the default chain reads, and, when no
    /// [`region`](Self::region) is set, the tccli profile whose region is used
    /// (`~/.tccli/<profile>.configure`).
    ///
    /// A profile named here is the identity asked for ([`DefaultChain::with_profile`]): the
    /// `TENCENTCLOUD_SECRET_*` variables are not used, and it must exist in one of the two
    /// files, the chain never falling back to the machine's own identity (CVM role) in its
    /// place. Names are letters, digits, `-`, `_` and `.`.
    pub fn profile(mut self, profile: impl Into<String>) -> Self {
        self.profile = Some(profile.into());
        self
    }

    /// Sends requests to this endpoint instead of the default one: `https://host[:port]`
    /// (a bare `host[:port]` means https).
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }

    /// Allows an `http://` endpoint. Off by default: only for a local fake endpoint on loopback.
    pub fn allow_plain_http(mut self, allow: bool) -> Self {
        self.allow_plain_http = allow;
        self
    }

    /// The language of server messages. Default `zh-CN`.
    pub fn language(mut self, language: Language) -> Self {
        self.language = language;
        self
    }

    /// The connect timeout. Default [`DEFAULT_CONNECT_TIMEOUT`] (10 s); at most
    /// [`MAX_TIMEOUT`].
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// The timeout of one whole attempt: connect, send, and receive the full response.
    /// Default [`DEFAULT_TIMEOUT`] (60 s, as in the official SDKs); at most [`MAX_TIMEOUT`].
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The largest response body read. Default [`DEFAULT_MAX_RESPONSE_BYTES`] (8 MiB).
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.max_response_bytes = Some(limit);
        self
    }

    /// A proxy for every request: `http://[user:password@]host[:port]` (or `https://`; no
    /// scheme means `http`, no port 1080). A value that is not such a URL is refused by
    /// [`build`](ClientBuilder::build); the password is never printed.
    ///
    /// Without it, the environment is read once, by `build`, and a malformed value is refused
    /// naming the variable (never a silent direct connection); each endpoint host (each
    /// service has its own) is then decided by curl's rules at its first request:
    ///
    /// * an endpoint on loopback (`localhost`, `127.0.0.0/8`, `::1`) is reached directly;
    /// * `no_proxy`, else `NO_PROXY`: `*`, or comma-separated host names (matching the host and
    ///   its subdomains; a leading `.` or `*.` allowed), IP addresses and CIDR blocks, each with
    ///   an optional `:port`; a match means a direct connection;
    /// * an `https` endpoint uses the first set of `https_proxy`, `HTTPS_PROXY`, `all_proxy`,
    ///   `ALL_PROXY`; a plain-`http` one `http_proxy`, `all_proxy`, `ALL_PROXY`. Upper-case
    ///   `HTTP_PROXY` is never read (a CGI server sets it from a request header: "httpoxy").
    ///
    /// The proxy settings belong to the default transport: with
    /// [`transport`](ClientBuilder::transport) they are not read.
    pub fn proxy(mut self, proxy: impl Into<String>) -> Self {
        self.proxy = Some(proxy.into());
        self
    }

    /// The root domain of the default endpoint: `<service>.<root domain>`, and
    /// `<service>.<region>.<root domain>` for a financial-zone region. Default
    /// [`DEFAULT_ROOT_DOMAIN`](crate::DEFAULT_ROOT_DOMAIN) (`tencentcloudapi.com`); accounts of
    /// Tencent Cloud's international site use [`INTL_ROOT_DOMAIN`](crate::INTL_ROOT_DOMAIN)
    /// (`intl.tencentcloudapi.com`), as the official SDKs' `RootDomain` setting. An
    /// [`endpoint`](ClientBuilder::endpoint) wins over it.
    pub fn root_domain(mut self, domain: impl Into<String>) -> Self {
        self.root_domain = Some(domain.into());
        self
    }

    /// The trust store that verifies the endpoint's certificate. Default [`TlsRoots::Webpki`],
    /// Mozilla's roots compiled in; `TlsRoots::Platform` (cargo feature `platform-roots`) uses
    /// the operating system's. Verification cannot be turned off. Refused by
    /// [`build`](ClientBuilder::build) together with CA certificates, which replace the roots.
    pub fn tls_roots(mut self, roots: TlsRoots) -> Self {
        self.tls_roots = Some(roots);
        self
    }

    /// Trusts the CA certificates of this PEM (one or more `BEGIN CERTIFICATE` blocks), such
    /// as a company's TLS-inspecting proxy's. Given CA certificates *replace* the default roots
    /// (as curl's `--cacert`, Python requests' `REQUESTS_CA_BUNDLE` and `SSL_CERT_FILE` do);
    /// calls add up. [`build`](ClientBuilder::build) refuses a PEM with no certificate or with
    /// one that cannot be a CA.
    pub fn add_ca_certificates_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.ca_certificates.push(CaSource::Pem(pem.into()));
        self
    }

    /// Trusts the CA certificates of a PEM file, read by [`build`](ClientBuilder::build) (an
    /// unreadable file or bad PEM is a [`ConfigError`] naming it). Same rules as
    /// [`add_ca_certificates_pem`](ClientBuilder::add_ca_certificates_pem).
    pub fn ca_bundle(mut self, path: impl Into<std::path::PathBuf>) -> Self {
        self.ca_certificates.push(CaSource::File(path.into()));
        self
    }

    /// The retry policy. Default [`RetryPolicy::default`]; [`RetryPolicy::none`] turns retries off.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Client-side rate limiting. Default [`RateLimit::FromSpec`].
    pub fn rate_limit(mut self, rate_limit: RateLimit) -> Self {
        self.rate_limit = rate_limit;
        self
    }

    /// Replaces the HTTP transport (tests, benchmarks, another HTTP stack). The timeout, proxy
    /// and size settings then belong to that transport.
    pub fn transport(mut self, transport: impl Transport + 'static) -> Self {
        self.transport = Some(Arc::new(transport));
        self
    }

    /// Replaces the clock and sleep (tests).
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Some(Arc::new(clock));
        self
    }

    /// Checks every setting and builds the client. Sends nothing.
    pub fn build(mut self) -> Result<Client, ConfigError> {
        let profile = self.apply_profile()?;
        if let Some(r) = &self.region
            && r.len() > MAX_REGION_LEN
        {
            return Err(ConfigError::InvalidSetting {
                setting: "region",
                reason: format!(
                    "{} bytes long; region names are at most {MAX_REGION_LEN} (e.g. \"ap-guangzhou\")",
                    r.len()
                ),
            });
        }
        if let Some(r) = &self.region {
            let valid = !r.is_empty()
                && r.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
            if !valid {
                return Err(ConfigError::InvalidRegion(r.clone()));
            }
        }
        // Checked even when an explicit endpoint wins: a typo is reported, not silently unused.
        let root_domain = match self.root_domain.as_deref() {
            Some(d) => endpoint::check_root_domain(d)?,
            None => endpoint::DEFAULT_ROOT_DOMAIN.to_owned(),
        };
        let explicit_endpoint = match self.endpoint.as_deref() {
            Some(e) => Some(Arc::new(endpoint::parse(e, self.allow_plain_http)?)),
            None => None,
        };
        let positive = |setting: &'static str, d: Option<Duration>, default: Duration| match d {
            Some(d) if d.is_zero() => Err(ConfigError::InvalidSetting {
                setting,
                reason: "must be longer than zero".to_owned(),
            }),
            Some(d) if d > MAX_TIMEOUT => Err(ConfigError::InvalidSetting {
                setting,
                reason: format!(
                    "{d:?} is longer than the longest accepted, {MAX_TIMEOUT:?} (a day)"
                ),
            }),
            Some(d) => Ok(d),
            None => Ok(default),
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
        if let RateLimit::PerSecond(0) = self.rate_limit {
            return Err(ConfigError::InvalidSetting {
                setting: "rate_limit",
                reason: "0 requests per second would never send; use RateLimit::Off for no limit"
                    .to_owned(),
            });
        }
        let transport: Arc<dyn Transport> = match self.transport {
            Some(t) => t,
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
                user_agent: REQUEST_CLIENT.to_owned(),
            })?),
        };
        let clock = self.clock.unwrap_or_else(|| Arc::new(SystemClock));
        let seed = clock.now().as_nanos() as u64 ^ (Arc::as_ptr(&transport) as *const () as u64);
        Ok(Client {
            inner: Arc::new(Inner {
                region: self.region,
                explicit_endpoint,
                root_domain,
                first_service_endpoint: OnceLock::new(),
                other_service_endpoints: Mutex::new(Vec::new()),
                language: self.language,
                credentials: self.credentials.unwrap_or_else(|| {
                    Arc::new(profile.map_or_else(DefaultChain::new, DefaultChain::with_profile))
                }),
                transport,
                retry: self.retry.unwrap_or_default(),
                limiter: Limiter::new(self.rate_limit),
                clock,
                jitter: Jitter::new(seed),
                skew: AtomicI64::new(0),
                key_cache: Mutex::new(None),
            }),
        })
    }
}

impl ClientBuilder {
    /// Checks the profile's name and, when no region is set, takes the one of tccli's profile;
    /// returns the profile, if one was named.
    fn apply_profile(&mut self) -> Result<Option<String>, ConfigError> {
        let named = self.profile.take();
        let profile = named
            .clone()
            .unwrap_or_else(|| TccliProvider::DEFAULT_PROFILE.to_owned());
        if !crate::credentials::valid_profile_name(&profile) {
            return Err(ConfigError::InvalidSetting {
                setting: "profile",
                reason: format!(
                    "{profile:?} is not a profile name (letters, digits, '-', '_' and '.', not \
                     starting with '.')"
                ),
            });
        }
        if self.region.is_none() {
            let tccli = match &self.tccli_dir {
                Some(dir) => TccliProvider::with_dir(dir),
                None => TccliProvider::new(),
            };
            self.region =
                tccli
                    .with_profile(&profile)
                    .region()
                    .map_err(|e| ConfigError::ProfileRegion {
                        profile: profile.clone(),
                        reason: e.to_string(),
                    })?;
        }
        Ok(named)
    }
}

/// `ClientBuilder::profile` and the region taken from tccli's profile.
#[cfg(test)]
#[path = "client_profile_tests.rs"]
mod profile_tests;
