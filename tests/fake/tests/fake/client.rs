//! A minimal signing client for tests of the fake: builds API 3.0 requests with
//! `tc_redis::sign` and exchanges them over a plain `TcpStream`, so that a test controls every
//! header byte (including `Host`); responses are read by the tests' shared HTTP reader.

use serde_json::Value;
use std::io::{self, BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tc_redis::sign::{self, SigningKey};
use tc_redis_fake::{API_VERSION, DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, FakeServer};
pub use tc_redis_test_support::http::read_response;

/// One API call, signed when its headers are built. Fields are public so a test can spoil any
/// of them.
#[derive(Debug, Clone)]
pub struct Call {
    /// The SecretId of the `Authorization` credential.
    pub secret_id: String,
    /// The SecretKey that signs.
    pub secret_key: String,
    /// `X-TC-Token`, sent when set.
    pub token: Option<String>,
    /// The `Host` header, signed.
    pub host: String,
    /// `X-TC-Action`, sent when set.
    pub action: Option<String>,
    /// `X-TC-Version`, sent when set.
    pub version: Option<String>,
    /// `X-TC-Region`, sent when set.
    pub region: Option<String>,
    /// `X-TC-Language`, sent when set.
    pub language: Option<String>,
    /// `X-TC-Timestamp`, and the date of the credential scope.
    pub timestamp: u64,
    /// The `Content-Type` header, signed.
    pub content_type: String,
    /// The POST body.
    pub body: Vec<u8>,
    /// Sends `X-TC-Content-SHA256: UNSIGNED-PAYLOAD` and signs that instead of the body.
    pub unsigned_payload: bool,
}

impl Call {
    /// A CleanUpInstance of `instance_id` to `server` in `ap-guangzhou`, with the default
    /// credential and the current time.
    pub fn clean_up(server: &FakeServer, instance_id: &str) -> Call {
        let body = serde_json::json!({ "InstanceId": instance_id }).to_string();
        Call::new(server.host(), "CleanUpInstance", body.into_bytes())
    }

    /// A call of `action` with this JSON body to `host`, otherwise as [`Call::clean_up`].
    pub fn new(host: impl Into<String>, action: &str, body: Vec<u8>) -> Call {
        Call {
            secret_id: DEFAULT_SECRET_ID.into(),
            secret_key: DEFAULT_SECRET_KEY.into(),
            token: None,
            host: host.into(),
            action: Some(action.into()),
            version: Some(API_VERSION.into()),
            region: Some("ap-guangzhou".into()),
            language: None,
            timestamp: unix_now(),
            content_type: "application/json".into(),
            body,
            unsigned_payload: false,
        }
    }

    /// The `Authorization` value: TC3-HMAC-SHA256 over `content-type;host`.
    pub fn authorization(&self) -> String {
        let signed = [
            ("content-type", self.content_type.as_str()),
            ("host", self.host.as_str()),
        ];
        let payload = if self.unsigned_payload {
            sign::hash_hex(sign::UNSIGNED_PAYLOAD.as_bytes())
        } else {
            sign::hash_hex(&self.body)
        };
        let canonical = sign::canonical_request("POST", "/", "", &signed, &payload);
        let date = sign::utc_date(self.timestamp);
        let scope = sign::credential_scope(&date, "redis");
        let to_sign = sign::string_to_sign(self.timestamp, &scope, &canonical);
        let signature = SigningKey::derive(&self.secret_key, &date, "redis").sign(&to_sign);
        sign::authorization(
            &self.secret_id,
            &scope,
            &sign::signed_header_names(&signed),
            &signature,
        )
    }

    /// All request headers in the order the official SDK sends them (without `Content-Length`).
    pub fn headers(&self) -> Vec<(String, String)> {
        let fields = [
            ("Content-Type", Some(self.content_type.clone())),
            ("Host", Some(self.host.clone())),
            ("X-TC-Action", self.action.clone()),
            ("X-TC-Timestamp", Some(self.timestamp.to_string())),
            ("X-TC-Version", self.version.clone()),
            (
                "X-TC-Content-SHA256",
                self.unsigned_payload
                    .then(|| sign::UNSIGNED_PAYLOAD.to_owned()),
            ),
            ("X-TC-Region", self.region.clone()),
            ("X-TC-Token", self.token.clone()),
            ("X-TC-Language", self.language.clone()),
            ("Authorization", Some(self.authorization())),
        ];
        fields
            .into_iter()
            .filter_map(|(k, v)| Some((k.to_owned(), v?)))
            .collect()
    }

    /// Sends the call as `POST /` on a fresh connection (`Connection: close`).
    pub fn send(&self, addr: SocketAddr) -> io::Result<RawResponse> {
        let mut headers = self.headers();
        headers.push(("Connection".into(), "close".into()));
        exchange(addr, "POST", "/", &headers, &self.body)
    }
}

/// Seconds since the Unix epoch by the system clock.
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Whether `s` has the form `Sun, 06 Nov 1994 08:49:37 GMT`.
pub fn is_imf_fixdate(s: &str) -> bool {
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    b.len() == 29
        && s.is_ascii()
        && DAYS.contains(&&s[0..3])
        && &s[3..5] == ", "
        && digits(5..7)
        && b[7] == b' '
        && MONTHS.contains(&&s[8..11])
        && b[11] == b' '
        && digits(12..16)
        && b[16] == b' '
        && digits(17..19)
        && b[19] == b':'
        && digits(20..22)
        && b[22] == b':'
        && digits(23..25)
        && &s[25..] == " GMT"
}

/// An HTTP response as read off the wire, by the tests' shared reader.
pub type RawResponse = tc_redis_test_support::Response;

/// What the tests assert on an answer of the fake: the API's envelope.
pub trait Envelope {
    /// The body parsed as JSON (`Value::Null` if it is not JSON).
    fn json(&self) -> Value;

    /// `Response.Error.Code`, if any.
    fn error_code(&self) -> Option<String> {
        self.json()["Response"]["Error"]["Code"]
            .as_str()
            .map(str::to_owned)
    }

    /// `Response.RequestId`, if any.
    fn request_id(&self) -> Option<String> {
        self.json()["Response"]["RequestId"]
            .as_str()
            .map(str::to_owned)
    }

    /// Asserts an API answer: HTTP 200, `Content-Type: application/json`, a `Date` in
    /// IMF-fixdate form, a `Content-Length` that matches, and `Response.RequestId` a UUID v4.
    /// Returns `Response`.
    fn assert_envelope(&self) -> Value;

    /// Asserts an error envelope ([`Envelope::assert_envelope`]) with this code and a
    /// non-empty message; returns the message.
    fn assert_error(&self, code: &str) -> String;

    /// Asserts a success envelope ([`Envelope::assert_envelope`]) without `Error`; returns
    /// `Response`.
    fn assert_success(&self) -> Value;
}

impl Envelope for RawResponse {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    #[track_caller]
    fn assert_envelope(&self) -> Value {
        assert_eq!(self.status, 200, "status of {self:?}");
        assert_eq!(self.header("content-type"), Some("application/json"));
        let date = self.header("date").expect("a Date header");
        assert!(is_imf_fixdate(date), "Date {date:?} is not an IMF-fixdate");
        assert_eq!(
            self.header("content-length"),
            Some(self.body.len().to_string().as_str())
        );
        let json = self.json();
        let response = json["Response"].clone();
        assert!(response.is_object(), "no Response in {json}");
        let id = response["RequestId"].as_str().unwrap_or_default();
        assert!(
            tc_redis_fake::is_uuid_v4(id),
            "RequestId {id:?} is not a UUID v4"
        );
        response
    }

    #[track_caller]
    fn assert_error(&self, code: &str) -> String {
        let response = self.assert_envelope();
        assert_eq!(
            response["Error"]["Code"],
            code,
            "{}",
            String::from_utf8_lossy(&self.body)
        );
        let message = response["Error"]["Message"].as_str().unwrap_or_default();
        assert!(!message.is_empty(), "empty message");
        assert_eq!(response.as_object().map(|o| o.len()), Some(2), "{response}");
        message.to_owned()
    }

    #[track_caller]
    fn assert_success(&self) -> Value {
        let response = self.assert_envelope();
        assert!(
            response.get("Error").is_none(),
            "{}",
            String::from_utf8_lossy(&self.body)
        );
        response
    }
}

/// Writes one request (adding `Content-Length` for a non-empty body) on a new connection and
/// reads the response.
pub fn exchange(
    addr: SocketAddr,
    method: &str,
    target: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> io::Result<RawResponse> {
    let stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut writer = &stream;
    writer.write_all(&request_bytes(method, target, headers, body))?;
    read_response(&mut BufReader::new(&stream))
}

/// The bytes of a request; `Content-Length` is appended unless `headers` has one or the body is
/// empty.
pub fn request_bytes(
    method: &str,
    target: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> Vec<u8> {
    let mut out = format!("{method} {target} HTTP/1.1\r\n");
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    let has_length = headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("content-length"));
    if !has_length && !body.is_empty() {
        out.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    out.push_str("\r\n");
    let mut out = out.into_bytes();
    out.extend_from_slice(body);
    out
}
