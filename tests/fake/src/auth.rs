//! TC3-HMAC-SHA256 verification, as the API gateway does it, on top of `tc_redis::sign`.

use crate::envelope::ApiError;
use crate::http::Request;
use tc_redis::sign::{self, SigningKey};

/// The service name the credential scope of a Redis call must carry.
pub(crate) const SERVICE: &str = "redis";
/// Largest accepted distance between `X-TC-Timestamp` and the server clock, in seconds.
pub(crate) const MAX_SKEW: u64 = 300;

/// A key pair known to the fake; `token` is set for temporary credentials, `expires` (Unix
/// seconds) for those the fake's STS issued.
#[derive(Debug, Clone)]
pub(crate) struct Secret {
    pub(crate) key: String,
    pub(crate) token: Option<String>,
    pub(crate) expires: Option<u64>,
}

/// Checks the request's signature; `Ok` carries the SecretId that signed it.
///
/// Order: form of `Authorization` and of the timestamp, clock skew, SecretId, token, credential
/// scope, signed header set, signature.
pub(crate) fn verify<'r>(
    req: &'r Request,
    secret: &dyn Fn(&str) -> Option<Secret>,
    now: u64,
    service: &str,
) -> Result<&'r str, ApiError> {
    const INVALID: &str = "AuthFailure.InvalidAuthorization";
    const FAILURE: &str = "AuthFailure.SignatureFailure";
    let header = req
        .header("authorization")
        .ok_or_else(|| ApiError::with(INVALID, "The Authorization header is missing."))?;
    let auth = sign::parse_authorization(header).ok_or_else(|| {
        ApiError::with(
            INVALID,
            "Expected `TC3-HMAC-SHA256 Credential=<SecretId>/<date>/<service>/tc3_request, SignedHeaders=<names>, Signature=<hex>`.",
        )
    })?;
    let timestamp = match req.header("x-tc-timestamp") {
        None | Some("") => {
            return Err(ApiError::with(
                "MissingParameter",
                "The header X-TC-Timestamp is missing.",
            ));
        }
        Some(t) => t.parse::<u64>().map_err(|_| {
            ApiError::with(
                "InvalidParameter",
                "X-TC-Timestamp must be Unix seconds in decimal.",
            )
        })?,
    };
    if timestamp.abs_diff(now) > MAX_SKEW {
        return Err(ApiError::with(
            "AuthFailure.SignatureExpire",
            format!("request timestamp {timestamp}, server time {now}"),
        ));
    }
    let secret =
        secret(auth.secret_id).ok_or_else(|| ApiError::new("AuthFailure.SecretIdNotFound"))?;
    if secret.expires.is_some_and(|expires| now >= expires) {
        return Err(ApiError::with(
            "AuthFailure.TokenFailure",
            "the temporary credentials have expired",
        ));
    }
    if let Some(token) = &secret.token {
        match req.header("x-tc-token") {
            Some(sent) if sign::constant_time_eq(sent, token) => {}
            Some(_) => {
                return Err(ApiError::with(
                    "AuthFailure.TokenFailure",
                    "X-TC-Token does not match",
                ));
            }
            None => {
                return Err(ApiError::with(
                    "AuthFailure.TokenFailure",
                    "temporary credential without X-TC-Token",
                ));
            }
        }
    }
    let date = sign::utc_date(timestamp);
    if auth.date != date {
        return Err(ApiError::with(
            FAILURE,
            format!(
                "credential scope date {} is not the UTC date {date} of X-TC-Timestamp",
                auth.date
            ),
        ));
    }
    if auth.service != service {
        return Err(ApiError::with(
            FAILURE,
            format!("credential scope service {} is not {service}", auth.service),
        ));
    }
    let names: Vec<String> = auth
        .signed_headers
        .split(';')
        .map(|n| n.trim().to_ascii_lowercase())
        .collect();
    if !names.iter().any(|n| n == "content-type") || !names.iter().any(|n| n == "host") {
        return Err(ApiError::with(
            INVALID,
            "SignedHeaders must include content-type and host.",
        ));
    }
    let mut signed = Vec::with_capacity(names.len());
    for name in &names {
        let value = req.header(name).ok_or_else(|| {
            ApiError::with(INVALID, format!("Signed header {name} was not sent."))
        })?;
        signed.push((name.as_str(), value));
    }
    let payload_hash = match req.header("x-tc-content-sha256") {
        Some(v) if v == sign::UNSIGNED_PAYLOAD => sign::hash_hex(sign::UNSIGNED_PAYLOAD.as_bytes()),
        _ => sign::hash_hex(&req.body),
    };
    let canonical =
        sign::canonical_request(&req.method, req.path(), req.query(), &signed, &payload_hash);
    let scope = sign::credential_scope(&date, service);
    let to_sign = sign::string_to_sign(timestamp, &scope, &canonical);
    let expected = SigningKey::derive(&secret.key, &date, service).sign(&to_sign);
    if sign::constant_time_eq(&expected, auth.signature) {
        Ok(auth.secret_id)
    } else {
        Err(ApiError::new(FAILURE))
    }
}
