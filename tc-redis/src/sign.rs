//! TC3-HMAC-SHA256, the request signature of Tencent Cloud API 3.0.
//!
//! Pure functions, one per stage of the algorithm, so that each intermediate artefact can be
//! checked against vectors computed by the official SDK (see `tests/fixtures/vectors.json`).
//! Time and credentials are parameters: nothing here reads a clock, the environment or the
//! network.
//!
//! ```text
//! CanonicalRequest = Method \n URI \n Query \n CanonicalHeaders \n SignedHeaders \n hex(SHA256(payload))
//! CredentialScope  = <UTC date of timestamp> / <service> / tc3_request
//! StringToSign     = TC3-HMAC-SHA256 \n <timestamp> \n CredentialScope \n hex(SHA256(CanonicalRequest))
//! kDate            = HMAC("TC3" + SecretKey, date); kService = HMAC(kDate, service)
//! kSigning         = HMAC(kService, "tc3_request"); Signature = hex(HMAC(kSigning, StringToSign))
//! Authorization    = TC3-HMAC-SHA256 Credential=<SecretId>/<scope>, SignedHeaders=<names>, Signature=<sig>
//! ```
//!
//! ```
//! use tc_redis::sign::{self, SigningKey};
//!
//! let body = br#"{"InstanceId":"crs-5a4py64p"}"#;
//! let headers = [("content-type", "application/json"), ("host", "redis.tencentcloudapi.com")];
//! let canonical = sign::canonical_request("POST", "/", "", &headers, &sign::hash_hex(body));
//! let date = sign::utc_date(1551113065);
//! let scope = sign::credential_scope(&date, "redis");
//! let to_sign = sign::string_to_sign(1551113065, &scope, &canonical);
//! let key = SigningKey::derive("Gu5t9xGARNpq86cd98joQYCN3EXAMPLE", &date, "redis");
//! let auth = sign::authorization("AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", &scope,
//!     &sign::signed_header_names(&headers), &key.sign(&to_sign));
//! assert!(auth.starts_with("TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/redis/tc3_request, SignedHeaders=content-type;host, Signature="));
//! ```

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use std::fmt;

/// The algorithm name, first line of the string to sign and first word of `Authorization`.
pub const ALGORITHM: &str = "TC3-HMAC-SHA256";

/// The payload value that, sent as `X-TC-Content-SHA256`, exempts the body from the signature.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

type HmacSha256 = Hmac<Sha256>;

/// Lowercase hex of the SHA-256 of `data` (the `HashedRequestPayload` of the protocol).
pub fn hash_hex(data: &[u8]) -> String {
    let mut out = String::with_capacity(64);
    push_hex(&mut out, &Sha256::digest(data));
    out
}

/// The UTC calendar date (`YYYY-MM-DD`) of a Unix timestamp in seconds.
///
/// The credential scope must use the UTC date: a local (Beijing) date makes every signature made
/// between 00:00 and 08:00 local time fail.
pub fn utc_date(timestamp: u64) -> String {
    let (y, m, d) = civil_from_days((timestamp / 86_400) as i64);
    if !(0..=9999).contains(&y) {
        return format!("{y:04}-{m:02}-{d:02}");
    }
    let mut out = String::with_capacity(10);
    push_padded(&mut out, y as u32, 4);
    out.push('-');
    push_padded(&mut out, m, 2);
    out.push('-');
    push_padded(&mut out, d, 2);
    out
}

/// Gregorian date from days since 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// `date/service/tc3_request`.
pub fn credential_scope(date: &str, service: &str) -> String {
    const SUFFIX: &str = "/tc3_request";
    let mut out = String::with_capacity(date.len() + 1 + service.len() + SUFFIX.len());
    out.push_str(date);
    out.push('/');
    out.push_str(service);
    out.push_str(SUFFIX);
    out
}

/// The canonical form of a header set: names and values lower-cased and trimmed, sorted by name.
///
/// The official SDKs always sign exactly `content-type` and `host`, whose values they already
/// send in lower case; the server accepts any set that contains those two.
pub fn canonical_headers<'a>(headers: &[(&'a str, &'a str)]) -> Vec<(String, String)> {
    let mut canon: Vec<(String, String)> = headers
        .iter()
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_ascii_lowercase()))
        .collect();
    canon.sort();
    canon
}

