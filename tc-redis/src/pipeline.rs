//! The request pipeline: sign, send, retry, read the reply. One [`Pipeline`] serves a
//! [`Client`](crate::Client), and one the STS exchange of each STS credentials provider, on the
//! caller's [`Network`]; it sits below both, so neither imports the other.

use crate::action::{Action, ErrorCode};
use crate::clock::{Clock, parse_http_date};
use crate::credentials::{Credentials, ProvideCredentials};
use crate::endpoint::Endpoint;
use crate::error::{ConfigError, Error, Outcome};
use crate::events::{self, CallContext};
use crate::network::Network;
use crate::rate_limit::{Limiter, RateLimit};
use crate::retry::{Jitter, RetryPolicy, is_rate_limited};
use crate::sign::{self, SigningKey};
use crate::transport::{HttpRequest, HttpResponse};
use std::fmt;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

/// The `Authorization` of an action the API takes unsigned, as the official SDKs send it.
const UNSIGNED: &str = "SKIP";

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

/// Everything a call needs besides the request: where and how to send it, who signs, how to
/// retry and pace. Shared by clones of a client and their threads.
pub(crate) struct Pipeline {
    network: Network,
    region: Option<String>,
    language: Language,
    credentials: Arc<dyn ProvideCredentials>,
    retry: RetryPolicy,
    limiter: Limiter,
    clock: Arc<dyn Clock>,
    jitter: Jitter,
    /// The first service's endpoint, read without a lock (a client mostly calls one service).
    first_service_endpoint: OnceLock<(&'static str, Arc<Endpoint>)>,
    other_service_endpoints: Mutex<Vec<(&'static str, Arc<Endpoint>)>>,
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

impl fmt::Debug for Pipeline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pipeline")
            .field("region", &self.region)
            .field("network", &self.network)
            .field("language", &self.language)
            .field("credentials", &self.credentials)
            .field("retry", &self.retry)
            .field("clock_skew_seconds", &self.skew.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl Pipeline {
    /// A pipeline on `network`, in `region`, signing with `credentials`, timed by `clock`, with
    /// the default language, retry policy and rate limit.
    pub(crate) fn new(
        network: Network,
        region: Option<String>,
        credentials: Arc<dyn ProvideCredentials>,
        clock: Arc<dyn Clock>,
    ) -> Pipeline {
        let seed =
            clock.now().as_nanos() as u64 ^ (Arc::as_ptr(network.transport()) as *const () as u64);
        Pipeline {
            network,
            region,
            language: Language::default(),
            credentials,
            retry: RetryPolicy::default(),
            limiter: Limiter::new(RateLimit::default()),
            clock,
            jitter: Jitter::new(seed),
            first_service_endpoint: OnceLock::new(),
            other_service_endpoints: Mutex::new(Vec::new()),
            skew: AtomicI64::new(0),
            key_cache: Mutex::new(None),
        }
    }

    pub(crate) fn with_language(mut self, language: Language) -> Pipeline {
        self.language = language;
        self
    }

    pub(crate) fn with_retry(mut self, retry: RetryPolicy) -> Pipeline {
        self.retry = retry;
        self
    }

    pub(crate) fn with_rate_limit(mut self, rate_limit: RateLimit) -> Pipeline {
        self.limiter = Limiter::new(rate_limit);
        self
    }

    pub(crate) fn network(&self) -> &Network {
        &self.network
    }

    pub(crate) fn credentials(&self) -> &dyn ProvideCredentials {
        &*self.credentials
    }

    #[cfg(feature = "task-wait")]
    pub(crate) fn clock(&self) -> &dyn Clock {
        &*self.clock
    }

    pub(crate) fn clock_skew(&self) -> i64 {
        self.skew.load(Ordering::Relaxed)
    }

    #[cfg(all(test, feature = "credentials-profile"))]
    pub(crate) fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    /// Where an action of `service` goes, resolved once per service.
    pub(crate) fn route(&self, service: &'static str) -> Arc<Endpoint> {
        let resolve = || self.network.endpoint_for(service, self.region.as_deref());
        let (first, e) = self
            .first_service_endpoint
            .get_or_init(|| (service, resolve()));
        if *first == service {
            return Arc::clone(e);
        }
        let mut known = self
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

    /// Sends `request`: serialised once, the exact bytes signed and sent, each attempt signed
    /// again with a fresh timestamp, retried as [`retryable`] allows.
    pub(crate) fn call<A: Action>(&self, request: &A) -> Result<A::Response, Error<A::ErrorCode>> {
        let region = self
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
        let user_agent = self.network.user_agent();
        let mut attempt = 0;
        let mut skew_corrected = false;
        // The error of the attempt before the retry wait: what a cancel during it reports.
        let mut previous: Option<Error<A::ErrorCode>> = None;
        let cancel = self.network.cancel();
        let cancelled = |previous: Option<Error<A::ErrorCode>>| Error::Cancelled {
            previous: previous.map(Box::new),
        };
        loop {
            attempt += 1;
            if !self
                .limiter
                .acquire(A::NAME, A::RATE_LIMIT_PER_SECOND, &*self.clock, cancel)
            {
                return Err(cancelled(previous));
            }
            // An action the API takes unsigned asks no provider and sends no credentials.
            let credentials = if A::SKIP_SIGN {
                None
            } else {
                Some(self.credentials.provide().map_err(Error::Credentials)?)
            };
            // Last check before the request leaves: providing credentials can take a while (an
            // STS exchange), and nothing may start after a cancel.
            if cancel.is_cancelled() {
                return Err(cancelled(previous));
            }
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
            headers.push(("X-TC-Language", self.language.as_str()));
            headers.push(("X-TC-RequestClient", user_agent));
            headers.push(("Authorization", &auth));
            let started = self.clock.monotonic();
            let sent = self.network.transport().send(&HttpRequest {
                url: &endpoint.url,
                headers: &headers,
                body: &body,
            });

            let elapsed = || self.clock.monotonic().saturating_sub(started);
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
            if attempt >= self.retry.attempts() || !retryable::<A>(&error) {
                if retryable::<A>(&error) {
                    events::giving_up(&call, attempt, &error);
                }
                return Err(error);
            }
            let wait = self.retry.backoff(attempt, self.jitter.next());
            events::retry(&call, attempt, self.retry.attempts(), wait, &error);
            if !cancel.sleep(&*self.clock, wait) {
                return Err(cancelled(Some(error)));
            }
            previous = Some(error);
        }
    }

    /// Unix seconds for the next request, corrected by the learnt skew.
    fn timestamp(&self) -> u64 {
        let now = self.clock.now().as_secs() as i64;
        (now + self.skew.load(Ordering::Relaxed)).max(0) as u64
    }

    /// Stores the offset the server's `Date` header shows and returns it; `None` when there is
    /// none to learn.
    fn learn_skew(&self, response: &HttpResponse) -> Option<i64> {
        let server = response.date.as_deref().and_then(parse_http_date)?;
        let local = self.clock.now().as_secs() as i64;
        let skew = server as i64 - local;
        self.skew.store(skew, Ordering::Relaxed);
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
        let mut cache = self.key_cache.lock().unwrap_or_else(|p| p.into_inner());
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
                events::credentials_refreshed(self.credentials.name());
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
