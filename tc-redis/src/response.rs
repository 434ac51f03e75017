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
use serde::de::DeserializeOwned;
use serde_json::Value;

/// How much of a body an error message quotes.
const EXCERPT_CHARS: usize = 200;

/// Turns an HTTP status and body into the typed response or the typed error.
pub fn parse<T: DeserializeOwned, C: ErrorCode>(status: u16, body: &[u8]) -> Result<T, Error<C>> {
    if status != 200 {
        return Err(Error::Http {
            status,
            body_excerpt: excerpt(body),
            request_id: envelope_request_id(body),
        });
    }
    let malformed = |problem: String, request_id: Option<String>| Error::MalformedResponse {
        problem,
        request_id,
    };
    let text = std::str::from_utf8(body).map_err(|e| {
        malformed(
            format!(
                "the body is not UTF-8 (invalid byte at offset {})",
                e.valid_up_to()
            ),
            None,
        )
    })?;
    let mut root: Value = serde_json::from_str(text).map_err(|e| {
        malformed(
            format!(
                "the body is not JSON ({e}); it starts with {:?}",
                excerpt(body)
            ),
            None,
        )
    })?;
    let Some(response) = root.get_mut("Response").filter(|r| r.is_object()) else {
        return Err(malformed(
            "the body has no `Response` object".to_owned(),
            None,
        ));
    };
    let request_id = match response.get("RequestId") {
        Some(Value::String(id)) => Some(id.clone()),
        Some(_) => {
            return Err(malformed(
                "`Response.RequestId` is not a string".to_owned(),
                None,
            ));
        }
        None => None,
    };
    if let Some(error) = response.get("Error") {
        let code = error.get("Code").and_then(Value::as_str).ok_or_else(|| {
            malformed(
                "`Response.Error` has no string `Code`".to_owned(),
                request_id.clone(),
            )
        })?;
        let message = error
            .get("Message")
            .and_then(Value::as_str)
            .unwrap_or_default();
        return Err(Error::Api(ApiError {
            code: C::from_code(code),
            message: message.to_owned(),
            request_id: request_id.unwrap_or_default(),
        }));
    }
    if request_id.is_none() {
        return Err(malformed("`Response` has no `RequestId`".to_owned(), None));
    }
    // Client error correction: what was filled in is recorded in the response (`correct`).
    crate::correct::recording(|| T::deserialize(response.take())).map_err(|e| {
        malformed(
            format!("`Response` does not match the action's response type: {e}"),
            request_id,
        )
    })
}

/// The request id of a non-200 body, when it happens to be an API envelope.
fn envelope_request_id(body: &[u8]) -> Option<String> {
    let root: Value = serde_json::from_slice(body).ok()?;
    root.get("Response")?
        .get("RequestId")?
        .as_str()
        .map(str::to_owned)
}

/// The first characters of a body, lossily decoded, for error messages.
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
}