/// `SignedHeaders`: the canonical header names joined with `;`.
pub fn signed_header_names(headers: &[(&str, &str)]) -> String {
    if already_canonical(headers) {
        let mut out = String::with_capacity(headers.iter().map(|(k, _)| k.len() + 1).sum());
        push_names(&mut out, headers.iter().map(|(k, _)| *k));
        return out;
    }
    let canon = canonical_headers(headers);
    let names: Vec<&str> = canon.iter().map(|(k, _)| k.as_str()).collect();
    names.join(";")
}

/// The canonical request (stage 1).
///
/// `query` is the exact query string sent (empty for POST); `hashed_payload` is
/// [`hash_hex`] of the body, or of [`UNSIGNED_PAYLOAD`].
pub fn canonical_request(
    method: &str,
    uri: &str,
    query: &str,
    headers: &[(&str, &str)],
    hashed_payload: &str,
) -> String {
    let header_len: usize = headers.iter().map(|(k, v)| 2 * k.len() + v.len() + 3).sum();
    let len = method.len() + uri.len() + query.len() + header_len + hashed_payload.len() + 5;
    let mut out = String::with_capacity(len);
    out.push_str(method);
    out.push('\n');
    out.push_str(uri);
    out.push('\n');
    out.push_str(query);
    out.push('\n');
    // The fixed header set a client signs is already canonical: no copy, no sort.
    if already_canonical(headers) {
        push_headers(&mut out, headers.iter().copied());
    } else {
        let canon = canonical_headers(headers);
        push_headers(
            &mut out,
            canon.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        );
    }
    out.push('\n');
    out.push_str(hashed_payload);
    out
}

/// `k:v\n` per header, an empty line, then the names joined with `;`.
fn push_headers<'a>(out: &mut String, headers: impl Iterator<Item = (&'a str, &'a str)> + Clone) {
    for (k, v) in headers.clone() {
        out.push_str(k);
        out.push(':');
        out.push_str(v);
        out.push('\n');
    }
    out.push('\n');
    push_names(out, headers.map(|(k, _)| k));
}

fn push_names<'a>(out: &mut String, names: impl Iterator<Item = &'a str>) {
    for (i, k) in names.enumerate() {
        if i > 0 {
            out.push(';');
        }
        out.push_str(k);
    }
}

/// Whether [`canonical_headers`] would return `headers` unchanged: every name and value in
/// lower case and trimmed, names strictly increasing (so sorting keeps the order).
fn already_canonical(headers: &[(&str, &str)]) -> bool {
    let clean = |s: &str| s.trim().len() == s.len() && !s.bytes().any(|b| b.is_ascii_uppercase());
    headers.iter().all(|(k, v)| clean(k) && clean(v)) && headers.windows(2).all(|w| w[0].0 < w[1].0)
}

/// The string to sign (stage 2).
pub fn string_to_sign(timestamp: u64, credential_scope: &str, canonical_request: &str) -> String {
    let mut out = String::with_capacity(ALGORITHM.len() + 20 + credential_scope.len() + 67);
    out.push_str(ALGORITHM);
    out.push('\n');
    push_u64(&mut out, timestamp);
    out.push('\n');
    out.push_str(credential_scope);
    out.push('\n');
    push_hex(&mut out, &Sha256::digest(canonical_request.as_bytes()));
    out
}

/// The derived key `kSigning` for one secret, date and service (stage 3).
///
/// It depends only on the day, so a client derives it once per day and secret and reuses it.
#[derive(Clone, PartialEq, Eq)]
pub struct SigningKey {
    key: [u8; 32],
}

/// The intermediate keys of the derivation, for tests that check every stage.
#[derive(Clone, PartialEq, Eq)]
pub struct DerivedKeys {
    /// `HMAC("TC3" + SecretKey, date)`.
    pub k_date: [u8; 32],
    /// `HMAC(kDate, service)`.
    pub k_service: [u8; 32],
    /// `HMAC(kService, "tc3_request")`, the key that signs.
    pub k_signing: SigningKey,
}

impl SigningKey {
    /// Derives `kSigning` from the secret key, the UTC date (`YYYY-MM-DD`) and the service.
    pub fn derive(secret_key: &str, date: &str, service: &str) -> SigningKey {
        DerivedKeys::derive(secret_key, date, service).k_signing
    }

