//! The blocking client and its builder.

use crate::action::{Action, ErrorCode};
use crate::clock::{Clock, SystemClock, parse_http_date};
use crate::credentials::{Credentials, DefaultChain, ProvideCredentials, StaticProvider};
use crate::endpoint::{self, Endpoint};
use crate::error::{ConfigError, Error};
use crate::rate_limit::{Limiter, RateLimit};
use crate::retry::{Jitter, RetryPolicy, is_rate_limited};
use crate::sign::{self, SigningKey};
use crate::transport::{HttpRequest, HttpResponse, Transport, UreqSettings, UreqTransport};
use crate::{API_VERSION, SERVICE};
use std::fmt;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The `User-Agent` and `X-TC-RequestClient` of this crate.
const REQUEST_CLIENT: &str = concat!("tc-redis/", env!("CARGO_PKG_VERSION"));

/// Default connect timeout. The official SDKs use one 60 s timeout for everything; connecting
/// takes far less, and a dead endpoint should fail fast.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default timeout of a whole call (connect, send, receive), as in the official SDKs.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// Default cap on a response body. Tencent documents responses up to a few MB at most;
/// anything larger is refused unread.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 10 * 1024 * 1024;

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
    endpoint: Endpoint,
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
    secret_id: String,
    secret_key: String,
    key: SigningKey,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        f.debug_struct("Client")
            .field("region", &i.region)
            .field("endpoint", &i.endpoint.url)
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

    /// The endpoint URL requests go to.
    pub fn endpoint(&self) -> &str {
        &self.inner.endpoint.url
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
        let mut attempt = 0;
        let mut skew_corrected = false;
        loop {
            attempt += 1;
            inner
                .limiter
                .acquire(A::NAME, A::RATE_LIMIT_PER_SECOND, &*inner.clock);
            let credentials = inner.credentials.provide().map_err(Error::Credentials)?;
            let timestamp = self.timestamp();
            let auth = self.authorization(&credentials, timestamp, &hashed_payload);
            let timestamp = timestamp.to_string();
            let mut headers: Vec<(&'static str, &str)> = Vec::with_capacity(9);
            headers.push(("Content-Type", "application/json"));
            headers.push(("X-TC-Action", A::NAME));
            headers.push(("X-TC-Timestamp", &timestamp));
            headers.push(("X-TC-Version", API_VERSION));
            headers.push(("X-TC-Region", region));
            if let Some(token) = credentials.token() {
                headers.push(("X-TC-Token", token));
            }
            headers.push(("X-TC-Language", inner.language.as_str()));
            headers.push(("X-TC-RequestClient", REQUEST_CLIENT));
            headers.push(("Authorization", &auth));
            let sent = inner.transport.send(&HttpRequest {
                url: &inner.endpoint.url,
                headers: &headers,
                body: &body,
            });

            let error = match sent {
                Ok(response) => match crate::response::parse::<A::Response, A::ErrorCode>(
                    response.status,
                    &response.body,
                ) {
                    Ok(parsed) => return Ok(parsed),
                    Err(Error::Api(e))
                        if e.code.as_str() == "AuthFailure.SignatureExpire" && !skew_corrected =>
                    {
                        // Refused before execution: correct the clock from the server's `Date`
                        // and re-sign once, without counting an attempt or waiting.
                        if self.learn_skew(&response) {
                            skew_corrected = true;
                            attempt -= 1;
                            continue;
                        }
                        Error::Api(e)
                    }
                    Err(e) => e,
                },
                Err(e) => Error::Transport(e),
            };
            if attempt >= inner.retry.attempts() || !retryable::<A>(&error) {
                return Err(error);
            }
            inner
                .clock
                .sleep(inner.retry.backoff(attempt, inner.jitter.next()));
        }
    }

    /// Unix seconds for the next request, corrected by the learnt skew.
    fn timestamp(&self) -> u64 {
        let now = self.inner.clock.now().as_secs() as i64;
        (now + self.inner.skew.load(Ordering::Relaxed)).max(0) as u64
    }

    /// Stores the offset the server's `Date` header shows; false when there is none to learn.
    fn learn_skew(&self, response: &HttpResponse) -> bool {
        let Some(server) = response.date.as_deref().and_then(parse_http_date) else {
            return false;
        };
        let local = self.inner.clock.now().as_secs() as i64;
        self.inner
            .skew
            .store(server as i64 - local, Ordering::Relaxed);
        true
    }

    /// The `Authorization` value for a request with this timestamp and payload hash.
    fn authorization(&self, c: &Credentials, timestamp: u64, hashed_payload: &str) -> String {
        let headers = [
            ("content-type", "application/json"),
            ("host", self.inner.endpoint.host.as_str()),
        ];
        let canonical = sign::canonical_request("POST", "/", "", &headers, hashed_payload);
        let date = sign::utc_date(timestamp);
        let scope = sign::credential_scope(&date, SERVICE);
        let to_sign = sign::string_to_sign(timestamp, &scope, &canonical);
        let signature = self.with_signing_key(c, &date, |key| key.sign(&to_sign));
        sign::authorization(c.secret_id(), &scope, "content-type;host", &signature)
    }

    fn with_signing_key<R>(
        &self,
        c: &Credentials,
        date: &str,
        f: impl FnOnce(&SigningKey) -> R,
    ) -> R {
        let mut cache = self
            .inner
            .key_cache
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let fresh = cache.as_ref().is_some_and(|k| {
            k.date == date && k.secret_id == c.secret_id() && k.secret_key == c.secret_key()
        });
        if !fresh {
            *cache = Some(CachedKey {
                date: date.to_owned(),
                secret_id: c.secret_id().to_owned(),
                secret_key: c.secret_key().to_owned(),
                key: SigningKey::derive(c.secret_key(), date, SERVICE),
            });
        }
        match cache.as_ref() {
            Some(k) => f(&k.key),
            None => f(&SigningKey::derive(c.secret_key(), date, SERVICE)),
        }
    }
}

