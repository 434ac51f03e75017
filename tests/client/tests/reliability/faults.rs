//! Reliability against every injected fault: the exact typed error (or the recovered success),
//! the request id whenever the server sent one, and — counted on the fake — exactly as many
//! sends as the retry policy allows for a non-idempotent action (CleanUpInstance): never a second
//! send once the request may have reached the server.

use std::net::{Ipv4Addr, TcpListener};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tc_redis::CommonErrorCode;
use tc_redis::clock::Clock;
use tc_redis::{
    CleanUpInstanceErrorCode as Code, CleanUpInstanceRequest, CleanUpInstanceResponse,
    ClientBuilder, Error, RetryPolicy, TransportErrorKind as Kind,
};
use tc_redis_fake::support::{ManualClock, endpoint_builder};
use tc_redis_fake::{FakeConfig, FakeServer, Fault, InstanceStatus};
use tc_redis_test_support::closed_port;

const ID: &str = "crs-inbin001";
const RUNNING: &str = "crs-running1";

type Outcome = Result<CleanUpInstanceResponse, Error<Code>>;

fn server(fault: Option<Fault>) -> FakeServer {
    let s = FakeServer::start(
        FakeConfig::new()
            .instance_in_recycle_bin(ID)
            .running_instance(RUNNING),
    )
    .unwrap();
    s.set_fault(fault);
    s
}

fn builder(endpoint: String, clock: &ManualClock) -> ClientBuilder {
    endpoint_builder(endpoint).clock(clock.clone())
}

/// One CleanUpInstance of `ID` through a default client (3 attempts) with a fake clock.
fn call(s: &FakeServer, clock: &ManualClock) -> Outcome {
    call_with(s, clock, |b| b)
}

fn call_with(
    s: &FakeServer,
    clock: &ManualClock,
    configure: impl FnOnce(ClientBuilder) -> ClientBuilder,
) -> Outcome {
    let client = configure(builder(s.endpoint(), clock)).build().unwrap();
    client.clean_up_instance(&CleanUpInstanceRequest::new(ID))
}

/// Asserts a transport error of this kind, and returns its message.
fn assert_transport(r: Outcome, kind: Kind, may_have_been_sent: bool) -> String {
    match r {
        Err(Error::Transport(t)) => {
            assert_eq!(t.kind, kind, "{t:?}");
            assert_eq!(t.may_have_been_sent, may_have_been_sent, "{t:?}");
            t.message
        }
        other => panic!("expected a {kind:?} transport error, got {other:?}"),
    }
}

/// Asserts a malformed-response error (status 200, "may have run"), and returns its problem
/// (with the body excerpt appended) and request id.
fn assert_malformed(r: Outcome) -> (String, Option<String>) {
    match r {
        Err(e @ Error::MalformedResponse { .. }) => {
            assert_eq!(e.outcome(), tc_redis::Outcome::MayHaveRun, "{e:?}");
            let Error::MalformedResponse {
                status,
                problem,
                request_id,
                body_excerpt,
            } = e
            else {
                unreachable!()
            };
            assert_eq!(status, 200);
            (format!("{problem}; body: {body_excerpt}"), request_id)
        }
        other => panic!("expected MalformedResponse, got {other:?}"),
    }
}

/// A default call to a fake answering `body` with status 200: asserts a malformed-response
/// error after exactly one send, and returns its problem and request id.
fn malformed_once(body: &[u8]) -> (String, Option<String>) {
    let s = server(Some(body_fault(200, body)));
    let clock = ManualClock::system();
    let malformed = assert_malformed(call(&s, &clock));
    assert_sent_once(&s, &clock);
    malformed
}

/// A call through a default client changed by `configure` to a fake with `fault`: asserts an
/// I/O error that may have been sent, after exactly one send, and returns the fake.
fn io_error_after_one_send(
    fault: Fault,
    configure: impl FnOnce(ClientBuilder) -> ClientBuilder,
) -> FakeServer {
    let s = server(Some(fault));
    let clock = ManualClock::system();
    assert_transport(call_with(&s, &clock, configure), Kind::Io, true);
    assert_sent_once(&s, &clock);
    s
}

/// Asserts an API error of this code carrying the request id of the fake's first request.
#[track_caller]
fn assert_api_error(r: Outcome, code: Code, s: &FakeServer) {
    match r {
        Err(Error::Api(e)) => {
            assert_eq!(e.code, code);
            assert_eq!(
                Some(e.request_id.as_str()),
                s.requests()[0].request_id.as_deref()
            );
        }
        other => panic!("expected the API error {code:?}, got {other:?}"),
    }
}

/// The fake saw exactly one request, and the client never slept (so never retried).
fn assert_sent_once(s: &FakeServer, clock: &ManualClock) {
    assert_eq!(s.requests().len(), 1, "{:?}", s.requests());
    assert_eq!(s.stats().requests, 1);
    assert!(clock.sleeps().is_empty(), "slept {:?}", clock.sleeps());
}