    /// Lowercase hex HMAC-SHA256 of the string to sign: the signature (stage 4).
    pub fn sign(&self, string_to_sign: &str) -> String {
        let mut out = String::with_capacity(64);
        push_hex(&mut out, &hmac(&self.key, string_to_sign.as_bytes()));
        out
    }

    /// The raw key bytes, for comparison against a test vector.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.key
    }
}

impl DerivedKeys {
    /// Runs the three HMAC steps of the key derivation and keeps each result.
    pub fn derive(secret_key: &str, date: &str, service: &str) -> DerivedKeys {
        let mut seed = Vec::with_capacity(3 + secret_key.len());
        seed.extend_from_slice(b"TC3");
        seed.extend_from_slice(secret_key.as_bytes());
        let k_date = hmac(&seed, date.as_bytes());
        let k_service = hmac(&k_date, service.as_bytes());
        let k_signing = SigningKey {
            key: hmac(&k_service, b"tc3_request"),
        };
        DerivedKeys {
            k_date,
            k_service,
            k_signing,
        }
    }
}

// A derived key is as sensitive as the secret key for the day it covers.
impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SigningKey(<redacted>)")
    }
}

impl fmt::Debug for DerivedKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DerivedKeys(<redacted>)")
    }
}

/// The `Authorization` header value (stage 5).
pub fn authorization(
    secret_id: &str,
    credential_scope: &str,
    signed_headers: &str,
    signature: &str,
) -> String {
    const CREDENTIAL: &str = " Credential=";
    const SIGNED_HEADERS: &str = ", SignedHeaders=";
    const SIGNATURE: &str = ", Signature=";
    let len = ALGORITHM.len()
        + CREDENTIAL.len()
        + secret_id.len()
        + 1
        + credential_scope.len()
        + SIGNED_HEADERS.len()
        + signed_headers.len()
        + SIGNATURE.len()
        + signature.len();
    let mut out = String::with_capacity(len);
    out.push_str(ALGORITHM);
    out.push_str(CREDENTIAL);
    out.push_str(secret_id);
    out.push('/');
    out.push_str(credential_scope);
    out.push_str(SIGNED_HEADERS);
    out.push_str(signed_headers);
    out.push_str(SIGNATURE);
    out.push_str(signature);
    out
}

/// The fields of a parsed `Authorization` header, as a server reads them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedAuthorization<'a> {
    /// The SecretId.
    pub secret_id: &'a str,
    /// The date part of the credential scope.
    pub date: &'a str,
    /// The service part of the credential scope.
    pub service: &'a str,
    /// The signed header names, `;`-separated.
    pub signed_headers: &'a str,
    /// The hex signature.
    pub signature: &'a str,
}

/// Parses an `Authorization` header of the form [`authorization`] produces; `None` when it does
/// not have that form.
pub fn parse_authorization(value: &str) -> Option<ParsedAuthorization<'_>> {
    let rest = value.strip_prefix(ALGORITHM)?.strip_prefix(' ')?;
    let mut credential = None;
    let mut signed_headers = None;
    let mut signature = None;
    for part in rest.split(',') {
        let (k, v) = part.trim().split_once('=')?;
        match k {
            "Credential" => credential = Some(v),
            "SignedHeaders" => signed_headers = Some(v),
            "Signature" => signature = Some(v),
            _ => return None,
        }
    }
    let mut scope = credential?.splitn(4, '/');
    let secret_id = scope.next()?;
    let date = scope.next()?;
    let service = scope.next()?;
    if scope.next()? != "tc3_request" {
        return None;
    }
    Some(ParsedAuthorization {
        secret_id,
        date,
        service,
        signed_headers: signed_headers?,
        signature: signature?,
    })
}

/// Compares two signatures in time independent of where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn hmac(key: &[u8], msg: &[u8]) -> [u8; 32] {
    // HMAC accepts keys of any length, so `new_from_slice` cannot fail here.
    let mut mac = <HmacSha256 as KeyInit>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(msg);
    mac.finalize().into_bytes().into()
}

