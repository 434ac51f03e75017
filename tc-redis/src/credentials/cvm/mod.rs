//! [`CvmRoleProvider`]: temporary credentials of the CVM instance's CAM role, from the
//! instance metadata service, and the HTTP client it asks it with (`metadata.rs`).

mod metadata;

use super::error::invalid_reason;
use super::expiry::{MAX_LIFETIME_SECS, checked_expiry};
use super::provider_context::HandedNetwork;
use super::refresh::{Expiring, RefreshingCache};
use super::{CredentialSource, Credentials, CredentialsError, ProvideCredentials, ProviderContext};
use crate::escape::Escaped;
use crate::network::{Network, USER_AGENT};
use metadata::{MetadataAgent, MetadataGetError};
use std::fmt::{self, Write as _};
use std::sync::OnceLock;
use std::time::Duration;

/// The provider's name in messages.
const NAME: &str = "cvm-role";

/// Temporary credentials of the CAM role bound to a CVM instance, from the instance metadata
/// service.
///
/// `GET <base>` lists the role name (first non-empty line), unless one was given with
/// [`with_role_name`](Self::with_role_name); `GET <base><role>` returns
/// `{"TmpSecretId","TmpSecretKey","Token","ExpiredTime","Expiration","Code":"Success"}`.
///
/// The credentials are cached and fetched again once `ExpiredTime - now <= 300` seconds (by the
/// [`ProviderContext`]'s clock). If that refresh fails while the cached credentials have not yet
/// expired, they are still returned and the refresh is tried again at the next call; once they
/// have expired the error is returned. Credentials that are already expired when received are an
/// error (never returned, never cached), and an `ExpiredTime` more than
/// [`MAX_LIFETIME_SECS`](super::MAX_LIFETIME_SECS) (12 h) ahead is treated as 12 h ahead, so
/// that a wild value does not stop refreshes.
///
/// What it takes of the network of the client it signs for: the user agent, and the client's
/// timeouts as upper bounds of its own short ones (1 s to connect, 5 s overall by default; the
/// official SDK sets none), unless [`with_connect_timeout`](Self::with_connect_timeout) or
/// [`with_timeout`](Self::with_timeout) set them. Never the proxy, the trust roots or the root
/// domain: the metadata service is a plain-http host inside Tencent Cloud's network that answers
/// for this instance only. No redirects, and at most 64 KiB read.
///
/// No metadata service (a connection failure or timeout: not a CVM instance) or no role bound
/// (HTTP 404 or an empty listing) is [`NotLoaded`](super::CredentialsErrorKind::NotLoaded), so
/// that the default chain, which asks it last, ends quickly elsewhere.
pub struct CvmRoleProvider {
    base_url: String,
    role_name: Option<String>,
    connect_timeout: Option<Duration>,
    timeout: Option<Duration>,
    context: ProviderContext,
    network: HandedNetwork,
    cache: RefreshingCache,
    agent: OnceLock<MetadataAgent>,
}

/// Refresh this many seconds (or fewer) before `ExpiredTime`, like the official SDKs.
const REFRESH_WINDOW_SECS: i64 = 300;

/// Largest metadata answer read.
const MAX_METADATA_BODY: u64 = 64 * 1024;

impl CvmRoleProvider {
    /// The metadata service's credentials endpoint.
    pub const DEFAULT_BASE_URL: &'static str =
        "http://metadata.tencentyun.com/latest/meta-data/cam/security-credentials/";
    /// Default connection timeout.
    pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
    /// Default timeout of a whole request, connection and body included.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

    /// Queries the default metadata service, discovering the role name.
    pub fn new() -> Self {
        CvmRoleProvider::with_context(ProviderContext::new())
    }

    /// Like [`new`](Self::new), timing expiry by the clock of `context` (and sending on its
    /// network, if it has one).
    pub fn with_context(context: ProviderContext) -> Self {
        CvmRoleProvider {
            base_url: Self::DEFAULT_BASE_URL.to_owned(),
            role_name: None,
            connect_timeout: None,
            timeout: None,
            context,
            network: HandedNetwork::default(),
            cache: RefreshingCache::new(),
            agent: OnceLock::new(),
        }
    }

    /// Queries another base URL (a trailing `/` is added if missing).
    pub fn with_base_url(mut self, base_url: impl Into<String>) -> Self {
        let mut base_url = base_url.into();
        if !base_url.ends_with('/') {
            base_url.push('/');
        }
        self.base_url = base_url;
        self
    }