fn body_fault(status: u16, body: &[u8]) -> Fault {
    Fault::Body {
        status,
        content_type: "application/json".into(),
        body: body.to_vec(),
    }
}

#[test]
fn baseline_success_is_one_request() {
    let s = server(None);
    let clock = ManualClock::system();
    let reply = call(&s, &clock).unwrap();
    assert_sent_once(&s, &clock);
    let rec = &s.requests()[0];
    assert_eq!(rec.request_id.as_deref(), Some(reply.request_id.as_str()));
    assert_eq!(reply.task_id, Some(10856));
    assert_eq!(s.instance(ID), Some(InstanceStatus::CleanedUp));
}

#[test]
fn connection_refused_is_retried_exactly_as_configured() {
    let endpoint = format!("http://127.0.0.1:{}", closed_port());
    for attempts in [1u32, 3, 4] {
        let clock = ManualClock::system();
        let client = builder(endpoint.clone(), &clock)
            .retry(RetryPolicy::default().max_attempts(attempts))
            .build()
            .unwrap();
        let r = client.clean_up_instance(&CleanUpInstanceRequest::new(ID));
        assert_transport(r, Kind::Connect, false);
        // One backoff between two attempts, none after the last: N attempts, N-1 sleeps.
        let sleeps = clock.sleeps();
        assert_eq!(sleeps.len(), attempts as usize - 1, "{sleeps:?}");
        // Default backoff: 0.5 s doubling, jittered into [d/2, d].
        for (i, d) in sleeps.iter().enumerate() {
            let full = Duration::from_millis(500) * (1 << i);
            assert!(*d >= full / 2 && *d <= full, "sleep {i}: {d:?}");
        }
    }
}

/// A fake clock that starts a fake server on `port` the first time the client sleeps: the first
/// attempt is refused, the retry after the backoff finds the server up.
#[derive(Debug, Clone)]
struct StartOnSleep {
    clock: ManualClock,
    port: u16,
    server: Arc<Mutex<Option<FakeServer>>>,
}

impl Clock for StartOnSleep {
    fn now(&self) -> Duration {
        self.clock.now()
    }

    fn sleep(&self, d: Duration) {
        self.clock.sleep(d);
        let mut server = self.server.lock().unwrap();
        if server.is_none() {
            let config = FakeConfig::new()
                .instance_in_recycle_bin(ID)
                .port(self.port);
            *server = FakeServer::start(config).ok();
        }
    }
}

#[test]
fn connection_refused_then_a_retry_that_succeeds_returns_its_success() {
    let port = closed_port();
    let hook = StartOnSleep {
        clock: ManualClock::system(),
        port,
        server: Arc::default(),
    };
    let client = builder(format!("http://127.0.0.1:{port}"), &hook.clock)
        .clock(hook.clone())
        .build()
        .unwrap();
    let r = client.clean_up_instance(&CleanUpInstanceRequest::new(ID));
    let server = hook.server.lock().unwrap().take();
    let Some(s) = server else {
        panic!("the client never slept, so never retried: {r:?}");
    };
    let reply = r.unwrap();
    assert_eq!(hook.clock.sleeps().len(), 1, "{:?}", hook.clock.sleeps());
    let rec = s.requests();
    assert_eq!(rec.len(), 1);
    assert_eq!(
        rec[0].request_id.as_deref(),
        Some(reply.request_id.as_str())
    );
    assert_eq!(reply.task_id, Some(10856));
    assert_eq!(s.instance(ID), Some(InstanceStatus::CleanedUp));
}

/// A listener whose accept queue is full, so that new connections are never completed.
fn black_hole() -> (TcpListener, Vec<std::net::TcpStream>) {
    use std::os::fd::AsRawFd;
    let l = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    // SAFETY: a valid listening socket; listen() again only shrinks its backlog.
    unsafe { libc::listen(l.as_raw_fd(), 0) };
    let addr = l.local_addr().unwrap();
    let mut filler = Vec::new();
    for _ in 0..4 {
        match std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(100)) {
            Ok(c) => filler.push(c),
            Err(_) => break,
        }
    }
    (l, filler)
}

#[test]
fn connect_timeout_is_not_sent_and_is_retried() {
    let (l, _filler) = black_hole();
    let clock = ManualClock::system();
    let client = builder(format!("http://{}", l.local_addr().unwrap()), &clock)
        .connect_timeout(Duration::from_millis(150))
        .timeout(Duration::from_secs(1))
        .build()
        .unwrap();
    let started = Instant::now();
    let r = client.clean_up_instance(&CleanUpInstanceRequest::new(ID));
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_transport(r, Kind::Timeout, false);
    assert_eq!(clock.sleeps().len(), 2, "{:?}", clock.sleeps());
}

