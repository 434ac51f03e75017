//! Nothing a server sends reaches a terminal raw: control characters (ESC, CR, LF, BEL, C1) and
//! bidirectional overrides in every server-provided string (Code, Message, RequestId, a task's
//! fields, body excerpts) are escaped in every `Display` of the library's errors, so a hostile
//! reply cannot forge lines such as `TaskId: 999` or rewrite what is already on the screen.

use std::time::Duration;
use tc_redis::{CleanUpInstanceRequest, Error, ErrorCode};
use tc_redis_fake::support::{ManualClock, client_builder};
use tc_redis_fake::{FakeConfig, FakeServer, Fault};

/// What a hostile server puts in each string, as JSON escapes: clear the line, a forged line,
/// a bell, a C1 CSI, a right-to-left override.
const HOSTILE: &str = r"\u001b[2K\rTaskId: 999\n\u0007\u009b31m\u202eevil";

/// Whether `shown` has a character that drives a terminal.
fn raw_controls(shown: &str) -> Vec<char> {
    shown
        .chars()
        .filter(|c| c.is_control() || ('\u{202a}'..='\u{202e}').contains(c))
        .collect()
}

fn reply(status: u16, body: String) -> FakeServer {
    let s = FakeServer::start(FakeConfig::new().instance_in_recycle_bin("crs-inbin001")).unwrap();
    s.set_fault(Some(Fault::Body {
        status,
        content_type: "application/json".into(),
        body: body.into_bytes(),
    }));
    s
}

/// One CleanUpInstance against `s`, no retries: its error.
fn error_of(s: &FakeServer) -> Error<tc_redis::CleanUpInstanceErrorCode> {
    client_builder(s)
        .clock(ManualClock::system())
        .retry(tc_redis::RetryPolicy::none())
        .build()
        .unwrap()
        .clean_up_instance(&CleanUpInstanceRequest::new("crs-inbin001"))
        .expect_err("the reply is an error")
}

#[track_caller]
fn assert_escaped<C: ErrorCode>(what: &str, e: &Error<C>) {
    let shown = e.to_string();
    let raw = raw_controls(&shown);
    assert!(raw.is_empty(), "{what}: raw {raw:?} in {shown:?}");
    // The text is still there, escaped, for whoever reads the message.
    assert!(
        shown.contains(r"\u{1b}[2K\rTaskId: 999\n"),
        "{what}: {shown}"
    );
    assert!(!shown.contains("\nTaskId"), "{what}: {shown}");
}

#[test]
fn api_error_code_message_and_request_id_are_escaped() {
    let body = format!(
        r#"{{"Response":{{"Error":{{"Code":"FailedOperation.{HOSTILE}","Message":"{HOSTILE}"}},"RequestId":"{HOSTILE}"}}}}"#
    );
    let e = error_of(&reply(200, body));
    let Error::Api(api) = &e else { panic!("{e:?}") };
    // The fields themselves are the server's, unchanged: it is their display that escapes.
    assert!(api.message.contains('\u{1b}'), "{api:?}");
    assert_escaped("Api", &e);
}

#[test]
fn malformed_reply_problem_request_id_and_excerpt_are_escaped() {
    // A wrong type (the serde message quotes the string) and a hostile request id.
    let body = format!(r#"{{"Response":{{"TaskId":"{HOSTILE}","RequestId":"{HOSTILE}"}}}}"#);
    let e = error_of(&reply(200, body));
    assert!(matches!(e, Error::MalformedResponse { .. }), "{e:?}");
    assert_escaped("MalformedResponse", &e);
    // Not JSON at all: raw control bytes in the body itself.
    let e = error_of(&reply(200, "\u{1b}[2K\rTaskId: 999\n\u{7}".to_owned()));
    assert!(matches!(e, Error::MalformedResponse { .. }), "{e:?}");
    assert_escaped("MalformedResponse, not JSON", &e);
}

#[test]
fn gateway_page_and_request_id_are_escaped() {
    let body = format!(
        r#"{{"Response":{{"Error":{{"Code":"InternalError","Message":"{HOSTILE}"}},"RequestId":"{HOSTILE}"}}}}"#
    );
    let e = error_of(&reply(502, body));
    assert!(matches!(e, Error::Http { status: 502, .. }), "{e:?}");
    assert_escaped("Http", &e);
}

#[test]
fn a_failed_tasks_fields_are_escaped() {
    let body = format!(
        r#"{{"Response":{{"Status":"failed","StartTime":"","TaskType":"FLOW_CLEARDATA","InstanceId":"{HOSTILE}","TaskMessage":"{HOSTILE}","RequestId":"{HOSTILE}"}}}}"#
    );
    let s = reply(200, body);
    let client = client_builder(&s)
        .clock(ManualClock::system())
        .build()
        .unwrap();
    let e = client
        .wait_for_task(10856, Duration::from_secs(60))
        .expect_err("the task failed");
    let shown = e.to_string();
    assert!(matches!(e, tc_redis::WaitError::TaskFailed(_)), "{e:?}");
    let raw = raw_controls(&shown);
    assert!(raw.is_empty(), "raw {raw:?} in {shown:?}");
    assert!(shown.contains(r"\rTaskId: 999\n"), "{shown}");
}