    /// Uses this role instead of listing it (an empty name means: list it).
    pub fn with_role_name(mut self, role_name: impl Into<String>) -> Self {
        let role_name = role_name.into().trim().to_owned();
        self.role_name = (!role_name.is_empty()).then_some(role_name);
        self
    }

    /// Sets the connection timeout (default 1 s, or the client's if shorter); also bounds name
    /// resolution.
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Sets the timeout of each whole request (default 5 s, or the client's if shorter).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The timeouts in force: the explicit ones, else the defaults capped by the network's.
    fn timeouts(&self) -> (Duration, Duration) {
        let network = self.network.get(&self.context);
        let pick =
            |explicit: Option<Duration>, default: Duration, cap: fn(&Network) -> Duration| {
                explicit.unwrap_or_else(|| network.map_or(default, |n| default.min(cap(n))))
            };
        (
            pick(
                self.connect_timeout,
                Self::DEFAULT_CONNECT_TIMEOUT,
                Network::connect_timeout,
            ),
            pick(self.timeout, Self::DEFAULT_TIMEOUT, Network::timeout),
        )
    }

    fn agent(&self) -> &MetadataAgent {
        self.agent.get_or_init(|| {
            let (connect, overall) = self.timeouts();
            let user_agent = self
                .network
                .get(&self.context)
                .map_or(USER_AGENT, Network::user_agent);
            MetadataAgent::new(connect, overall, user_agent)
        })
    }

    /// `GET url`: the status and at most [`MAX_METADATA_BODY`] bytes of body.
    fn get(&self, url: &str) -> Result<(u16, Vec<u8>), CredentialsError> {
        self.agent()
            .get(url, MAX_METADATA_BODY)
            .map_err(|e| match e {
                MetadataGetError::Unreachable { timed_out, message } => {
                    let detail = if timed_out {
                        let (connect, overall) = self.timeouts();
                        format!(
                            "no answer within the timeout (connect {connect:?}, overall \
                             {overall:?}): {message}"
                        )
                    } else {
                        message
                    };
                    // Not a CVM instance, or the network blocks it: the next source may apply.
                    CredentialsError::not_loaded(
                        NAME,
                        format!(
                            "metadata service unreachable ({}): {}",
                            Escaped(url),
                            Escaped(&detail)
                        ),
                    )
                }
                MetadataGetError::TooLarge => {
                    malformed(url, &format!("body larger than {MAX_METADATA_BODY} bytes"))
                }
            })
    }

    fn role_name(&self) -> Result<String, CredentialsError> {
        if let Some(role) = &self.role_name {
            return Ok(role.clone());
        }
        let url = &self.base_url;
        let no_role = |why: &str| {
            CredentialsError::not_loaded(
                NAME,
                format!(
                    "no CAM role is bound to this instance ({why} from {})",
                    Escaped(url)
                ),
            )
        };
        let (status, body) = self.get(url)?;
        match status {
            200 => {}
            404 => return Err(no_role("HTTP 404")),
            status => return Err(bad_status(url, status)),
        }
        let text =
            String::from_utf8(body).map_err(|_| malformed(url, "role listing is not UTF-8"))?;
        match text.lines().map(str::trim).find(|l| !l.is_empty()) {
            Some(role) => Ok(role.to_owned()),
            None => Err(no_role("empty role listing")),
        }
    }

    /// Fetches fresh credentials and their `ExpiredTime` (clamped by [`checked_expiry`]), at
    /// `now`.
    fn fetch(&self, now: i64) -> Result<Expiring, CredentialsError> {
        let role = self.role_name()?;
        let url = format!("{}{}", self.base_url, encode_path_segment(&role));
        let (status, body) = self.get(&url)?;
        if status != 200 {
            return Err(bad_status(&url, status));
        }
        let fetched = parse_role_credentials(&body, &url)?;
        let origin = Escaped(&url).to_string();
        Ok(Expiring {
            expires_at: checked_expiry(NAME, &origin, now, fetched.expires_at, MAX_LIFETIME_SECS)?,
            credentials: fetched
                .credentials
                .with_source(CredentialSource::CvmRole { role }),
        })
    }
}

impl Default for CvmRoleProvider {
    fn default() -> Self {
        CvmRoleProvider::new()
    }
}

impl fmt::Debug for CvmRoleProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cached = self.cache.cached_until();
        f.debug_struct("CvmRoleProvider")
            .field("base_url", &self.base_url)
            .field("role_name", &self.role_name)
            .field("timeouts", &self.timeouts())
            .field("cached_until", &format_args!("{cached}"))
            .finish_non_exhaustive()
    }
}

