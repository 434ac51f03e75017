//! The HTTP layer: keep-alive, `Connection: close`, framing errors, `Date`, recording, stop on
//! drop — with ureq (an ordinary client) and with raw bytes.

use crate::client::{self, Call, Envelope};
use std::io::{BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;
use tc_redis_fake::{FakeConfig, FakeServer, imf_fixdate};

fn server() -> FakeServer {
    FakeServer::start(FakeConfig::new().running_instance("crs-running1")).unwrap()
}

#[test]
fn ureq_agent_reuses_one_connection_for_many_requests() {
    let s = server();
    let agent = ureq::Agent::new_with_defaults();
    for _ in 0..5 {
        let c = Call::clean_up(&s, "crs-running1");
        let mut req = agent.post(s.endpoint());
        for (k, v) in c.headers() {
            if k != "Host" {
                req = req.header(k, v);
            }
        }
        let mut resp = req.send(&c.body[..]).expect("ureq exchange");
        assert_eq!(resp.status(), 200);
        assert_eq!(resp.headers()["content-type"], "application/json");
        let body = resp.body_mut().read_to_string().unwrap();
        assert!(
            body.contains("ResourceUnavailable.InstanceStatusAbnormal"),
            "{body}"
        );
    }
    let stats = s.stats();
    assert_eq!((stats.connections, stats.requests), (1, 5), "{stats:?}");
    assert!(s.requests().iter().all(|r| r.connection == 1));
}

#[test]
fn pipelined_requests_on_one_socket_are_answered_in_order() {
    let s = server();
    let mut stream = TcpStream::connect(s.addr()).unwrap();
    let mut bytes = Vec::new();
    for id in ["crs-running1", "crs-unknown1", "crs-running1"] {
        let c = Call::clean_up(&s, id);
        bytes.extend(client::request_bytes("POST", "/", &c.headers(), &c.body));
    }
    stream.write_all(&bytes).unwrap();
    let mut reader = BufReader::new(&stream);
    let codes: Vec<String> = (0..3)
        .map(|_| {
            client::read_response(&mut reader)
                .unwrap()
                .error_code()
                .unwrap()
        })
        .collect();
    assert_eq!(
        codes,
        [
            "ResourceUnavailable.InstanceStatusAbnormal",
            "ResourceNotFound.InstanceNotExists",
            "ResourceUnavailable.InstanceStatusAbnormal"
        ]
    );
    assert_eq!(s.stats().connections, 1);
}

#[test]
fn connection_close_is_honoured() {
    let s = server();
    let c = Call::clean_up(&s, "crs-running1");
    let mut headers = c.headers();
    headers.push(("Connection".into(), "close".into()));
    let stream = TcpStream::connect(s.addr()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    (&stream)
        .write_all(&client::request_bytes("POST", "/", &headers, &c.body))
        .unwrap();
    let mut reader = BufReader::new(&stream);
    let r = client::read_response(&mut reader).unwrap();
    assert_eq!(r.header("connection"), Some("close"));
    let mut rest = Vec::new();
    assert_eq!(reader.read_to_end(&mut rest).unwrap(), 0, "server closed");
}

#[test]
fn http_1_0_without_keep_alive_closes() {
    let s = server();
    let c = Call::clean_up(&s, "crs-running1");
    let mut bytes = client::request_bytes("POST", "/", &c.headers(), &c.body);
    bytes.splice(0..15, b"POST / HTTP/1.0".iter().copied());
    let mut stream = TcpStream::connect(s.addr()).unwrap();
    stream.write_all(&bytes).unwrap();
    let mut all = Vec::new();
    stream.read_to_end(&mut all).unwrap();
    let text = String::from_utf8_lossy(&all);
    assert!(text.starts_with("HTTP/1.1 200 OK\r\n"), "{text}");
    assert!(text.contains("InstanceStatusAbnormal"));
}

/// Sends raw bytes and returns everything the server answers before it closes.
fn raw(s: &FakeServer, bytes: &[u8]) -> String {
    let mut stream = TcpStream::connect(s.addr()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(bytes).unwrap();
    let mut all = Vec::new();
    let _ = stream.read_to_end(&mut all);
    String::from_utf8_lossy(&all).into_owned()
}

#[test]
fn chunked_oversized_and_garbage_requests_are_rejected_and_closed() {
    let s = server();
    let chunked = raw(
        &s,
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
    );
    assert!(chunked.starts_with("HTTP/1.1 400 "), "{chunked}");
    assert!(chunked.contains("Connection: close\r\n"));
    let big = raw(
        &s,
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10485761\r\n\r\n",
    );
    assert!(big.starts_with("HTTP/1.1 413 "), "{big}");
    let garbage = raw(&s, b"HELLO\r\n\r\n");
    assert!(garbage.starts_with("HTTP/1.1 400 "), "{garbage}");
    let head = raw(
        &s,
        &[b"GET / HTTP/1.1\r\nX: ".as_slice(), &[b'a'; 40_000]].concat(),
    );
    assert!(head.starts_with("HTTP/1.1 431 "), "{head}");
    let stats = s.stats();
    assert_eq!((stats.malformed, stats.requests), (4, 0), "{stats:?}");
    assert!(s.requests().is_empty());
}

#[test]
fn other_paths_are_not_found() {
    let s = server();
    let c = Call::clean_up(&s, "crs-running1");
    let r = client::exchange(s.addr(), "POST", "/v3", &c.headers(), &c.body).unwrap();
    assert_eq!(r.status, 404);
}

#[test]
fn expect_continue_gets_an_interim_response() {
    let s = server();
    let c = Call::clean_up(&s, "crs-running1");
    let mut headers = c.headers();
    headers.push(("Expect".into(), "100-continue".into()));
    headers.push(("Content-Length".into(), c.body.len().to_string()));
    let mut stream = TcpStream::connect(s.addr()).unwrap();
    stream
        .write_all(&client::request_bytes("POST", "/", &headers, b""))
        .unwrap();
    let mut first = [0u8; 25];
    stream.read_exact(&mut first).unwrap();
    assert_eq!(&first, b"HTTP/1.1 100 Continue\r\n\r\n");
    stream.write_all(&c.body).unwrap();
    let r = client::read_response(&mut BufReader::new(&stream)).unwrap();
    r.assert_error("ResourceUnavailable.InstanceStatusAbnormal");
}

#[test]
fn date_header_follows_the_server_clock() {
    let s = FakeServer::start(FakeConfig::new().clock(Arc::new(|| 784111777))).unwrap();
    let mut c = Call::clean_up(&s, "crs-x");
    c.timestamp = 784111777;
    let r = c.send(s.addr()).unwrap();
    assert_eq!(r.header("date"), Some("Sun, 06 Nov 1994 08:49:37 GMT"));
    assert_eq!(imf_fixdate(784111777), "Sun, 06 Nov 1994 08:49:37 GMT");
    r.assert_error("ResourceNotFound.InstanceNotExists");
}

#[test]
fn requests_are_recorded_with_wire_headers_and_outcome() {
    let s = server();
    let c = Call::clean_up(&s, "crs-running1");
    let r = c.send(s.addr()).unwrap();
    let recorded = s.requests();
    assert_eq!(recorded.len(), 1);
    let rec = &recorded[0];
    assert_eq!((rec.method.as_str(), rec.target.as_str()), ("POST", "/"));
    let mut sent = c.headers();
    sent.push(("Connection".into(), "close".into()));
    sent.push(("Content-Length".into(), c.body.len().to_string()));
    assert_eq!(rec.headers, sent);
    assert_eq!(rec.body, c.body);
    assert_eq!(rec.status, 200);
    assert_eq!(
        rec.error_code.as_deref(),
        Some("ResourceUnavailable.InstanceStatusAbnormal")
    );
    assert_eq!(rec.request_id, r.request_id());
    assert_eq!(rec.header("x-tc-region"), Some("ap-guangzhou"));
}

#[test]
fn dropping_the_server_stops_it_and_closes_idle_connections() {
    let s = server();
    let addr = s.addr();
    let idle = TcpStream::connect(addr).unwrap();
    idle.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    // Make sure the idle connection was accepted before the drop.
    while s.stats().connections == 0 {
        std::thread::sleep(Duration::from_millis(5));
    }
    drop(s);
    let mut buf = [0u8; 1];
    assert_eq!(
        (&idle).read(&mut buf).unwrap_or(0),
        0,
        "idle connection closed"
    );
    assert!(TcpStream::connect(addr).is_err(), "listener closed");
}