/// Whether another attempt is safe: the request was certainly not executed, or executing it
/// twice is harmless.
fn retryable<A: Action>(error: &Error<A::ErrorCode>) -> bool {
    match error {
        Error::Api(e) => is_rate_limited(e.code.as_str()),
        Error::Transport(t) => {
            use crate::error::TransportErrorKind as K;
            let transient = !matches!(t.kind, K::Tls | K::Proxy | K::ResponseTooLarge);
            transient && (!t.may_have_been_sent || A::IDEMPOTENT)
        }
        Error::Http { status, .. } => A::IDEMPOTENT && (*status >= 500 || *status == 429),
        _ => false,
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
    retry: Option<RetryPolicy>,
    rate_limit: RateLimit,
    transport: Option<Arc<dyn Transport>>,
    clock: Option<Arc<dyn Clock>>,
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
            .field("proxy", &self.proxy.as_deref().map(redact_userinfo))
            .field("retry", &self.retry)
            .field("rate_limit", &self.rate_limit)
            .field("transport", &self.transport)
            .field("clock", &self.clock)
            .finish()
    }
}

/// A URL with any `user:password@` replaced, for display.
fn redact_userinfo(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => {
            let sep = if scheme.is_empty() { "" } else { "://" };
            format!("{scheme}{sep}<redacted>@{}", &rest[at + 1..])
        }
        None => url.to_owned(),
    }
}

impl ClientBuilder {
    /// The region (`X-TC-Region`), such as `ap-guangzhou`. Required by every regional action,
    /// CleanUpInstance included. A financial-zone region (`ap-shanghai-fsi`, ...) also selects
    /// its own endpoint, `redis.<region>.tencentcloudapi.com`.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Static credentials. Without this, [`DefaultChain`] is used: environment, then the
    /// profile file, then the CVM role.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(Arc::new(StaticProvider::new(credentials)));
        self
    }

    /// Any credentials provider.
    pub fn credentials_provider(mut self, provider: impl ProvideCredentials + 'static) -> Self {
        self.credentials = Some(Arc::new(provider));
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

    /// The connect timeout. Default [`DEFAULT_CONNECT_TIMEOUT`] (10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// The timeout of one whole attempt: connect, send, and receive the full response.
    /// Default [`DEFAULT_TIMEOUT`] (60 s, as in the official SDKs).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The largest response body read. Default [`DEFAULT_MAX_RESPONSE_BYTES`] (10 MiB).
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.max_response_bytes = Some(limit);
        self
    }

    /// A proxy (`http://[user:pass@]host:port`, or `socks5://...`). Without it, the
    /// `HTTPS_PROXY`/`ALL_PROXY`/`NO_PROXY` environment variables apply.
    pub fn proxy(mut self, proxy: impl Into<String>) -> Self {
        self.proxy = Some(proxy.into());
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
    pub fn build(self) -> Result<Client, ConfigError> {
        if let Some(r) = &self.region {
            let valid = !r.is_empty()
                && r.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
            if !valid {
                return Err(ConfigError::InvalidRegion(r.clone()));
            }
        }
        let endpoint = endpoint::resolve(
            SERVICE,
            self.region.as_deref(),
            self.endpoint.as_deref(),
            self.allow_plain_http,
        )?;
        let positive = |setting: &'static str, d: Option<Duration>, default: Duration| match d {
            Some(d) if d.is_zero() => Err(ConfigError::InvalidSetting {
                setting,
                reason: "must be longer than zero".to_owned(),
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
                proxy: self.proxy,
                https_only: !self.allow_plain_http,
                user_agent: REQUEST_CLIENT.to_owned(),
            })?),
        };
        let clock = self.clock.unwrap_or_else(|| Arc::new(SystemClock));
        let seed = clock.now().as_nanos() as u64 ^ (Arc::as_ptr(&transport) as *const () as u64);
        Ok(Client {
            inner: Arc::new(Inner {
                region: self.region,
                endpoint,
                language: self.language,
                credentials: self
                    .credentials
                    .unwrap_or_else(|| Arc::new(DefaultChain::new())),
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

#[cfg(test)]
mod tests {
    use super::redact_userinfo;

    #[test]
    fn proxy_credentials_are_redacted() {
        assert_eq!(
            redact_userinfo("http://user:pw@proxy:3128"),
            "http://<redacted>@proxy:3128"
        );
        assert_eq!(
            redact_userinfo("user:pw@proxy:3128/x"),
            "<redacted>@proxy:3128/x"
        );
        assert_eq!(redact_userinfo("http://proxy:3128"), "http://proxy:3128");
    }
}
