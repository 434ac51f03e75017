//! [`CvmRoleProvider`]: temporary credentials of the CVM instance's CAM role.

use super::expiry::checked_expiry;
use super::refresh::{Expiring, RefreshingCache};
use super::{CredentialSource, Credentials, CredentialsError, ProvideCredentials, invalid_reason};
use crate::transport::{MetadataAgent, MetadataGetError};
use std::fmt::{self, Write as _};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Temporary credentials of the CAM role bound to a CVM instance, from the instance metadata
/// service.
///
/// `GET <base>` lists the role name (first non-empty line), unless one was given with
/// [`with_role_name`](Self::with_role_name); `GET <base><role>` returns
/// `{"TmpSecretId","TmpSecretKey","Token","ExpiredTime","Expiration","Code":"Success"}`.
///
/// The credentials are cached and fetched again once `ExpiredTime - now <= 300` seconds. If that
/// refresh fails while the cached credentials have not yet expired, they are still returned and
/// the refresh is tried again at the next call; once they have expired the error is returned.
/// Credentials that are already expired when received are [`CredentialsError::Expired`] (never
/// returned, never cached), and an `ExpiredTime` more than
/// [`MAX_LIFETIME_SECS`](super::MAX_LIFETIME_SECS) (12 h) ahead is treated as 12 h ahead, so
/// that a wild value does not stop refreshes.
///
/// Requests use short timeouts (1 s to connect, 5 s overall by default; the official SDK sets
/// none), no proxy, no redirects, and read at most 64 KiB. A connection failure or timeout is
/// [`CredentialsError::MetadataUnreachable`]; no role bound (HTTP 404 or an empty listing) is
/// [`CredentialsError::NotConfigured`].
pub struct CvmRoleProvider {
    base_url: String,
    role_name: Option<String>,
    connect_timeout: Duration,
    timeout: Duration,
    clock: Arc<dyn Fn() -> u64 + Send + Sync>,
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
        CvmRoleProvider {
            base_url: Self::DEFAULT_BASE_URL.to_owned(),
            role_name: None,
            connect_timeout: Self::DEFAULT_CONNECT_TIMEOUT,
            timeout: Self::DEFAULT_TIMEOUT,
            clock: Arc::new(unix_now),
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

    /// Sets the connection timeout (default 1 s); also bounds name resolution.
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self.agent = OnceLock::new();
        self
    }