impl ProvideCredentials for CvmRoleProvider {
    fn provide(&self) -> Result<Credentials, CredentialsError> {
        let now = self.context.unix_now();
        self.cache.get(now, REFRESH_WINDOW_SECS, || self.fetch(now))
    }

    fn name(&self) -> &'static str {
        NAME
    }

    fn use_network(&self, network: &Network) {
        self.network.hand(network);
    }
}

/// The metadata service answered with a status other than 200.
fn bad_status(url: &str, status: u16) -> CredentialsError {
    CredentialsError::provider_error(
        NAME,
        format!(
            "metadata service answered HTTP {status} for {}; check the role name (a 404 for a \
             named role means no such role is bound) and the base URL",
            Escaped(url)
        ),
    )
}

/// The metadata service's answer is not what was expected: `detail` names the field, never its
/// value.
fn malformed(url: &str, detail: &str) -> CredentialsError {
    CredentialsError::provider_error(
        NAME,
        format!(
            "malformed answer from {}: {}",
            Escaped(url),
            Escaped(detail)
        ),
    )
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
fn encode_path_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// Parses the metadata service's credentials document.
fn parse_role_credentials(body: &[u8], url: &str) -> Result<Expiring, CredentialsError> {
    let bad = |detail: String| malformed(url, &detail);
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| bad(format!("not JSON ({e})")))?;
    let object = value
        .as_object()
        .ok_or_else(|| bad("not a JSON object".into()))?;
    let string = |name: &str| -> Result<&str, CredentialsError> {
        match object.get(name) {
            None => Err(bad(format!("missing field `{name}`"))),
            Some(v) => v
                .as_str()
                .ok_or_else(|| bad(format!("field `{name}` is not a string"))),
        }
    };
    let code = string("Code")?;
    if code != "Success" {
        let printable = code.len() <= 64 && code.bytes().all(|b| b.is_ascii_graphic());
        let code = if printable { code } else { "<unprintable>" };
        return Err(CredentialsError::provider_error(
            NAME,
            format!(
                "metadata service answered Code {code:?} (expected \"Success\") for {}; check \
                 that the CAM role bound to the instance still exists and may be assumed by CVM",
                Escaped(url)
            ),
        ));
    }
    let checked = |name: &str| -> Result<&str, CredentialsError> {
        let value = string(name)?;
        match invalid_reason(value) {
            Some(reason) => Err(bad(format!("field `{name}` {reason}"))),
            None => Ok(value),
        }
    };
    let id = checked("TmpSecretId")?;
    let key = checked("TmpSecretKey")?;
    let token = checked("Token")?;
    let expired_time = match object.get("ExpiredTime") {
        None => return Err(bad("missing field `ExpiredTime`".into())),
        Some(v) => v
            .as_i64()
            .ok_or_else(|| bad("field `ExpiredTime` is not an integer".into()))?,
    };
    Ok(Expiring {
        credentials: Credentials::new(id, key)?.with_token(token)?,
        expires_at: expired_time,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::CredentialsErrorKind::{NotLoaded, ProviderError};
    use crate::credentials::test_support::{
        Metadata, ROLE_PATH, TestClock, assert_no_secret, closed_port_base, context,
    };
    use std::net::TcpListener;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    use std::time::Instant;

    fn role_json(id: &str, key: &str, token: &str, expired: u64) -> String {
        format!(
            r#"{{"TmpSecretId":"{id}","TmpSecretKey":"{key}","ExpiredTime":{expired},"Expiration":"2030-01-01T00:00:00Z","Token":"{token}","Code":"Success"}}"#
        )
    }

    /// A provider for `base` whose clock reads `clock`.
    fn cvm(base: &str, clock: &TestClock) -> CvmRoleProvider {
        CvmRoleProvider::with_context(context(&[]).with_clock(clock.clone()))
            .with_base_url(base)
            .with_timeout(Duration::from_secs(3))
    }

    #[test]
    fn cvm_lists_role_and_fetches_credentials() {
        let server = Metadata::start(|path| match path.strip_prefix(ROLE_PATH) {
            Some("") => (200, "\n  my-role  \nsecond\n".into()),
            Some("my-role") => (
                200,
                role_json("AKIDtmp", "TmpKeyQw8", "TmpTokenPo5", 2_000_000_000),
            ),
            _ => (404, String::new()),
        });
        let p = cvm(&server.base(), &TestClock::at(1_999_990_000));
        let c = p.provide().unwrap();
        assert_eq!(
            (c.secret_id(), c.secret_key(), c.token()),
            ("AKIDtmp", "TmpKeyQw8", Some("TmpTokenPo5"))
        );
        assert_eq!(
            c.source(),
            &CredentialSource::CvmRole {
                role: "my-role".into()
            }
        );
        assert_eq!(c.source().to_string(), "CVM instance role `my-role`");
        assert_eq!(
            server.hits(),
            [ROLE_PATH.to_owned(), format!("{ROLE_PATH}my-role")]
        );
        // Cached: no further request.
        p.provide().unwrap();
        assert_eq!(server.hits().len(), 2);
        let debug = format!("{p:?}");
        assert!(debug.contains("cached_until: Some(2000000000)"), "{debug}");
        assert_no_secret(&debug);
        assert_eq!(p.name(), "cvm-role");
    }

    #[test]
    fn cvm_a_hostile_role_name_is_escaped_where_it_is_shown() {
        let server = Metadata::start(|path| match path.strip_prefix(ROLE_PATH) {
            Some("") => (200, "role\u{1b}[2J\u{202e}x".into()),
            _ => (
                200,
                role_json("AKIDtmp", "TmpKeyQw8", "TmpTokenPo5", 2_000_000_000),
            ),
        });
        let c = cvm(&server.base(), &TestClock::at(0)).provide().unwrap();
        let shown = c.source().to_string();
        assert_eq!(shown, r"CVM instance role `role\u{1b}[2J\u{202e}x`");
        assert!(!shown.chars().any(crate::escape::is_hostile), "{shown:?}");
    }

    #[test]
    fn cvm_given_role_name_is_not_listed_and_is_encoded() {
        let server = Metadata::start(|path| match path.strip_prefix(ROLE_PATH) {
            Some("a%2Bb%40c") => (
                200,
                role_json("AKIDtmp", "TmpKeyQw8", "TmpTokenPo5", 2_000_000_000),
            ),
            _ => (404, String::new()),
        });
        let p = cvm(server.base().trim_end_matches('/'), &TestClock::at(0)).with_role_name("a+b@c");
        assert_eq!(p.provide().unwrap().secret_id(), "AKIDtmp");
        assert_eq!(server.hits(), [format!("{ROLE_PATH}a%2Bb%40c")]);
    }

    #[test]
    fn cvm_refreshes_only_within_300_seconds_of_expiry() {
        let fetches = Arc::new(AtomicU64::new(0));
        let failing = Arc::new(AtomicBool::new(false));
        let (f, fail) = (Arc::clone(&fetches), Arc::clone(&failing));
        let server = Metadata::start(move |path| match path.strip_prefix(ROLE_PATH) {
            Some("") => (200, "role".into()),
            Some("role") if fail.load(Ordering::SeqCst) => (500, String::new()),
            Some("role") => {
                let n = f.fetch_add(1, Ordering::SeqCst) + 1;
                (
                    200,
                    role_json(
                        &format!("AKIDgen{n}"),
                        "TmpKeyQw8",
                        "TmpTokenPo5",
                        10_000 * n,
                    ),
                )
            }
            _ => (404, String::new()),
        });
        let clock = TestClock::at(1_000);
        let p = cvm(&server.base(), &clock);
        let fetched = || server.credential_fetches();

        assert_eq!(p.provide().unwrap().secret_id(), "AKIDgen1");
        assert_eq!(fetched(), 1);
        clock.set(10_000 - 301);
        assert_eq!(p.provide().unwrap().secret_id(), "AKIDgen1");
        assert_eq!(fetched(), 1, "no fetch while more than 300 s remain");
        clock.set(10_000 - 300);
        assert_eq!(p.provide().unwrap().secret_id(), "AKIDgen2");
        assert_eq!(fetched(), 2, "second fetch once ExpiredTime - now <= 300");
        assert_eq!(p.provide().unwrap().secret_id(), "AKIDgen2");
        assert_eq!(fetched(), 2);

        // A failed refresh falls back to the cached credentials until they expire.
        failing.store(true, Ordering::SeqCst);
        clock.set(20_000 - 10);
        assert_eq!(p.provide().unwrap().secret_id(), "AKIDgen2");
        clock.set(20_000);
        let e = p.provide().unwrap_err();
        assert_eq!(e.kind(), ProviderError);
        assert!(
            e.to_string()
                .starts_with("cvm-role: metadata service answered HTTP 500 for http://"),
            "{e}"
        );
        failing.store(false, Ordering::SeqCst);
        assert_eq!(p.provide().unwrap().secret_id(), "AKIDgen3");
    }

    #[test]
    fn cvm_code_not_success() {
        let server = Metadata::start(|path| match path.strip_prefix(ROLE_PATH) {
            Some("") => (200, "role".into()),
            _ => (
                200,
                r#"{"Code":"RoleNotExist","TmpSecretKey":"TmpKeyQw8","Token":"TmpTokenPo5"}"#
                    .into(),
            ),
        });
        let e = cvm(&server.base(), &TestClock::at(0))
            .provide()
            .unwrap_err();
        assert_eq!(e.kind(), ProviderError, "must stop the chain");
        assert_eq!(
            e.to_string(),
            format!(
                "cvm-role: metadata service answered Code \"RoleNotExist\" (expected \"Success\") \
                 for {}role; check that the CAM role bound to the instance still exists and may \
                 be assumed by CVM",
                server.base()
            )
        );
        assert_no_secret(&format!("{e} {e:?}"));
    }

    #[test]
    fn cvm_malformed_answers() {
        let cases: [(&str, &str); 7] = [
            ("not json", "not JSON"),
            ("[1]", "not a JSON object"),
            (
                r#"{"TmpSecretId":"a","TmpSecretKey":"TmpKeyQw8","Token":"TmpTokenPo5","ExpiredTime":1}"#,
                "missing field `Code`",
            ),
            (
                r#"{"Code":"Success","TmpSecretId":"a","Token":"TmpTokenPo5","ExpiredTime":1}"#,
                "missing field `TmpSecretKey`",
            ),
            (
                r#"{"Code":"Success","TmpSecretId":"a","TmpSecretKey":"TmpKeyQw8","Token":"TmpTokenPo5"}"#,
                "missing field `ExpiredTime`",
            ),
            (
                r#"{"Code":"Success","TmpSecretId":"a","TmpSecretKey":"TmpKeyQw8","Token":"TmpTokenPo5","ExpiredTime":"1"}"#,
                "field `ExpiredTime` is not an integer",
            ),
            (
                r#"{"Code":"Success","TmpSecretId":"a","TmpSecretKey":" TmpKeyQw8","Token":"TmpTokenPo5","ExpiredTime":1}"#,
                "field `TmpSecretKey` has leading",
            ),
        ];
        for (body, expected) in cases {
            let body = body.to_owned();
            let server = Metadata::start(move |path| {
                if path == ROLE_PATH {
                    (200, "role".into())
                } else {
                    (200, body.clone())
                }
            });
            let e = cvm(&server.base(), &TestClock::at(0))
                .provide()
                .unwrap_err();
            assert_eq!(e.kind(), ProviderError);
            let prefix = format!("cvm-role: malformed answer from {}role: ", server.base());
            let shown = e.to_string();
            assert!(
                shown.starts_with(&prefix) && shown[prefix.len()..].contains(expected),
                "{shown} vs {expected}"
            );
            assert_no_secret(&format!("{e} {e:?}"));
        }
    }

    #[test]
    fn cvm_oversized_body() {
        let server = Metadata::start(|path| {
            if path == ROLE_PATH {
                (200, "role".into())
            } else {
                (200, "x".repeat(70 * 1024))
            }
        });
        let e = cvm(&server.base(), &TestClock::at(0))
            .provide()
            .unwrap_err();
        assert_eq!(e.kind(), ProviderError);
        assert!(
            e.to_string().ends_with("body larger than 65536 bytes"),
            "{e}"
        );
    }

    #[test]
    fn cvm_no_role_bound_and_bad_status() {
        let server = Metadata::start(|_| (404, String::new()));
        let e = cvm(&server.base(), &TestClock::at(0))
            .provide()
            .unwrap_err();
        assert_eq!(e.kind(), NotLoaded, "{e:?}");
        assert_eq!(e.provider(), Some("cvm-role"));
        assert!(e.to_string().contains("no CAM role is bound"), "{e}");
        let server = Metadata::start(|_| (200, "\n \n".into()));
        let e = cvm(&server.base(), &TestClock::at(0))
            .provide()
            .unwrap_err();
        assert_eq!(e.kind(), NotLoaded, "{e:?}");
        assert!(e.to_string().contains("(empty role listing from"), "{e}");
        let server = Metadata::start(|_| (503, String::new()));
        let e = cvm(&server.base(), &TestClock::at(0))
            .provide()
            .unwrap_err();
        assert_eq!(e.kind(), ProviderError);
        assert!(e.to_string().contains("answered HTTP 503 for"), "{e}");
        // A named role that does not exist is a status error, not "not loaded".
        let server = Metadata::start(|_| (404, String::new()));
        let e = cvm(&server.base(), &TestClock::at(0))
            .with_role_name("ghost")
            .provide()
            .unwrap_err();
        assert_eq!(e.kind(), ProviderError);
        assert!(e.to_string().contains("answered HTTP 404 for"), "{e}");
    }

    #[test]
    fn cvm_unreachable_port_fails_fast() {
        let base = closed_port_base();
        let start = Instant::now();
        let e = CvmRoleProvider::new()
            .with_base_url(&base)
            .with_connect_timeout(Duration::from_millis(500))
            .with_timeout(Duration::from_secs(1))
            .provide()
            .unwrap_err();
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "{:?}",
            start.elapsed()
        );
        assert_eq!(e.kind(), NotLoaded, "the chain moves on: {e:?}");
        assert!(
            e.to_string().starts_with(&format!(
                "cvm-role: metadata service unreachable ({base}): "
            )),
            "{e}"
        );
    }

    #[test]
    fn cvm_silent_server_times_out() {
        // Accepts connections (via the backlog) but never answers.
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}{ROLE_PATH}", listener.local_addr().unwrap());
        let start = Instant::now();
        let e = CvmRoleProvider::new()
            .with_base_url(&base)
            .with_timeout(Duration::from_millis(300))
            .provide()
            .unwrap_err();
        let elapsed = start.elapsed();
        assert!(
            elapsed >= Duration::from_millis(250) && elapsed < Duration::from_secs(3),
            "{elapsed:?}"
        );
        assert_eq!(e.kind(), NotLoaded);
        assert!(e.to_string().contains("no answer within"), "{e}");
        drop(listener);
    }

    #[test]
    fn cvm_takes_the_user_agent_and_at_most_the_timeouts_of_the_clients_network() {
        let server = Metadata::start(|_| (404, String::new()));
        let network = crate::network::NetworkSettings {
            connect_timeout: Some(Duration::from_millis(200)),
            timeout: Some(Duration::from_secs(30)),
            ..Default::default()
        }
        .build(&crate::env::Env::from_pairs([("HOME", "/nonexistent")]))
        .unwrap();
        let p = cvm(&server.base(), &TestClock::at(0));
        // Explicit: 3 s overall (above); the connect timeout is the client's, shorter than 1 s.
        p.use_network(&network);
        assert_eq!(
            p.timeouts(),
            (Duration::from_millis(200), Duration::from_secs(3))
        );
        // The defaults are caps: a client's longer timeout does not lengthen them.
        let q = CvmRoleProvider::new();
        q.use_network(&network);
        assert_eq!(
            q.timeouts(),
            (Duration::from_millis(200), CvmRoleProvider::DEFAULT_TIMEOUT)
        );
        p.provide().unwrap_err();
        let request = &server.requests()[0];
        assert_eq!(request.header("user-agent"), Some(USER_AGENT));
    }

    #[test]
    fn cvm_callers_do_not_queue_behind_a_slow_refresh_while_credentials_are_valid() {
        let fetches = Arc::new(AtomicU64::new(0));
        let f = Arc::clone(&fetches);
        let server = Metadata::start(move |path| match path.strip_prefix(ROLE_PATH) {
            Some("") => (200, "role".into()),
            Some("role") => {
                let n = f.fetch_add(1, Ordering::SeqCst) + 1;
                if n > 1 {
                    // The refresh is slow.
                    std::thread::sleep(Duration::from_millis(1500));
                }
                let id = format!("AKIDgen{n}");
                (200, role_json(&id, "TmpKeyQw8", "TmpTokenPo5", 10_000 * n))
            }
            _ => (404, String::new()),
        });
        let clock = TestClock::at(1_000);
        let p = Arc::new(cvm(&server.base(), &clock));
        assert_eq!(p.provide().unwrap().secret_id(), "AKIDgen1");

        // Within the refresh window: one caller refreshes (slowly)...
        clock.set(10_000 - 300);
        let refresher = {
            let p = Arc::clone(&p);
            std::thread::spawn(move || p.provide().unwrap().secret_id().to_owned())
        };
        while fetches.load(Ordering::SeqCst) < 2 {
            std::thread::sleep(Duration::from_millis(10));
        }
        // ...and another gets the still-valid credentials at once.
        let started = Instant::now();
        assert_eq!(p.provide().unwrap().secret_id(), "AKIDgen1");
        assert!(
            started.elapsed() < Duration::from_millis(500),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(refresher.join().unwrap(), "AKIDgen2");
        assert_eq!(p.provide().unwrap().secret_id(), "AKIDgen2");
    }

    #[test]
    fn cvm_expired_credentials_are_an_error_and_not_cached() {
        let expiry = Arc::new(AtomicU64::new(900));
        let e2 = Arc::clone(&expiry);
        let server = Metadata::start(move |path| match path.strip_prefix(ROLE_PATH) {
            Some("") => (200, "role".into()),
            Some("role") => (
                200,
                role_json(
                    "AKIDtmp",
                    "TmpKeyQw8",
                    "TmpTokenPo5",
                    e2.load(Ordering::SeqCst),
                ),
            ),
            _ => (404, String::new()),
        });
        let p = cvm(&server.base(), &TestClock::at(1_000));
        for (n, expired) in [(1, 900), (2, 1_000)] {
            expiry.store(expired, Ordering::SeqCst);
            let e = p.provide().unwrap_err();
            assert_eq!(e.kind(), ProviderError, "must stop the chain");
            assert_eq!(
                e.to_string(),
                format!(
                    "cvm-role: the credentials from {}role expired {} s before they were \
                     received (ExpiredTime {expired}, now 1000); check the clock of this \
                     machine, or the source",
                    server.base(),
                    1_000 - expired
                ),
            );
            assert_no_secret(&format!("{e} {e:?}"));
            assert_eq!(
                server.credential_fetches(),
                n,
                "one fetch per call, not two"
            );
        }
        assert!(format!("{p:?}").contains("cached_until: None"), "{p:?}");
        // Valid again: fetched and cached.
        expiry.store(5_000, Ordering::SeqCst);
        assert_eq!(p.provide().unwrap().secret_id(), "AKIDtmp");
        p.provide().unwrap();
        assert_eq!(server.credential_fetches(), 3);
    }

    #[test]
    fn cvm_absurd_expiry_is_clamped_so_refresh_still_happens() {
        let fetches = Arc::new(AtomicU64::new(0));
        let f = Arc::clone(&fetches);
        let server = Metadata::start(move |path| match path.strip_prefix(ROLE_PATH) {
            Some("") => (200, "role".into()),
            Some("role") => {
                let n = f.fetch_add(1, Ordering::SeqCst) + 1;
                // i64::MAX, which JSON carries exactly.
                (
                    200,
                    format!(
                        r#"{{"TmpSecretId":"AKIDgen{n}","TmpSecretKey":"TmpKeyQw8","ExpiredTime":{},"Token":"TmpTokenPo5","Code":"Success"}}"#,
                        i64::MAX
                    ),
                )
            }
            _ => (404, String::new()),
        });
        let clock = TestClock::at(1_000);
        let p = cvm(&server.base(), &clock);
        assert_eq!(p.provide().unwrap().secret_id(), "AKIDgen1");
        let horizon = 1_000 + crate::credentials::MAX_LIFETIME_SECS;
        let debug = format!("{p:?}");
        assert!(
            debug.contains(&format!("cached_until: Some({horizon})")),
            "{debug}"
        );
        clock.set((horizon - 301) as u64);
        assert_eq!(p.provide().unwrap().secret_id(), "AKIDgen1");
        clock.set((horizon - 300) as u64);
        assert_eq!(
            p.provide().unwrap().secret_id(),
            "AKIDgen2",
            "refreshed 300 s before the clamped expiry {horizon}"
        );
        assert_eq!(fetches.load(Ordering::SeqCst), 2);
    }
}
