//! Every failure says truthfully whether the action may have run, against failures produced the
//! way the world produces them: a real name lookup of a `.invalid` host, a real TLS server on
//! loopback with a certificate made here (so untrusted), `https://` to a plain-http port, a
//! server that closes before reading, one that resets after reading, 200 replies that cannot be
//! read, a header the HTTP stack refuses. For each: the typed kind, [`Outcome`], whether it was
//! retried (the client's fake clock records each backoff) and what the server saw.

use std::io::Read;
use std::net::{Ipv4Addr, TcpListener};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tc_redis::{
    CleanUpInstanceErrorCode as Code, CleanUpInstanceRequest, CleanUpInstanceResponse,
    ClientBuilder, Credentials, DescribeTaskInfoRequest, Error, ErrorCode, Outcome, TransportError,
    TransportErrorKind as Kind,
};
use tc_redis_fake::support::{ManualClock, client_builder, credentials, endpoint_builder};
use tc_redis_fake::{FakeConfig, FakeServer, Fault, InstanceStatus};
use tc_redis_test_support::{Response, TestServer};

const ID: &str = "crs-inbin001";

fn fake(fault: Option<Fault>) -> FakeServer {
    let s = FakeServer::start(FakeConfig::new().instance_in_recycle_bin(ID)).unwrap();
    s.set_fault(fault);
    s
}

/// A builder for `endpoint` with the fake's credentials and a fake clock (no real waiting).
fn builder(endpoint: &str, clock: &ManualClock) -> ClientBuilder {
    endpoint_builder(endpoint).clock(clock.clone())
}

/// CleanUpInstance (not idempotent) through `b`.
fn clean_up(b: ClientBuilder) -> Result<CleanUpInstanceResponse, Error<Code>> {
    b.build()
        .unwrap()
        .clean_up_instance(&CleanUpInstanceRequest::new(ID))
}

/// DescribeTaskInfo (idempotent in the spec) through `b`: its error, with the code as text.
fn describe(b: ClientBuilder) -> Error<tc_redis::DescribeTaskInfoErrorCode> {
    b.build()
        .unwrap()
        .describe_task_info(&DescribeTaskInfoRequest::new(10856u64))
        .expect_err("the call must fail")
}

/// Asserts a transport error of `kind` with `outcome`, and returns it.
#[track_caller]
fn transport<C: ErrorCode>(e: Error<C>, kind: Kind, outcome: Outcome) -> TransportError {
    assert_eq!(e.outcome(), outcome, "{e:?}");
    assert_eq!(e.may_have_been_executed(), outcome == Outcome::MayHaveRun);
    let shown = e.to_string();
    match e {
        Error::Transport(t) => {
            assert_eq!(t.kind, kind, "{t:?}");
            let said = if outcome == Outcome::NotSent {
                "nothing was sent"
            } else {
                "may have been executed"
            };
            assert!(shown.contains(said), "{shown}");
            t
        }
        other => panic!("expected a {kind:?} transport error, got {other:?}"),
    }
}

