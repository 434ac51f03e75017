//! [`Fault`]: transport and gateway misbehaviour to inject, for reliability tests.

use std::time::Duration;

/// A misbehaviour applied to every request read while it is set (see
/// [`crate::FakeServer::set_fault`]). Requests are counted and recorded under every fault.
///
/// "Executed" below means the request goes through the normal pipeline (signature, parameters,
/// state change such as an instance being cleaned up and a TaskId allocated) before the fault
/// mangles the answer; "not executed" means the fault answers in place of the API, as a gateway
/// or proxy in front of it would.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Executed; then the connection is reset (TCP RST, `SO_LINGER` 0) without a byte of answer.
    ResetBeforeResponse,
    /// Executed; the head (with the full `Content-Length`) and half the body are sent, then the
    /// connection is reset.
    ResetMidBody,
    /// Not executed; answers this HTTP status with this body as `text/html; charset=utf-8`
    /// (a gateway error page).
    HttpStatus(u16, String),
    /// Not executed; answers exactly this status, `Content-Type` and body (truncated JSON,
    /// non-JSON, invalid UTF-8, JSON without `Response`, ...).
    Body {
        /// The HTTP status.
        status: u16,
        /// The `Content-Type` header value.
        content_type: String,
        /// The raw body bytes.
        body: Vec<u8>,
    },
    /// Executed; then no answer at all: the connection stays open and silent until the client
    /// closes it or the server stops.
    NeverAnswer,
    /// Executed; the head is sent at once, then the body one byte per `interval`.
    DripBody {
        /// The pause before each body byte.
        interval: Duration,
    },
    /// Not executed for the next `count` requests, which get a normal error envelope with this
    /// code (e.g. `RequestLimitExceeded`, `InternalError`); after that the fault clears itself
    /// and requests are served normally.
    ErrorFirst {
        /// The `Response.Error.Code` to answer.
        code: String,
        /// How many requests get it.
        count: usize,
    },
    /// Executed normally, but success and error envelopes carry
    /// `Content-Type: application/json; charset=utf-8` (the official Python SDK then skips its
    /// error check and reports an error as a success without fields).
    ContentTypeWithCharset,
    /// The inner fault for the next request only; then requests are served normally (a
    /// cleanup whose answer is lost, and the look that follows it, answered).
    Once(Box<Fault>),
}