    /// Sets the timeout of each whole request (default 5 s).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self.agent = OnceLock::new();
        self
    }

    /// Reads the current Unix time (seconds) from `clock` instead of the system clock.
    pub fn with_clock(mut self, clock: impl Fn() -> u64 + Send + Sync + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    fn agent(&self) -> &MetadataAgent {
        self.agent
            .get_or_init(|| MetadataAgent::new(self.connect_timeout, self.timeout))
    }

    /// `GET url`: the status and at most [`MAX_METADATA_BODY`] bytes of body.
    fn get(&self, url: &str) -> Result<(u16, Vec<u8>), CredentialsError> {
        self.agent()
            .get(url, MAX_METADATA_BODY)
            .map_err(|e| match e {
                MetadataGetError::Unreachable { timed_out, message } => {
                    let detail = if timed_out {
                        format!(
                            "no answer within the timeout (connect {:?}, overall {:?}): {message}",
                            self.connect_timeout, self.timeout
                        )
                    } else {
                        message
                    };
                    CredentialsError::MetadataUnreachable {
                        url: url.to_owned(),
                        detail,
                    }
                }
                MetadataGetError::TooLarge => CredentialsError::MetadataMalformed {
                    url: url.to_owned(),
                    detail: format!("body larger than {MAX_METADATA_BODY} bytes"),
                },
            })
    }

    fn role_name(&self) -> Result<String, CredentialsError> {
        if let Some(role) = &self.role_name {
            return Ok(role.clone());
        }
        let url = &self.base_url;
        let no_role = |why: String| CredentialsError::NotConfigured {
            provider: "cvm-role",
            detail: format!("no CAM role is bound to this instance ({why} from {url})"),
        };
        let (status, body) = self.get(url)?;
        match status {
            200 => {}
            404 => return Err(no_role("HTTP 404".into())),
            status => {
                return Err(CredentialsError::MetadataStatus {
                    url: url.clone(),
                    status,
                });
            }
        }
        let text = String::from_utf8(body).map_err(|_| CredentialsError::MetadataMalformed {
            url: url.clone(),
            detail: "role listing is not UTF-8".into(),
        })?;
        match text.lines().map(str::trim).find(|l| !l.is_empty()) {
            Some(role) => Ok(role.to_owned()),
            None => Err(no_role("empty role listing".into())),
        }
    }

    /// Fetches fresh credentials and their `ExpiredTime` (clamped by [`checked_expiry`]), at
    /// `now`.
    fn fetch(&self, now: i64) -> Result<Expiring, CredentialsError> {
        let role = self.role_name()?;
        let url = format!("{}{}", self.base_url, encode_path_segment(&role));
        let (status, body) = self.get(&url)?;
        if status != 200 {
            return Err(CredentialsError::MetadataStatus { url, status });
        }
        let fetched = parse_role_credentials(&body, &url)?;
        Ok(Expiring {
            expires_at: checked_expiry(self.name(), &url, now, fetched.expires_at)?,
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
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("cached_until", &format_args!("{cached}"))
            .finish_non_exhaustive()
    }
}

impl ProvideCredentials for CvmRoleProvider {
    fn provide(&self) -> Result<Credentials, CredentialsError> {
        let now = i64::try_from((self.clock)()).unwrap_or(i64::MAX);
        self.cache.get(now, REFRESH_WINDOW_SECS, || self.fetch(now))
    }

    fn name(&self) -> &'static str {
        "cvm-role"
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
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
    let malformed = |detail: String| CredentialsError::MetadataMalformed {
        url: url.to_owned(),
        detail,
    };
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| malformed(format!("not JSON ({e})")))?;
    let object = value
        .as_object()
        .ok_or_else(|| malformed("not a JSON object".into()))?;
    let string = |name: &str| -> Result<&str, CredentialsError> {
        match object.get(name) {
            None => Err(malformed(format!("missing field `{name}`"))),
            Some(v) => v
                .as_str()
                .ok_or_else(|| malformed(format!("field `{name}` is not a string"))),
        }
    };
    let code = string("Code")?;
    if code != "Success" {
        let printable = code.len() <= 64 && code.bytes().all(|b| b.is_ascii_graphic());
        return Err(CredentialsError::MetadataCode {
            url: url.to_owned(),
            code: if printable { code } else { "<unprintable>" }.to_owned(),
        });
    }
    let checked = |name: &str| -> Result<&str, CredentialsError> {
        let value = string(name)?;
        match invalid_reason(value) {
            Some(reason) => Err(malformed(format!("field `{name}` {reason}"))),
            None => Ok(value),
        }
    };
    let id = checked("TmpSecretId")?;
    let key = checked("TmpSecretKey")?;
    let token = checked("Token")?;
    let expired_time = match object.get("ExpiredTime") {
        None => return Err(malformed("missing field `ExpiredTime`".into())),
        Some(v) => v
            .as_i64()
            .ok_or_else(|| malformed("field `ExpiredTime` is not an integer".into()))?,
    };
    Ok(Expiring {
        credentials: Credentials::new(id, key)?.with_token(token)?,
        expires_at: expired_time,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::test_support::{ROLE_PATH, assert_no_secret, closed_port_base, fake};
    use std::net::TcpListener;
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    use std::time::Instant;

    fn role_json(id: &str, key: &str, token: &str, expired: u64) -> String {
        format!(
            r#"{{"TmpSecretId":"{id}","TmpSecretKey":"{key}","ExpiredTime":{expired},"Expiration":"2030-01-01T00:00:00Z","Token":"{token}","Code":"Success"}}"#
        )
    }

    fn cvm(base: &str) -> CvmRoleProvider {
        CvmRoleProvider::new()
            .with_base_url(base)
            .with_timeout(Duration::from_secs(3))
    }

    #[test]
    fn cvm_lists_role_and_fetches_credentials() {
        let server = fake(|path| match path.strip_prefix(ROLE_PATH) {
            Some("") => (200, "\n  my-role  \nsecond\n".into()),
            Some("my-role") => (
                200,
                role_json("AKIDtmp", "TmpKeyQw8", "TmpTokenPo5", 2_000_000_000),
            ),
            _ => (404, String::new()),
        });
        let p = cvm(&server.base).with_clock(|| 1_999_990_000);
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
    fn cvm_given_role_name_is_not_listed_and_is_encoded() {
        let server = fake(|path| match path.strip_prefix(ROLE_PATH) {
            Some("a%2Bb%40c") => (
                200,
                role_json("AKIDtmp", "TmpKeyQw8", "TmpTokenPo5", 2_000_000_000),
            ),
            _ => (404, String::new()),
        });
        let p = cvm(server.base.trim_end_matches('/'))
            .with_role_name("a+b@c")
            .with_clock(|| 0);
        assert_eq!(p.provide().unwrap().secret_id(), "AKIDtmp");
        assert_eq!(server.hits(), [format!("{ROLE_PATH}a%2Bb%40c")]);
    }

    #[test]
    fn cvm_refreshes_only_within_300_seconds_of_expiry() {
        let fetches = Arc::new(AtomicU64::new(0));
        let failing = Arc::new(AtomicBool::new(false));
        let (f, fail) = (Arc::clone(&fetches), Arc::clone(&failing));
        let server = fake(move |path| match path.strip_prefix(ROLE_PATH) {
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
        let now = Arc::new(AtomicU64::new(1_000));
        let clock = Arc::clone(&now);
        let p = cvm(&server.base).with_clock(move || clock.load(Ordering::SeqCst));
        let fetched = || {
            server
                .hits()
                .iter()
                .filter(|h| h.ends_with("/role"))
                .count()
        };

        assert_eq!(p.provide().unwrap().secret_id(), "AKIDgen1");
        assert_eq!(fetched(), 1);
        now.store(10_000 - 301, Ordering::SeqCst);
        assert_eq!(p.provide().unwrap().secret_id(), "AKIDgen1");
        assert_eq!(fetched(), 1, "no fetch while more than 300 s remain");
        now.store(10_000 - 300, Ordering::SeqCst);
        assert_eq!(p.provide().unwrap().secret_id(), "AKIDgen2");
        assert_eq!(fetched(), 2, "second fetch once ExpiredTime - now <= 300");
        assert_eq!(p.provide().unwrap().secret_id(), "AKIDgen2");
        assert_eq!(fetched(), 2);

        // A failed refresh falls back to the cached credentials until they expire.
        failing.store(true, Ordering::SeqCst);
        now.store(20_000 - 10, Ordering::SeqCst);
        assert_eq!(p.provide().unwrap().secret_id(), "AKIDgen2");
        now.store(20_000, Ordering::SeqCst);
        let e = p.provide().unwrap_err();
        assert!(
            matches!(e, CredentialsError::MetadataStatus { status: 500, .. }),
            "{e:?}"
        );
        failing.store(false, Ordering::SeqCst);
        assert_eq!(p.provide().unwrap().secret_id(), "AKIDgen3");
    }

    #[test]
    fn cvm_code_not_success() {
        let server = fake(|path| match path.strip_prefix(ROLE_PATH) {
            Some("") => (200, "role".into()),
            _ => (
                200,
                r#"{"Code":"RoleNotExist","TmpSecretKey":"TmpKeyQw8","Token":"TmpTokenPo5"}"#
                    .into(),
            ),
        });
        let e = cvm(&server.base).provide().unwrap_err();
        match &e {
            CredentialsError::MetadataCode { code, url } => {
                assert_eq!(code, "RoleNotExist");
                assert!(url.ends_with("/role"), "{url}");
            }
            other => panic!("{other:?}"),
        }
        assert!(!e.does_not_apply());
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
            let server = fake(move |path| {
                if path == ROLE_PATH {
                    (200, "role".into())
                } else {
                    (200, body.clone())
                }
            });
            let e = cvm(&server.base).provide().unwrap_err();
            match &e {
                CredentialsError::MetadataMalformed { detail, .. } => {
                    assert!(detail.contains(expected), "{detail} vs {expected}")
                }
                other => panic!("{expected}: {other:?}"),
            }
            assert_no_secret(&format!("{e} {e:?}"));
        }
    }

    #[test]
    fn cvm_oversized_body() {
        let server = fake(|path| {
            if path == ROLE_PATH {
                (200, "role".into())
            } else {
                (200, "x".repeat(70 * 1024))
            }
        });
        let e = cvm(&server.base).provide().unwrap_err();
        assert!(
            matches!(e, CredentialsError::MetadataMalformed { ref detail, .. } if detail.contains("larger than")),
            "{e:?}"
        );
    }

    #[test]
    fn cvm_no_role_bound_and_bad_status() {
        let server = fake(|_| (404, String::new()));
        let e = cvm(&server.base).provide().unwrap_err();
        assert!(
            matches!(
                e,
                CredentialsError::NotConfigured {
                    provider: "cvm-role",
                    ..
                }
            ),
            "{e:?}"
        );
        assert!(e.to_string().contains("no CAM role is bound"), "{e}");
        let server = fake(|_| (200, "\n \n".into()));
        let e = cvm(&server.base).provide().unwrap_err();
        assert!(matches!(e, CredentialsError::NotConfigured { .. }), "{e:?}");
        let server = fake(|_| (503, String::new()));
        let e = cvm(&server.base).provide().unwrap_err();
        assert!(
            matches!(e, CredentialsError::MetadataStatus { status: 503, .. }),
            "{e:?}"
        );
        // A named role that does not exist is a status error, not "not configured".
        let server = fake(|_| (404, String::new()));
        let e = cvm(&server.base)
            .with_role_name("ghost")
            .provide()
            .unwrap_err();
        assert!(
            matches!(e, CredentialsError::MetadataStatus { status: 404, .. }),
            "{e:?}"
        );
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
        assert!(
            matches!(e, CredentialsError::MetadataUnreachable { ref url, .. } if *url == base),
            "{e:?}"
        );
        assert!(e.does_not_apply());
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
        assert!(
            matches!(e, CredentialsError::MetadataUnreachable { ref detail, .. } if detail.contains("no answer within")),
            "{e:?}"
        );
        drop(listener);
    }

    #[test]
    fn cvm_callers_do_not_queue_behind_a_slow_refresh_while_credentials_are_valid() {
        let fetches = Arc::new(AtomicU64::new(0));
        let f = Arc::clone(&fetches);
        let server = fake(move |path| match path.strip_prefix(ROLE_PATH) {
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
        let now = Arc::new(AtomicU64::new(1_000));
        let clock = Arc::clone(&now);
        let p = Arc::new(cvm(&server.base).with_clock(move || clock.load(Ordering::SeqCst)));
        assert_eq!(p.provide().unwrap().secret_id(), "AKIDgen1");

        // Within the refresh window: one caller refreshes (slowly)...
        now.store(10_000 - 300, Ordering::SeqCst);
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
        let server = fake(move |path| match path.strip_prefix(ROLE_PATH) {
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
        let p = cvm(&server.base).with_clock(|| 1_000);
        let credential_fetches = || {
            server
                .hits()
                .iter()
                .filter(|h| h.ends_with("/role"))
                .count()
        };
        for (n, expired) in [(1, 900), (2, 1_000)] {
            expiry.store(expired, Ordering::SeqCst);
            let e = p.provide().unwrap_err();
            assert!(
                matches!(e, CredentialsError::Expired { provider: "cvm-role", expired_time, now: 1_000, ref origin } if expired_time == expired as i64 && origin.ends_with("/role")),
                "ExpiredTime {expired} at now 1000: {e:?}"
            );
            assert!(!e.does_not_apply());
            assert_no_secret(&format!("{e} {e:?}"));
            assert_eq!(credential_fetches(), n, "one fetch per call, not two");
        }
        assert!(format!("{p:?}").contains("cached_until: None"), "{p:?}");
        // Valid again: fetched and cached.
        expiry.store(5_000, Ordering::SeqCst);
        assert_eq!(p.provide().unwrap().secret_id(), "AKIDtmp");
        p.provide().unwrap();
        assert_eq!(credential_fetches(), 3);
    }

    #[test]
    fn cvm_absurd_expiry_is_clamped_so_refresh_still_happens() {
        let fetches = Arc::new(AtomicU64::new(0));
        let f = Arc::clone(&fetches);
        let server = fake(move |path| match path.strip_prefix(ROLE_PATH) {
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
        let now = Arc::new(AtomicU64::new(1_000));
        let clock = Arc::clone(&now);
        let p = cvm(&server.base).with_clock(move || clock.load(Ordering::SeqCst));
        assert_eq!(p.provide().unwrap().secret_id(), "AKIDgen1");
        let horizon = 1_000 + crate::credentials::MAX_LIFETIME_SECS;
        let debug = format!("{p:?}");
        assert!(
            debug.contains(&format!("cached_until: Some({horizon})")),
            "{debug}"
        );
        now.store((horizon - 301) as u64, Ordering::SeqCst);
        assert_eq!(p.provide().unwrap().secret_id(), "AKIDgen1");
        now.store((horizon - 300) as u64, Ordering::SeqCst);
        assert_eq!(
            p.provide().unwrap().secret_id(),
            "AKIDgen2",
            "refreshed 300 s before the clamped expiry {horizon}"
        );
        assert_eq!(fetches.load(Ordering::SeqCst), 2);
    }
}