#[test]
fn reset_before_response_is_io_and_not_resent() {
    let s = io_error_after_one_send(Fault::ResetBeforeResponse, |b| b);
    // The action ran: a second send would have hit an already cleaned-up instance.
    assert_eq!(s.instance(ID), Some(InstanceStatus::CleanedUp));
}

#[test]
fn reset_before_response_is_not_resent_even_with_many_attempts() {
    io_error_after_one_send(Fault::ResetBeforeResponse, |b| {
        b.retry(RetryPolicy::default().max_attempts(10))
    });
}

#[test]
fn reset_mid_body_is_io_and_not_resent() {
    let s = io_error_after_one_send(Fault::ResetMidBody, |b| b);
    assert_eq!(s.instance(ID), Some(InstanceStatus::CleanedUp));
}

#[test]
fn gateway_502_and_503_are_http_errors_with_the_page_and_not_resent() {
    for status in [502u16, 503] {
        let page = format!("<html><body><h1>{status} from the gateway</h1></body></html>");
        let s = server(Some(Fault::HttpStatus(status, page.clone())));
        let clock = ManualClock::system();
        match call(&s, &clock) {
            Err(Error::Http {
                status: got,
                body_excerpt,
                request_id,
            }) => {
                assert_eq!(got, status);
                assert!(body_excerpt.contains(&page), "{body_excerpt:?}");
                assert_eq!(request_id, None);
            }
            other => panic!("{status}: {other:?}"),
        }
        assert_sent_once(&s, &clock);
        assert_eq!(s.instance(ID), Some(InstanceStatus::InRecycleBin));
    }
}

#[test]
fn gateway_error_carrying_an_envelope_keeps_its_request_id() {
    let body =
        br#"{"Response":{"Error":{"Code":"InternalError","Message":"x"},"RequestId":"rid-500"}}"#;
    let s = server(Some(body_fault(500, body)));
    let clock = ManualClock::system();
    match call(&s, &clock) {
        Err(e @ Error::Http { status: 500, .. }) => {
            assert_eq!(e.request_id(), Some("rid-500"));
        }
        other => panic!("{other:?}"),
    }
    assert_sent_once(&s, &clock);
}

