//! Each [`Fault`]: what reaches the client, whether the action ran, and that the request is
//! still counted and recorded.

use crate::client::{self, Call, Envelope, RawResponse};
use std::io::{BufReader, ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};
use tc_redis_fake::{FakeConfig, FakeServer, Fault, InstanceStatus};

const ID: &str = "crs-inbin001";

fn server(fault: Fault) -> FakeServer {
    let s = FakeServer::start(FakeConfig::new().instance_in_recycle_bin(ID)).unwrap();
    s.set_fault(Some(fault));
    s
}

/// Sends a CleanUpInstance on a new keep-alive connection and returns the stream.
fn send(s: &FakeServer) -> TcpStream {
    let c = Call::clean_up(s, ID);
    let stream = TcpStream::connect(s.addr()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    (&stream)
        .write_all(&client::request_bytes("POST", "/", &c.headers(), &c.body))
        .unwrap();
    stream
}

fn exchange(s: &FakeServer) -> std::io::Result<RawResponse> {
    let stream = send(s);
    client::read_response(&mut BufReader::new(&stream))
}

fn is_reset(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        ErrorKind::ConnectionReset | ErrorKind::UnexpectedEof | ErrorKind::ConnectionAborted
    )
}

#[test]
fn reset_before_response_runs_the_action_and_sends_nothing() {
    let s = server(Fault::ResetBeforeResponse);
    let stream = send(&s);
    let mut buf = Vec::new();
    let read = (&stream).read_to_end(&mut buf);
    assert!(buf.is_empty(), "{:?}", String::from_utf8_lossy(&buf));
    let err = read.expect_err("a reset");
    assert_eq!(err.kind(), ErrorKind::ConnectionReset, "{err}");
    assert_eq!(s.instance(ID), Some(InstanceStatus::CleanedUp));
    let rec = s.requests();
    assert_eq!(rec.len(), 1);
    assert_eq!(rec[0].error_code, None, "the action succeeded");
}

#[test]
fn reset_mid_body_sends_a_partial_answer() {
    let s = server(Fault::ResetMidBody);
    let err = exchange(&s).expect_err("cut off");
    assert!(is_reset(&err), "{err}");
    assert_eq!(s.instance(ID), Some(InstanceStatus::CleanedUp));
    assert_eq!(s.stats().requests, 1);
}

#[test]
fn http_status_is_a_gateway_page_and_does_not_run_the_action() {
    let page = "<html><body><h1>502 Bad Gateway</h1></body></html>";
    let s = server(Fault::HttpStatus(502, page.into()));
    let r = exchange(&s).unwrap();
    assert_eq!(r.status, 502);
    assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
    assert_eq!(r.body, page.as_bytes());
    assert_eq!(s.instance(ID), Some(InstanceStatus::InRecycleBin));
    // Still set: every request gets it until healed.
    assert_eq!(exchange(&s).unwrap().status, 502);
    s.set_fault(None);
    exchange(&s).unwrap().assert_success();
    let statuses: Vec<u16> = s.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [502, 502, 200]);
}

#[test]
fn body_is_sent_verbatim() {
    for body in [
        b"{\"Response\": {\"TaskId\": 1".to_vec(),
        b"<html>not json</html>".to_vec(),
        vec![0xff, 0xfe, b'{', b'}'],
        b"{\"NotResponse\": {}}".to_vec(),
    ] {
        let s = server(Fault::Body {
            status: 200,
            content_type: "application/json".into(),
            body: body.clone(),
        });
        let r = exchange(&s).unwrap();
        assert_eq!((r.status, &r.body), (200, &body));
        assert_eq!(r.header("content-type"), Some("application/json"));
        assert_eq!(s.instance(ID), Some(InstanceStatus::InRecycleBin));
    }
}

#[test]
fn never_answer_runs_the_action_and_stays_silent() {
    let s = server(Fault::NeverAnswer);
    let stream = send(&s);
    stream
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let mut buf = [0u8; 16];
    let err = (&stream).read(&mut buf).expect_err("silence");
    assert!(
        matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
        "{err}"
    );
    assert_eq!(s.instance(ID), Some(InstanceStatus::CleanedUp));
    // Dropping the server ends the silent connection promptly.
    let started = Instant::now();
    drop(s);
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    assert_eq!((&stream).read(&mut buf).unwrap_or(0), 0);
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[test]
fn drip_body_sends_the_whole_answer_slowly() {
    let interval = Duration::from_millis(2);
    let s = server(Fault::DripBody { interval });
    let started = Instant::now();
    let r = exchange(&s).unwrap();
    let body = r.assert_success();
    assert!(body["TaskId"].is_u64());
    assert!(started.elapsed() >= interval * r.body.len() as u32);
}

#[test]
fn error_first_answers_the_code_n_times_then_heals() {
    let s = server(Fault::ErrorFirst {
        code: "RequestLimitExceeded".into(),
        count: 2,
    });
    for _ in 0..2 {
        exchange(&s).unwrap().assert_error("RequestLimitExceeded");
        assert_eq!(s.instance(ID), Some(InstanceStatus::InRecycleBin));
    }
    exchange(&s).unwrap().assert_success();
    let codes: Vec<Option<String>> = s.requests().into_iter().map(|r| r.error_code).collect();
    assert_eq!(
        codes,
        [
            Some("RequestLimitExceeded".to_owned()),
            Some("RequestLimitExceeded".to_owned()),
            None
        ]
    );
}

#[test]
fn content_type_with_charset_on_success_and_error() {
    let s = server(Fault::ContentTypeWithCharset);
    let first = exchange(&s).unwrap();
    let second = exchange(&s).unwrap();
    for r in [&first, &second] {
        assert_eq!(
            r.header("content-type"),
            Some("application/json; charset=utf-8")
        );
    }
    assert!(first.json()["Response"]["TaskId"].is_u64());
    assert_eq!(
        second.error_code().as_deref(),
        Some("ResourceUnavailable.InstanceStatusAbnormal")
    );
}
