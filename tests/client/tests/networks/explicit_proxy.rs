//! The explicit proxy setting: requests go through it, and a bad proxy URL is refused at build.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::mpsc;
use tc_redis::{CleanUpInstanceRequest, Client, ConfigError, credentials::Credentials};

/// A request head: its lines, request line first.
type Head = Vec<String>;

/// Reads one request head (and its body), returning the head's lines.
fn read_request(reader: &mut impl BufRead) -> Head {
    let mut head = Vec::new();
    let mut length = 0;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        let line = line.trim_end().to_owned();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap();
        }
        head.push(line);
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    head
}

/// A one-shot HTTP proxy: it accepts the client's `CONNECT`, then answers the tunnelled request
/// itself (the target is never contacted) and reports both request heads.
fn one_shot_proxy() -> (String, mpsc::Receiver<(Head, Head)>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let connect = read_request(&mut reader);
        stream
            .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
            .unwrap();
        let inner = read_request(&mut reader);
        let reply = br#"{"Response":{"TaskId":77,"RequestId":"from-the-proxy"}}"#;
        write!(
            stream,
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            reply.len()
        )
        .unwrap();
        stream.write_all(reply).unwrap();
        tx.send((connect, inner)).unwrap();
    });
    (url, rx)
}

#[test]
fn requests_go_through_the_explicit_proxy() {
    let (proxy, seen) = one_shot_proxy();
    // The target is never contacted: the proxy answers.
    let client = Client::builder()
        .region("ap-guangzhou")
        .endpoint("http://127.0.0.1:9")
        .allow_plain_http(true)
        .proxy(&proxy)
        .credentials(Credentials::new("AKIDproxytest", "proxy-test-key").unwrap())
        .build()
        .unwrap();
    let reply = client
        .clean_up_instance(&CleanUpInstanceRequest::new("crs-5a4py64p"))
        .unwrap();
    assert_eq!(
        (reply.task_id, reply.request_id.as_str()),
        (Some(77), "from-the-proxy")
    );
    let (connect, inner) = seen.recv().unwrap();
    // ureq tunnels through the proxy, to the endpoint's host and port.
    assert_eq!(connect[0], "CONNECT 127.0.0.1:9 HTTP/1.1", "{connect:?}");
    assert_eq!(inner[0], "POST / HTTP/1.1", "{inner:?}");
    assert!(
        inner
            .iter()
            .any(|h| h.eq_ignore_ascii_case("x-tc-action: CleanUpInstance")),
        "{inner:?}"
    );
}

#[test]
fn a_proxy_that_is_not_a_url_is_refused_at_build() {
    let err = Client::builder()
        .region("ap-guangzhou")
        .proxy("not a proxy url")
        .build()
        .unwrap_err();
    assert!(
        matches!(
            err,
            ConfigError::InvalidSetting {
                setting: "proxy",
                ..
            }
        ),
        "{err:?}"
    );
}