#[test]
fn truncated_json_is_malformed() {
    let (problem, id) = malformed_once(br#"{"Response": {"TaskId": 1"#);
    assert!(problem.contains("not JSON"), "{problem}");
    assert_eq!(id, None);
}

#[test]
fn non_json_is_malformed() {
    let (problem, id) = malformed_once(b"<html>definitely not json</html>");
    assert!(problem.contains("definitely not json"), "{problem}");
    assert_eq!(id, None);
}

#[test]
fn body_over_the_cap_is_response_too_large() {
    let mut big = br#"{"Response":{"RequestId":"rid","Pad":""#.to_vec();
    big.resize(4096 - 3, b'x');
    big.extend_from_slice(br#""}}"#);
    assert_eq!(big.len(), 4096);
    let s = server(Some(body_fault(200, &big)));
    let clock = ManualClock::system();
    let r = call_with(&s, &clock, |b| b.max_response_bytes(1024));
    assert_transport(r, Kind::ResponseTooLarge, true);
    assert_sent_once(&s, &clock);

    // The same body under a larger cap is read (its TaskId is missing: `None`, never 0).
    let s = server(Some(body_fault(200, &big)));
    let reply = call_with(&s, &clock, |b| b.max_response_bytes(4096)).expect("read in full");
    assert_eq!((reply.task_id, reply.request_id.as_str()), (None, "rid"));
}

#[test]
fn wrong_json_type_is_malformed_with_the_request_id() {
    // A fraction where an integer belongs: lossy, so not corrected (a string of digits would be).
    let body = br#"{"Response":{"TaskId":"10856.5","RequestId":"rid-types"}}"#;
    let (problem, id) = malformed_once(body);
    assert!(
        problem.contains("expected an integer of type i64"),
        "{problem}"
    );
    assert_eq!(id.as_deref(), Some("rid-types"));
}

#[test]
fn missing_response_is_malformed() {
    let (problem, id) = malformed_once(br#"{"NotResponse":{"RequestId":"x"}}"#);
    assert!(problem.contains("Response"), "{problem}");
    assert_eq!(id, None);
}

#[test]
fn missing_request_id_is_malformed() {
    let (problem, id) = malformed_once(br#"{"Response":{"TaskId":7}}"#);
    assert!(problem.contains("RequestId"), "{problem}");
    assert_eq!(id, None);
}

#[test]
fn invalid_utf8_is_malformed() {
    let (problem, id) = malformed_once(&[0xff, 0xfe, b'{', b'}']);
    assert!(problem.contains("UTF-8"), "{problem}");
    assert_eq!(id, None);
}

#[test]
fn unknown_error_code_is_api_other_with_the_request_id() {
    let s = server(Some(Fault::ErrorFirst {
        code: "FailedOperation.SomethingBrandNew".into(),
        count: 1,
    }));
    let clock = ManualClock::system();
    let code = Code::Other("FailedOperation.SomethingBrandNew".into());
    assert_api_error(call(&s, &clock), code, &s);
    assert_sent_once(&s, &clock);
}

#[test]
fn content_type_with_charset_still_reports_the_api_error() {
    let s = server(Some(Fault::ContentTypeWithCharset));
    let clock = ManualClock::system();
    let client = builder(s.endpoint(), &clock).build().unwrap();
    // Where the official Python SDK reports the error as a success without fields.
    assert_api_error(
        client.clean_up_instance(&CleanUpInstanceRequest::new(RUNNING)),
        Code::ResourceUnavailableInstanceStatusAbnormal,
        &s,
    );
    // And a success under the same header is a success with its TaskId.
    let reply = client
        .clean_up_instance(&CleanUpInstanceRequest::new(ID))
        .unwrap();
    assert_eq!(reply.task_id, Some(10856));
    assert_eq!(s.requests().len(), 2);
    assert_eq!(
        s.requests()[1].request_id.as_deref(),
        Some(&*reply.request_id)
    );
}

/// A call with a 500 ms timeout to a fake with `fault`: asserts a timeout that may have been
/// sent, in under 2 s, after exactly one send; returns the fake and the time the call took.
fn timeout_after_one_send(fault: Fault) -> (FakeServer, Duration) {
    let s = server(Some(fault));
    let clock = ManualClock::system();
    let started = Instant::now();
    let r = call_with(&s, &clock, |b| b.timeout(Duration::from_millis(500)));
    let elapsed = started.elapsed();
    assert_transport(r, Kind::Timeout, true);
    assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");
    assert_sent_once(&s, &clock);
    (s, elapsed)
}

#[test]
fn never_answering_times_out_once() {
    let (s, elapsed) = timeout_after_one_send(Fault::NeverAnswer);
    assert!(elapsed >= Duration::from_millis(450), "{elapsed:?}");
    assert_eq!(s.instance(ID), Some(InstanceStatus::CleanedUp));
}

#[test]
fn dripping_body_times_out_once() {
    timeout_after_one_send(Fault::DripBody {
        interval: Duration::from_millis(200),
    });
}

#[test]
fn internal_error_is_not_retried() {
    let s = server(Some(Fault::ErrorFirst {
        code: "InternalError".into(),
        count: 1,
    }));
    let clock = ManualClock::system();
    assert_api_error(
        call(&s, &clock),
        Code::Common(CommonErrorCode::InternalError),
        &s,
    );
    assert_sent_once(&s, &clock);
    assert_eq!(s.instance(ID), Some(InstanceStatus::InRecycleBin));
}

#[test]
fn a_fault_then_healed_server_does_not_resend_the_old_request() {
    // After a reset the client must not replay anything on its own: the next call is one send.
    let s = server(Some(Fault::ResetBeforeResponse));
    let clock = ManualClock::system();
    let client = builder(s.endpoint(), &clock).build().unwrap();
    let r = client.clean_up_instance(&CleanUpInstanceRequest::new(ID));
    assert_transport(r, Kind::Io, true);
    s.set_fault(None);
    match client.clean_up_instance(&CleanUpInstanceRequest::new(ID)) {
        Err(Error::Api(e)) => {
            // It ran the first time: the instance is no longer in the recycle bin.
            assert_eq!(e.code, Code::ResourceUnavailableInstanceStatusAbnormal);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(s.requests().len(), 2);
}

#[test]
fn a_pooled_connection_the_server_closed_is_not_reused() {
    // Call 1 leaves a keep-alive connection in the pool; the server then goes away (closing it)
    // and comes back on the same port. Call 2 must open a fresh connection, not fail on the
    // dead one (which, after a write, could not be retried safely).
    let s = server(None);
    let port = s.addr().port();
    let clock = ManualClock::system();
    let client = builder(s.endpoint(), &clock).build().unwrap();
    client
        .clean_up_instance(&CleanUpInstanceRequest::new(ID))
        .unwrap();
    drop(s);
    std::thread::sleep(Duration::from_millis(50));
    let s = FakeServer::start(FakeConfig::new().instance_in_recycle_bin(ID).port(port)).unwrap();
    let reply = client
        .clean_up_instance(&CleanUpInstanceRequest::new(ID))
        .unwrap();
    assert_eq!(s.requests().len(), 1);
    assert_eq!(
        s.requests()[0].request_id.as_deref(),
        Some(reply.request_id.as_str())
    );
}
