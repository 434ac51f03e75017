//! What the client tells an operator, through the `log` facade, target `tc_redis`.
//!
//! | level   | event |
//! |---------|-------|
//! | `debug` | `attempt`: every attempt, with its action, service, region, endpoint host, attempt number, result (HTTP status, API error code or transport failure class), request id and elapsed time |
//! | `debug` | `proxy`: the proxy an endpoint host is reached through, or `none`, and where the setting came from (password redacted); once per host, at its first request |
//! | `info`  | `retry`: another attempt follows, after the wait given |
//! | `info`  | `clock skew corrected`: the server's `Date` showed the local clock off; the request is re-signed |
//! | `info`  | `credentials refreshed`: the credentials provider returned other credentials than for the previous call |
//! | `warn`  | `giving up`: a failure that could have been retried, with no attempt left |
//!
//! Events are `key=value` lines. They never hold a secret: no SecretKey, session token,
//! signature, `Authorization` value, proxy password or request body, only names, codes,
//! numbers and the request id. (ureq's own events, under targets `ureq` and `ureq_proto`, are
//! not this module's: at `trace`, `ureq_proto` prints request heads, the `Authorization` and
//! `X-TC-Token` headers among them.)

use crate::action::ErrorCode;
use crate::error::Error;
use crate::escape::Escaped;
use std::time::Duration;

/// The `log` target of every event of this crate.
pub const TARGET: &str = "tc_redis";

/// What every event of one call carries.
pub(crate) struct CallContext<'a> {
    pub(crate) action: &'static str,
    pub(crate) service: &'a str,
    pub(crate) region: &'a str,
    pub(crate) host: &'a str,
}

/// An attempt that got an HTTP reply the client could read.
pub(crate) fn attempt_answered(
    call: &CallContext<'_>,
    attempt: u32,
    status: u16,
    body: &[u8],
    elapsed: Duration,
) {
    if !log::log_enabled!(target: TARGET, log::Level::Debug) {
        return;
    }
    // Parsed again only when the event is wanted: the typed response does not carry it
    // generically.
    let request_id = crate::response::envelope_request_id(body);
    emit_attempt(
        call,
        attempt,
        &format!("status={status}"),
        request_id.as_deref(),
        elapsed,
    );
}

/// An attempt that failed; `error` is what the attempt ended with.
pub(crate) fn attempt_failed<C: ErrorCode>(
    call: &CallContext<'_>,
    attempt: u32,
    error: &Error<C>,
    elapsed: Duration,
) {
    if log::log_enabled!(target: TARGET, log::Level::Debug) {
        emit_attempt(call, attempt, &class(error), error.request_id(), elapsed);
    }
}

fn emit_attempt(
    call: &CallContext<'_>,
    attempt: u32,
    result: &str,
    request_id: Option<&str>,
    elapsed: Duration,
) {
    log::debug!(
        target: TARGET,
        "attempt action={} service={} region={} host={} attempt={attempt} {result} request_id={} elapsed_ms={}",
        call.action,
        call.service,
        call.region,
        call.host,
        Escaped(request_id.unwrap_or("-")),
        elapsed.as_millis()
    );
}

/// Another attempt follows after `wait`.
pub(crate) fn retry<C: ErrorCode>(
    call: &CallContext<'_>,
    attempt: u32,
    max_attempts: u32,
    wait: Duration,
    error: &Error<C>,
) {
    log::info!(
        target: TARGET,
        "retry action={} host={} failed_attempt={attempt} max_attempts={max_attempts} wait_ms={} {}",
        call.action,
        call.host,
        wait.as_millis(),
        class(error)
    );
}

/// A retryable failure with no attempt left.
pub(crate) fn giving_up<C: ErrorCode>(call: &CallContext<'_>, attempts: u32, error: &Error<C>) {
    log::warn!(
        target: TARGET,
        "giving up action={} host={} attempts={attempts} {} outcome={:?} request_id={}",
        call.action,
        call.host,
        class(error),
        error.outcome(),
        Escaped(error.request_id().unwrap_or("-"))
    );
}

/// The server's clock differs from the local one by `skew_seconds`; the request is re-signed.
pub(crate) fn clock_skew_corrected(call: &CallContext<'_>, skew_seconds: i64) {
    log::info!(
        target: TARGET,
        "clock skew corrected action={} host={} skew_seconds={skew_seconds} (server minus local)",
        call.action,
        call.host
    );
}

/// The credentials provider returned other credentials than before.
pub(crate) fn credentials_refreshed(provider: &str) {
    log::info!(
        target: TARGET,
        "credentials refreshed provider={provider}"
    );
}

/// The proxy chosen for an endpoint host, at the host's first request.
#[cfg(feature = "proxy")]
pub(crate) fn proxy_chosen(host: &str, proxy: Option<(&str, &str)>) {
    match proxy {
        Some((source, address)) => log::debug!(
            target: TARGET,
            "proxy host={host} proxy={address} from={source}"
        ),
        None => log::debug!(target: TARGET, "proxy host={host} proxy=none"),
    }
}

/// `api_error=<code>`, `http_status=<n>`, `transport=<kind>`, ...: what an attempt ended with,
/// without the server's free-text message (it may quote the request).
fn class<C: ErrorCode>(error: &Error<C>) -> String {
    match error {
        Error::Api(e) => format!("api_error={}", Escaped(e.code.as_str())),
        Error::Http { status, .. } => format!("http_status={status}"),
        Error::MalformedResponse { .. } => "malformed_response".to_owned(),
        Error::Transport(t) => format!("transport={:?}", t.kind),
        Error::Config(_) => "config_error".to_owned(),
        Error::InvalidRequest(p) => format!("invalid_request={}", p.parameter),
        Error::Credentials(_) => "credentials_error".to_owned(),
        Error::Cancelled { .. } => "cancelled".to_owned(),
    }
}