#[track_caller]
fn assert_sleeps(clock: &ManualClock, retries: usize) {
    let sleeps = clock.sleeps();
    assert_eq!(
        sleeps.len(),
        retries,
        "expected {retries} backoffs (attempts - 1), the client slept {sleeps:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Name resolution.

#[test]
fn a_host_that_does_not_resolve_is_dns_not_sent_and_retried_per_policy() {
    // `.invalid` never resolves (RFC 6761): a real lookup, failing the way DNS fails.
    let clock = ManualClock::system();
    let e = clean_up(builder("https://nonexistent.invalid", &clock)).unwrap_err();
    let t = transport(e, Kind::Dns, Outcome::NotSent);
    assert!(t.message.contains("nonexistent.invalid"), "{t:?}");
    // Default policy: 3 attempts, so two backoffs, even for a non-idempotent action.
    assert_sleeps(&clock, 2);

    let clock = ManualClock::system();
    let b = builder("https://nonexistent.invalid", &clock)
        .retry(tc_redis::RetryPolicy::default().max_attempts(5));
    transport(clean_up(b).unwrap_err(), Kind::Dns, Outcome::NotSent);
    assert_sleeps(&clock, 4);
}

// ---------------------------------------------------------------------------------------------
// TLS.

/// A TLS server on 127.0.0.1 with a self-signed certificate made for this test, which no
/// client trusts. It counts connections and the application bytes it decrypted (none, when the
/// client refuses the handshake).
struct UntrustedTls {
    port: u16,
    connections: Arc<AtomicUsize>,
    plaintext: Arc<Mutex<Vec<u8>>>,
}

impl UntrustedTls {
    fn start() -> UntrustedTls {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let made = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).unwrap();
        let cert = made.cert.der().clone();
        let key = rustls::pki_types::PrivateKeyDer::Pkcs8(made.signing_key.serialize_der().into());
        let config = Arc::new(
            rustls::ServerConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .unwrap()
                .with_no_client_auth()
                .with_single_cert(vec![cert], key)
                .unwrap(),
        );
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let port = listener.local_addr().unwrap().port();
        let connections = Arc::new(AtomicUsize::new(0));
        let plaintext = Arc::new(Mutex::new(Vec::new()));
        let (count, seen) = (connections.clone(), plaintext.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { break };
                count.fetch_add(1, Ordering::SeqCst);
                let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                let conn = rustls::ServerConnection::new(config.clone()).unwrap();
                let mut tls = rustls::StreamOwned::new(conn, stream);
                let mut buf = [0u8; 4096];
                // Until the client gives up on the handshake (an alert, then EOF).
                while let Ok(n @ 1..) = tls.read(&mut buf) {
                    seen.lock().unwrap().extend_from_slice(&buf[..n]);
                }
            }
        });
        UntrustedTls {
            port,
            connections,
            plaintext,
        }
    }

    fn endpoint(&self) -> String {
        format!("https://127.0.0.1:{}", self.port)
    }

    /// Waits (briefly) for the server thread to have seen `n` connections.
    fn connections(&self, n: usize) -> usize {
        for _ in 0..100 {
            if self.connections.load(Ordering::SeqCst) >= n {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        self.connections.load(Ordering::SeqCst)
    }
}

#[test]
fn an_untrusted_certificate_is_tls_not_sent_and_never_retried() {
    let server = UntrustedTls::start();

    let clock = ManualClock::system();
    let e = clean_up(builder(&server.endpoint(), &clock)).unwrap_err();
    let shown = e.to_string();
    let t = transport(e, Kind::Tls, Outcome::NotSent);
    for hint in ["certificate", "clock", "proxy"] {
        assert!(shown.contains(hint), "no hint about {hint}: {shown}");
    }
    assert!(t.message.to_lowercase().contains("certificate"), "{t:?}");
    assert_sleeps(&clock, 0);
    assert_eq!(server.connections(1), 1, "CleanUpInstance: one handshake");

    // Not even an idempotent action retries a TLS failure: it would fail the same way.
    let clock = ManualClock::system();
    transport(
        describe(builder(&server.endpoint(), &clock)),
        Kind::Tls,
        Outcome::NotSent,
    );
    assert_sleeps(&clock, 0);
    assert_eq!(server.connections(2), 2, "DescribeTaskInfo: one handshake");

    let seen = server.plaintext.lock().unwrap().clone();
    assert!(
        seen.is_empty(),
        "the server decrypted {} request bytes: {:?}",
        seen.len(),
        String::from_utf8_lossy(&seen)
    );
}

#[test]
fn https_to_a_plain_http_port_is_tls_not_sent_and_never_retried() {
    let s = fake(None);
    let endpoint = format!("https://{}", s.host());
    let clock = ManualClock::system();
    transport(
        clean_up(builder(&endpoint, &clock)).unwrap_err(),
        Kind::Tls,
        Outcome::NotSent,
    );
    transport(
        describe(builder(&endpoint, &clock)),
        Kind::Tls,
        Outcome::NotSent,
    );
    assert_sleeps(&clock, 0);
    // Two handshakes, each one connection; the ClientHello is no request of the API.
    let stats = s.stats();
    assert_eq!(stats.connections, 2, "{stats:?}");
    assert_eq!(stats.requests, 0, "{stats:?}");
    assert_eq!(s.instance(ID), Some(InstanceStatus::InRecycleBin));
}

// ---------------------------------------------------------------------------------------------
// Proxies.

#[test]
fn a_proxy_that_refuses_the_tunnel_is_proxy_not_sent_and_never_retried() {
    // A proxy that reads the CONNECT and answers 403: the request itself never left.
    let server = TestServer::always(Response::new(403));
    let proxy = format!("http://user:s3cret-pw@{}", server.addr());
    let clock = ManualClock::system();
    let b = builder("https://redis.tencentcloudapi.com", &clock).proxy(proxy);
    let e = clean_up(b).unwrap_err();
    let shown = format!("{e} {e:?}");
    assert!(
        !shown.contains("s3cret"),
        "the proxy's password in an error: {shown}"
    );
    let t = transport(e, Kind::Proxy, Outcome::NotSent);
    assert!(t.message.contains("403"), "{t:?}");
    assert_sleeps(&clock, 0);
    assert_eq!(server.connections(), 1);
    let [connect] = server.requests().try_into().expect("one request");
    assert_eq!(connect.method, "CONNECT", "{connect:?}");
}

// ---------------------------------------------------------------------------------------------
// Lost connections.

#[test]
fn a_server_that_closes_before_reading_may_have_run_once_the_request_was_written() {
    // The client wrote the request before it saw the close: it cannot know that the server
    // read nothing, so it says the action may have run, and does not send CleanUpInstance again.
    // A server that accepts connections and closes each at once, reading nothing.
    let server = TestServer::closing();
    let endpoint = server.url();
    let clock = ManualClock::system();
    transport(
        clean_up(builder(&endpoint, &clock)).unwrap_err(),
        Kind::Io,
        Outcome::MayHaveRun,
    );
    assert_sleeps(&clock, 0);
    assert_eq!(server.connections(), 1);

    // An idempotent action is sent again: 3 attempts by default.
    let clock = ManualClock::system();
    transport(
        describe(builder(&endpoint, &clock)),
        Kind::Io,
        Outcome::MayHaveRun,
    );
    assert_sleeps(&clock, 2);
    assert_eq!(server.connections(), 1 + 3);
}

#[test]
fn a_reset_after_the_request_was_read_may_have_run_and_is_sent_once() {
    let s = fake(Some(Fault::ResetBeforeResponse));
    let clock = ManualClock::system();
    transport(
        clean_up(builder(&s.endpoint(), &clock)).unwrap_err(),
        Kind::Io,
        Outcome::MayHaveRun,
    );
    assert_sleeps(&clock, 0);
    assert_eq!(s.stats().requests, 1, "{:?}", s.stats());
    // It did run.
    assert_eq!(s.instance(ID), Some(InstanceStatus::CleanedUp));
}

// ---------------------------------------------------------------------------------------------
// 200 replies that cannot be read.

#[test]
fn every_kind_of_unreadable_200_may_have_run_keeps_what_it_can_and_is_sent_once() {
    // (what, body, the request id the error must carry)
    let cases: [(&str, &[u8], Option<&str>); 6] = [
        (
            "truncated",
            br#"{"Response":{"RequestId":"rid-trunc","TaskId":108"#,
            Some("rid-trunc"),
        ),
        (
            "not UTF-8",
            b"{\"Response\":{\"TaskId\":1,\"Note\":\"\xff\xfe\",\"RequestId\":\"rid-utf8\"}}",
            Some("rid-utf8"),
        ),
        ("not JSON", b"<html>\x1b[2Jwelcome</html>", None),
        (
            "wrong type",
            br#"{"Response":{"TaskId":"10856.5","RequestId":"rid-type"}}"#,
            Some("rid-type"),
        ),
        ("no RequestId", br#"{"Response":{"TaskId":10856}}"#, None),
        (
            "no Response",
            br#"{"Respons":{"TaskId":1,"RequestId":"rid-elsewhere"}}"#,
            None,
        ),
    ];
    for (what, body, want_id) in cases {
        let s = fake(Some(Fault::Body {
            status: 200,
            content_type: "application/json".into(),
            body: body.to_vec(),
        }));
        let clock = ManualClock::system();
        let e = clean_up(builder(&s.endpoint(), &clock)).unwrap_err();
        assert_eq!(e.outcome(), Outcome::MayHaveRun, "{what}: {e:?}");
        assert_eq!(e.request_id(), want_id, "{what}: {e:?}");
        let shown = e.to_string();
        assert!(
            shown.contains("may have run") && shown.contains("check its effect"),
            "{what}: {shown}"
        );
        assert!(!shown.chars().any(char::is_control), "{what}: {shown:?}");
        match &e {
            Error::MalformedResponse {
                status,
                body_excerpt,
                ..
            } => {
                assert_eq!(*status, 200, "{what}");
                assert!(!body_excerpt.is_empty(), "{what}: {e:?}");
                // Kept as sent; shown escaped (checked on `shown` above).
                assert!(
                    shown.contains(&tc_redis::escaped(body_excerpt).into_owned()),
                    "{what}: {shown}"
                );
            }
            other => panic!("{what}: expected MalformedResponse, got {other:?}"),
        }
        assert_sleeps(&clock, 0);
        assert_eq!(s.stats().requests, 1, "{what}: {:?}", s.stats());
    }
}

// ---------------------------------------------------------------------------------------------
// Refused before writing.

#[test]
fn a_header_the_http_stack_refuses_is_not_sent() {
    // A 200 KB session token (from a credentials file or the environment, so not checked at
    // build): the HTTP stack refuses the head before writing a byte of it.
    let s = fake(None);
    let token = "t".repeat(200_000);
    let clock = ManualClock::system();
    let creds = Credentials::new(credentials().secret_id(), credentials().secret_key())
        .unwrap()
        .with_token(token)
        .unwrap();
    let e = clean_up(client_builder(&s).clock(clock.clone()).credentials(creds)).unwrap_err();
    let t = transport(e, Kind::InvalidRequest, Outcome::NotSent);
    assert!(
        t.message.len() < 1000,
        "{} bytes of message",
        t.message.len()
    );
    assert_sleeps(&clock, 0);
    assert_eq!(
        s.stats().connections,
        0,
        "refused before connecting: {:?}",
        s.stats()
    );
    assert_eq!(s.instance(ID), Some(InstanceStatus::InRecycleBin));
}

// ---------------------------------------------------------------------------------------------
// What an idempotent action does after "may have run".

#[test]
fn an_idempotent_action_is_sent_again_when_it_may_have_run_unless_the_failure_would_repeat() {
    // (fault, expected kind of the last error (None: not a transport error), attempts)
    let slow = Duration::from_millis(300);
    let cases: [(Fault, Option<Kind>, u64); 4] = [
        (Fault::ResetBeforeResponse, Some(Kind::Io), 3),
        (Fault::NeverAnswer, Some(Kind::Timeout), 3),
        (
            Fault::HttpStatus(502, "<html>bad gateway</html>".into()),
            None,
            3,
        ),
        // An unreadable 200 would be unreadable again: not sent twice, even when it could be.
        (
            Fault::Body {
                status: 200,
                content_type: "application/json".into(),
                body: br#"{"Response":{"TaskId":"#.to_vec(),
            },
            None,
            1,
        ),
    ];
    for (fault, kind, attempts) in cases {
        let what = format!("{fault:?}");
        let s = fake(Some(fault));
        let clock = ManualClock::system();
        let e = describe(builder(&s.endpoint(), &clock).timeout(slow));
        assert_eq!(e.outcome(), Outcome::MayHaveRun, "{what}: {e:?}");
        if let Some(kind) = kind {
            transport(e, kind, Outcome::MayHaveRun);
        }
        assert_sleeps(&clock, attempts as usize - 1);
        assert_eq!(s.stats().requests, attempts, "{what}: {:?}", s.stats());
    }
}
