//! Reading the API 3.0 response envelope.
//!
//! ```text
//! success: {"Response": {<fields>, "RequestId": "<uuid>"}}
//! failure: {"Response": {"Error": {"Code": "...", "Message": "..."}, "RequestId": "<uuid>"}}
//! ```
//!
//! `Response.Error` is looked for in every 200 reply whatever its `Content-Type` says (the
//! official Python SDK skips the check when the server adds `; charset=utf-8` and reports an
//! error as an empty success). A pure function of the status and body, so that it can be
//! fuzzed: it never panics, whatever the bytes.

use crate::action::ErrorCode;
use crate::error::{ApiError, Error};
use envelope::{Field, Probe};
use serde::Deserialize;
use serde::de::DeserializeOwned;

mod envelope;

/// How much of a body an error message quotes, in characters (before escaping).
const EXCERPT_CHARS: usize = 200;
/// The longest request id looked for in a body that cannot be parsed (they are UUIDs, 36).
const MAX_SCANNED_REQUEST_ID: usize = 128;

/// Turns an HTTP status and body into the typed response or the typed error.
///
/// Two passes over the body, neither of which builds a tree of it: the first reads only the
/// envelope (`Response`, `Response.Error`, `Response.RequestId`) and checks that the whole body
/// is JSON, skipping everything else; the second deserialises `Response` straight into `T`.
/// Memory is what `T` holds plus serde_json's scratch buffer, a small multiple of the body at
/// worst (`tests/tests/response_memory.rs`), where a `serde_json::Value` costs many times it.
pub fn parse<T: DeserializeOwned, C: ErrorCode>(status: u16, body: &[u8]) -> Result<T, Error<C>> {
    if status != 200 {
        return Err(Error::Http {
            status,
            body_excerpt: excerpt(body),
            request_id: envelope_request_id(body),
        });
    }
    let malformed = |problem: String, request_id: Option<String>| Error::MalformedResponse {
        status,
        problem,
        request_id,
        body_excerpt: excerpt(body),
    };
    let text = std::str::from_utf8(body).map_err(|e| {
        malformed(
            format!(
                "the body is not UTF-8 (invalid byte at offset {})",
                e.valid_up_to()
            ),
            scan_request_id(body),
        )
    })?;
    let probe: Probe = serde_json::from_str(text)
        .map_err(|e| malformed(format!("the body is not JSON ({e})"), scan_request_id(body)))?;
    let Some(response) = probe.response.filter(|r| r.is_object) else {
        return Err(malformed(
            "the body has no `Response` object".to_owned(),
            None,
        ));
    };
    let request_id = match response.request_id {
        Some(Field::Str(id)) => Some(id),
        Some(Field::Other) => {
            return Err(malformed(
                "`Response.RequestId` is not a string".to_owned(),
                None,
            ));
        }
        None => None,
    };
    if let Some(error) = response.error {
        let Some(Field::Str(code)) = error.code else {
            return Err(malformed(
                "`Response.Error` has no string `Code`".to_owned(),
                request_id,
            ));
        };
        let message = match error.message {
            Some(Field::Str(m)) => m,
            _ => String::new(),
        };
        return Err(Error::Api(ApiError {
            code: C::from_code(&code),
            message,
            request_id: request_id.unwrap_or_default(),
            credential_source: None,
        }));
    }
    if request_id.is_none() {
        return Err(malformed("`Response` has no `RequestId`".to_owned(), None));
    }
    // Client error correction happens in the response type's own `Deserialize` (`correct`).
    match serde_json::from_str::<Typed<T>>(text) {
        Ok(typed) => Ok(typed.response),
        Err(e) => Err(malformed(
            format!("`Response` does not match the action's response type: {e}"),
            request_id,
        )),
    }
}

/// The second pass: `Response` as the action's type; other top-level keys are skipped.
#[derive(Deserialize)]
struct Typed<T> {
    #[serde(rename = "Response")]
    response: T,
}

/// The request id of a non-200 body, when it happens to be an API envelope.
pub(crate) fn envelope_request_id(body: &[u8]) -> Option<String> {
    let probe: Probe = serde_json::from_slice(body).ok()?;
    match probe.response?.request_id? {
        Field::Str(id) => Some(id),
        Field::Other => None,
    }
}

