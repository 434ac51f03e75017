//! The explicit proxy setting: requests go through it, and a bad proxy URL is refused at build.

use tc_redis::{CleanUpInstanceRequest, Client, ConfigError, credentials::Credentials};
use tc_redis_test_support::{Response, TestServer};

/// A one-shot HTTP proxy: it accepts the client's `CONNECT`, then answers the tunnelled request
/// itself (the target is never contacted); it records both requests.
fn one_shot_proxy() -> TestServer {
    TestServer::start(|request| match request.method.as_str() {
        "CONNECT" => Response::new(200).into(),
        _ => Response::json(r#"{"Response":{"TaskId":77,"RequestId":"from-the-proxy"}}"#).into(),
    })
}

#[test]
fn requests_go_through_the_explicit_proxy() {
    let proxy = one_shot_proxy();
    // The target is never contacted: the proxy answers.
    let client = Client::builder()
        .region("ap-guangzhou")
        .endpoint("http://127.0.0.1:9")
        .allow_plain_http(true)
        .proxy(proxy.url())
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
    let seen = proxy.requests();
    let [connect, inner] = seen.as_slice() else {
        panic!("the proxy saw {seen:?}");
    };
    // ureq tunnels through the proxy, to the endpoint's host and port.
    assert_eq!(
        connect.request_line(),
        "CONNECT 127.0.0.1:9 HTTP/1.1",
        "{connect:?}"
    );
    assert_eq!(inner.request_line(), "POST / HTTP/1.1", "{inner:?}");
    assert_eq!(
        inner.header("x-tc-action"),
        Some("CleanUpInstance"),
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