/// Appends the lowercase hex of `bytes`.
fn push_hex(out: &mut String, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut buf = [0u8; 64];
    for chunk in bytes.chunks(32) {
        for (pair, b) in buf.chunks_exact_mut(2).zip(chunk) {
            pair[0] = DIGITS[usize::from(b >> 4)];
            pair[1] = DIGITS[usize::from(b & 15)];
        }
        let text = std::str::from_utf8(&buf[..2 * chunk.len()]).expect("hex digits are ASCII");
        out.push_str(text);
    }
}

/// Appends `n` in decimal.
fn push_u64(out: &mut String, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.push_str(std::str::from_utf8(&buf[i..]).expect("digits are ASCII"));
}

/// Appends `n` (< 10^width) in decimal, zero-padded to `width` digits.
fn push_padded(out: &mut String, n: u32, width: u32) {
    let mut div = 10u32.pow(width - 1);
    while div > 0 {
        out.push(char::from(b'0' + (n / div % 10) as u8));
        div /= 10;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_date_handles_epoch_leap_days_and_day_edges() {
        assert_eq!(utc_date(0), "1970-01-01");
        assert_eq!(utc_date(1551113065), "2019-02-25");
        assert_eq!(utc_date(951782400), "2000-02-29");
        assert_eq!(utc_date(1709251199), "2024-02-29");
        assert_eq!(utc_date(1709251200), "2024-03-01");
        assert_eq!(utc_date(4102444800), "2100-01-01");
    }

    #[test]
    fn canonical_headers_lowercase_trim_and_sort() {
        let h = [
            ("Host", " Example.COM "),
            ("Content-Type", "application/json"),
        ];
        assert_eq!(signed_header_names(&h), "content-type;host");
        assert_eq!(
            canonical_request("POST", "/", "", &h, "x"),
            "POST\n/\n\ncontent-type:application/json\nhost:example.com\n\ncontent-type;host\nx"
        );
    }

    #[test]
    fn the_canonical_fast_path_equals_the_general_one() {
        let fast = [
            ("content-type", "application/json"),
            ("host", "example.com"),
        ];
        let general = [
            ("host", "example.com"),
            ("content-type", "application/json"),
        ];
        assert!(already_canonical(&fast));
        assert!(!already_canonical(&general));
        assert_eq!(
            canonical_request("POST", "/", "q=1", &fast, "x"),
            canonical_request("POST", "/", "q=1", &general, "x")
        );
        assert_eq!(signed_header_names(&fast), signed_header_names(&general));
        // Duplicate names, padding and upper case all take the general path.
        assert!(!already_canonical(&[("a", "1"), ("a", "0")]));
        assert!(!already_canonical(&[("a", " 1")]));
        assert!(!already_canonical(&[("a", "X")]));
        assert_eq!(signed_header_names(&[]), "");
    }

    #[test]
    fn numbers_are_written_in_full() {
        let mut s = String::new();
        push_u64(&mut s, 0);
        s.push(' ');
        push_u64(&mut s, u64::MAX);
        assert_eq!(s, format!("0 {}", u64::MAX));
        assert_eq!(
            string_to_sign(7, "s", ""),
            format!("{ALGORITHM}\n7\ns\n{}", hash_hex(b""))
        );
        // Past year 9999 the date keeps every digit of the year.
        assert_eq!(utc_date(253_402_300_800), "10000-01-01");
    }

    #[test]
    fn authorization_round_trips_through_the_parser() {
        let a = authorization(
            "AKID",
            "2019-02-25/redis/tc3_request",
            "content-type;host",
            "ab",
        );
        let p = parse_authorization(&a).expect("parses");
        assert_eq!(p.secret_id, "AKID");
        assert_eq!(p.date, "2019-02-25");
        assert_eq!(p.service, "redis");
        assert_eq!(p.signed_headers, "content-type;host");
        assert_eq!(p.signature, "ab");
        assert!(
            parse_authorization("TC3-HMAC-SHA256 Credential=a/b/c/x, SignedHeaders=h, Signature=s")
                .is_none()
        );
        assert!(parse_authorization("Bearer x").is_none());
    }

    #[test]
    fn signing_key_debug_is_redacted() {
        let k = SigningKey::derive("secret", "2019-02-25", "redis");
        assert_eq!(format!("{k:?}"), "SigningKey(<redacted>)");
    }
}