/// The request id of a body that cannot be parsed (truncated, not UTF-8, not JSON): the first
/// `"RequestId": "<id>"` in it whose id is plain printable ASCII, so that a reply cut short or
/// mangled elsewhere can still be quoted to Tencent support.
fn scan_request_id(body: &[u8]) -> Option<String> {
    const KEY: &[u8] = b"\"RequestId\"";
    let mut from = 0;
    while let Some(at) = find(&body[from..], KEY) {
        from += at + KEY.len();
        let rest = &body[from..];
        let skip_ws =
            |b: &[u8]| -> usize { b.iter().take_while(|c| c.is_ascii_whitespace()).count() };
        let mut i = skip_ws(rest);
        if rest.get(i) != Some(&b':') {
            continue;
        }
        i += 1;
        i += skip_ws(&rest[i..]);
        if rest.get(i) != Some(&b'"') {
            continue;
        }
        i += 1;
        let value = &rest[i..];
        let len = value
            .iter()
            .take_while(|c| c.is_ascii_graphic() && **c != b'"' && **c != b'\\')
            .count();
        if len > 0 && len <= MAX_SCANNED_REQUEST_ID && value.get(len) == Some(&b'"') {
            return std::str::from_utf8(&value[..len]).ok().map(str::to_owned);
        }
    }
    None
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The first characters of a body, lossily decoded, with `…` when there was more. Kept as the
/// server sent them: `Display` escapes them, and JSON its own way (escaped once, not twice).
pub(crate) fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(EXCERPT_CHARS * 4)]);
    let mut out: String = text.chars().take(EXCERPT_CHARS).collect();
    if text.chars().count() > EXCERPT_CHARS || body.len() > EXCERPT_CHARS * 4 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CleanUpInstanceErrorCode as Code, CleanUpInstanceResponse as Resp};

    fn run(status: u16, body: &[u8]) -> Result<Resp, Error<Code>> {
        parse::<Resp, Code>(status, body)
    }

    #[test]
    fn success_is_typed() {
        let r = run(
            200,
            br#"{"Response":{"TaskId":10856,"RequestId":"c4ed","Extra":1}}"#,
        )
        .unwrap();
        assert_eq!(r.task_id, Some(10856));
        assert!(r.corrections().is_empty());
        assert_eq!(r.request_id, "c4ed");
    }

    #[test]
    fn api_errors_carry_code_message_and_request_id() {
        let body = br#"{"Response":{"Error":{"Code":"ResourceUnavailable.InstanceStatusAbnormal","Message":"bad state"},"RequestId":"r-1"}}"#;
        match run(200, body) {
            Err(Error::Api(e)) => {
                assert_eq!(e.code, Code::ResourceUnavailableInstanceStatusAbnormal);
                assert_eq!(e.message, "bad state");
                assert_eq!(e.request_id, "r-1");
            }
            other => panic!("{other:?}"),
        }
        let unknown =
            br#"{"Response":{"Error":{"Code":"Brand.New","Message":""},"RequestId":"r-2"}}"#;
        assert!(
            matches!(run(200, unknown), Err(Error::Api(ApiError { code: Code::Other(c), .. })) if c == "Brand.New")
        );
    }

    #[test]
    fn malformed_replies_say_what_is_wrong() {
        let problem = |body: &[u8]| match run(200, body) {
            Err(Error::MalformedResponse { problem, .. }) => problem,
            other => panic!("{other:?}"),
        };
        assert!(problem(b"<html>").contains("not JSON"));
        assert!(problem(br#"{"Response":{"TaskId":1"#).contains("not JSON"));
        assert!(problem(b"\xff\xfe").contains("not UTF-8"));
        assert!(problem(br#"{"NoResponse":{}}"#).contains("no `Response`"));
        assert!(problem(br#"{"Response":{"TaskId":1}}"#).contains("no `RequestId`"));
        assert!(
            problem(br#"{"Response":{"TaskId":"1.5","RequestId":"x"}}"#).contains("invalid value")
        );
        assert!(
            problem(br#"{"Response":{"Error":{"Message":"m"},"RequestId":"x"}}"#).contains("Code")
        );
    }

    #[test]
    fn http_errors_keep_an_excerpt_and_any_request_id() {
        match run(502, b"<html>Bad Gateway</html>") {
            Err(Error::Http {
                status: 502,
                body_excerpt,
                request_id: None,
            }) => {
                assert_eq!(body_excerpt, "<html>Bad Gateway</html>")
            }
            other => panic!("{other:?}"),
        }
        let long = vec![b'x'; 10_000];
        match run(503, &long) {
            Err(Error::Http { body_excerpt, .. }) => assert_eq!(body_excerpt.chars().count(), 201),
            other => panic!("{other:?}"),
        }
        let env =
            br#"{"Response":{"Error":{"Code":"InternalError","Message":""},"RequestId":"r-9"}}"#;
        assert_eq!(run(500, env).unwrap_err().request_id(), Some("r-9"));
    }

    #[test]
    fn unreadable_200s_keep_the_request_id_when_it_can_be_found() {
        let malformed = |body: &[u8]| match run(200, body) {
            Err(Error::MalformedResponse {
                status: 200,
                request_id,
                body_excerpt,
                ..
            }) => (request_id, body_excerpt),
            other => panic!("{other:?}"),
        };
        // Not UTF-8, and cut short: the id is still there to quote.
        let (id, _) = malformed(b"{\"Response\":{\"RequestId\" : \"r-\xff\"}}");
        assert_eq!(id, None, "an id with a byte that is not ASCII is not taken");
        let (id, excerpt) =
            malformed(b"{\"Response\":{\"Msg\":\"\xff\",\"RequestId\": \"c4ed-1\",\"TaskId\":1");
        assert_eq!(id.as_deref(), Some("c4ed-1"));
        assert!(excerpt.starts_with("{\"Response\""), "{excerpt}");
        let (id, _) = malformed(br#"{"Response":{"TaskId":1,"RequestId":"cut-sh"#);
        assert_eq!(id, None, "an id without its closing quote may be cut short");
        // Valid JSON: only `Response.RequestId` counts, never one found elsewhere.
        let (id, _) = malformed(br#"{"Response":{"TaskId":"x","Deep":{"RequestId":"no"}}}"#);
        assert_eq!(id, None);
    }

    #[test]
    fn excerpts_are_kept_as_sent_and_capped_and_escaped_by_display() {
        let e = excerpt(b"a\x1b[2Kb\r\nTaskId: 9");
        assert_eq!(e, "a\x1b[2Kb\r\nTaskId: 9");
        let long = excerpt(&[b'\n'; 1000]);
        assert_eq!(long, format!("{}…", "\n".repeat(200)));
        let shown = run(502, b"<html>\x1b[2J\r\nsummary: 9 done")
            .unwrap_err()
            .to_string();
        assert!(
            shown.contains(r"<html>\u{1b}[2J\r\nsummary: 9 done"),
            "{shown}"
        );
    }
}
