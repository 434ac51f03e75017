//! Proxies from the environment, failing closed: a malformed variable is refused naming it,
//! `NO_PROXY` and loopback endpoints go direct, `HTTP_PROXY` is never read for https, a proxy
//! that requires authentication gets the credentials while the password is never printed, and
//! one client's services are decided per host (`NO_PROXY` may exempt one of them only).
//!
//! Every test here changes the process environment: they hold [`ENV`] for their whole run, so
//! they never race each other (this binary has no other test).

use std::net::SocketAddr;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::Mutex;
use tc_redis::sts::AssumeRoleRequest;
use tc_redis::{
    CleanUpInstanceRequest, Client, ClientBuilder, ConfigError, DescribeTaskInfoRequest, Error,
    Outcome, TransportErrorKind,
};
use tc_redis_fake::support::{client_builder, credentials};
use tc_redis_fake::tls::TlsFront;
use tc_redis_fake::{FakeConfig, FakeServer};
use tc_redis_test_support::{Reply, Response, TestServer};

const ID: &str = "crs-proxy001";
/// The name the client is given for the endpoint; it never resolves (RFC 6761), so only a proxy
/// can reach it: the test proxy tunnels every CONNECT to the TLS front.
const ROOT: &str = "tc-redis-test.invalid";
const HOST: &str = "redis.tc-redis-test.invalid";
/// The host of the STS actions of the same client.
const STS_HOST: &str = "sts.tc-redis-test.invalid";
const ROLE: &str = "qcs::cam::uin/100000000001:roleName/cleanup";
const PASSWORD: &str = "s3cret-proxy-pw";
/// `Basic` credentials of `tc-user:s3cret-proxy-pw` (RFC 7617: base64 of `user:password`).
const BASIC: &str = "Basic dGMtdXNlcjpzM2NyZXQtcHJveHktcHc=";

/// Every variable tc-redis reads, or must not read, for proxies.
const VARS: [&str; 8] = [
    "https_proxy",
    "HTTPS_PROXY",
    "all_proxy",
    "ALL_PROXY",
    "http_proxy",
    "HTTP_PROXY",
    "no_proxy",
    "NO_PROXY",
];

static ENV: Mutex<()> = Mutex::new(());

/// Runs `f` with exactly `vars` set among [`VARS`], then restores the environment.
fn with_env<R>(vars: &[(&str, &str)], f: impl FnOnce() -> R) -> R {
    let _guard = ENV.lock().unwrap_or_else(|p| p.into_inner());
    let saved: Vec<_> = VARS.iter().map(|k| (*k, std::env::var_os(k))).collect();
    // SAFETY: every test of this binary holds `ENV` while it changes or reads the environment,
    // and the servers' threads never read it.
    unsafe {
        for k in VARS {
            std::env::remove_var(k);
        }
        for (k, v) in vars {
            std::env::set_var(k, v);
        }
    }
    let result = catch_unwind(AssertUnwindSafe(f));
    // SAFETY: as above.
    unsafe {
        for (k, v) in saved {
            match v {
                Some(v) => std::env::set_var(k, v),
                None => std::env::remove_var(k),
            }
        }
    }
    result.unwrap_or_else(|panic| resume_unwind(panic))
}

/// A loopback HTTP CONNECT proxy that tunnels every CONNECT to `target` (whatever host was
/// asked for), requiring `Proxy-Authorization: <auth>` when `auth` is set (else 407). It records
/// every CONNECT request.
fn connect_proxy(target: SocketAddr, auth: Option<&'static str>) -> TestServer {
    TestServer::start(move |request| {
        if auth.is_some_and(|expected| request.header("proxy-authorization") != Some(expected)) {
            return Response::new(407)
                .with_header("Proxy-Authenticate", "Basic realm=\"test\"")
                .with_header("Connection", "close")
                .into();
        }
        Reply::Tunnel(target)
    })
}

/// The proxy's URL with `userinfo` (`user:password@`, or empty).
fn proxy_url(proxy: &TestServer, userinfo: &str) -> String {
    format!("http://{userinfo}{}", proxy.addr())
}

/// The fake behind a TLS front whose certificate names [`HOST`].
fn fake_behind_tls() -> (FakeServer, TlsFront) {
    let fake = FakeServer::start(FakeConfig::new().instance_in_recycle_bin(ID)).unwrap();
    let front = TlsFront::start_for(fake.addr(), &[HOST, "127.0.0.1"]).unwrap();
    (fake, front)
}

/// A client for `https://redis.tc-redis-test.invalid/`, trusting the front's CA, and no retry
/// (each call is one attempt, so the proxy's counts are the calls').
fn invalid_host_builder(front: &TlsFront) -> ClientBuilder {
    Client::builder()
        .region("ap-guangzhou")
        .root_domain(ROOT)
        .add_ca_certificates_pem(front.ca_pem())
        .credentials(credentials())
        .retry(tc_redis::RetryPolicy::none())
}

#[test]
fn a_malformed_proxy_variable_is_refused_naming_it_and_hiding_the_password() {
    let bad = format!("http://tc-user:{PASSWORD}@proxy host:8080");
    for name in ["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"] {
        for value in [
            bad.as_str(),
            "socks5://127.0.0.1:1080",
            "http://proxy:99999",
        ] {
            let err = with_env(&[(name, value)], || {
                Client::builder()
                    .region("ap-guangzhou")
                    .build()
                    .unwrap_err()
            });
            let text = format!("{err} {err:?}");
            assert!(
                matches!(&err, ConfigError::InvalidSetting { setting, .. } if *setting == name),
                "{name}={value}: {err:?}"
            );
            assert!(
                !text.contains(PASSWORD),
                "{name}: the password printed: {text}"
            );
        }
    }
    let err = with_env(
        &[
            ("NO_PROXY", "example.com,exa mple.org"),
            ("HTTPS_PROXY", "http://p:1"),
        ],
        || {
            Client::builder()
                .region("ap-guangzhou")
                .build()
                .unwrap_err()
        },
    );
    assert!(
        matches!(
            err,
            ConfigError::InvalidSetting {
                setting: "NO_PROXY",
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn upper_case_http_proxy_is_never_read() {
    // Malformed, so that reading it would fail the build; for https and plain http alike.
    let fake = FakeServer::start(FakeConfig::new().instance_in_recycle_bin(ID)).unwrap();
    with_env(&[("HTTP_PROXY", "::not a proxy::")], || {
        let https = Client::builder().region("ap-guangzhou").build();
        assert!(https.is_ok(), "{https:?}");
        let reply = client_builder(&fake)
            .build()
            .unwrap()
            .clean_up_instance(&CleanUpInstanceRequest::new(ID));
        assert!(reply.is_ok(), "{reply:?}");
    });
}

#[test]
fn loopback_endpoints_never_go_through_the_environment_proxy() {
    let (fake, front) = fake_behind_tls();
    let proxy = connect_proxy(front.addr(), None);
    let url = proxy_url(&proxy, "");
    let vars: Vec<(&str, &str)> = VARS
        .iter()
        .filter(|k| !k.eq_ignore_ascii_case("no_proxy"))
        .map(|k| (*k, url.as_str()))
        .collect();
    with_env(&vars, || {
        // Plain http to the fake on 127.0.0.1, and https to the front on 127.0.0.1.
        let plain = client_builder(&fake).build().unwrap();
        let task = plain
            .clean_up_instance(&CleanUpInstanceRequest::new(ID))
            .unwrap()
            .task_id
            .expect("a TaskId");
        let tls = Client::builder()
            .region("ap-guangzhou")
            .endpoint(front.endpoint())
            .add_ca_certificates_pem(front.ca_pem())
            .credentials(credentials())
            .build()
            .unwrap();
        tls.describe_task_info(&DescribeTaskInfoRequest::new(task as u64))
            .unwrap();
    });
    assert!(
        proxy.requests().is_empty(),
        "proxied: {:?}",
        proxy.requests()
    );
    assert_eq!(fake.stats().requests, 2, "{:?}", fake.stats());
}

#[test]
fn no_proxy_sends_matching_hosts_direct_and_the_others_through_the_proxy() {
    let (fake, front) = fake_behind_tls();
    let proxy = connect_proxy(front.addr(), None);
    let url = proxy_url(&proxy, "");
    // (NO_PROXY, whether the request goes through the proxy)
    let cases: &[(Option<&str>, bool)] = &[
        (None, true),
        (Some("example.com, other.invalid"), true),
        (Some("tc-redis-test.invalid:8443"), true),
        (Some(".tc-redis-test.invalid"), false),
        (Some("*.tc-redis-test.invalid"), false),
        (Some("REDIS.tc-redis-test.invalid:443"), false),
        (Some("*"), false),
    ];
    for (no_proxy, through_proxy) in cases {
        let mut vars = vec![("HTTPS_PROXY", url.as_str())];
        if let Some(list) = no_proxy {
            vars.push(("no_proxy", list));
        }
        let before = proxy.requests().len();
        let result = with_env(&vars, || {
            invalid_host_builder(&front)
                .build()
                .unwrap()
                .describe_task_info(&DescribeTaskInfoRequest::new(1u64))
        });
        let heads = proxy.requests();
        if *through_proxy {
            // The fake knows no task 1: an API error is the proof the request reached it.
            let err = result.unwrap_err();
            assert!(
                matches!(err, Error::Api(_)),
                "NO_PROXY={no_proxy:?}: {err:?}"
            );
            assert_eq!(heads.len(), before + 1, "NO_PROXY={no_proxy:?}: {heads:?}");
            assert_eq!(
                heads[before].request_line(),
                format!("CONNECT {HOST}:443 HTTP/1.1"),
                "NO_PROXY={no_proxy:?}"
            );
        } else {
            // Direct: the name does not resolve, so the call fails below HTTP. (Its kind is
            // the transport's classification of a failed lookup, not this test's subject.)
            let err = result.unwrap_err();
            assert!(
                matches!(&err, Error::Transport(_)),
                "NO_PROXY={no_proxy:?}: {err:?}"
            );
            assert_eq!(heads.len(), before, "NO_PROXY={no_proxy:?}: {heads:?}");
        }
    }
    let proxied = cases.iter().filter(|(_, p)| *p).count() as u64;
    assert_eq!(fake.stats().requests, proxied, "{:?}", fake.stats());
}

#[test]
fn a_proxy_requiring_authentication_gets_it_and_the_password_is_never_printed() {
    let (fake, front) = fake_behind_tls();
    let proxy = connect_proxy(front.addr(), Some(BASIC));
    let good = proxy_url(&proxy, &format!("tc-user:{PASSWORD}@"));
    let reply = with_env(&[("HTTPS_PROXY", good.as_str())], || {
        let builder = invalid_host_builder(&front);
        let builder_debug = format!("{builder:?}");
        let client = builder.build().unwrap();
        let client_debug = format!("{client:?}");
        for text in [builder_debug, client_debug] {
            assert!(!text.contains(PASSWORD), "the password printed: {text}");
        }
        client.clean_up_instance(&CleanUpInstanceRequest::new(ID))
    });
    assert!(reply.is_ok(), "{reply:?}");
    let heads = proxy.requests();
    assert!(
        heads[0].header("proxy-authorization") == Some(BASIC),
        "no credentials sent: {heads:?}"
    );

    // The wrong password: refused by the proxy before any request byte reached the API.
    let wrong = proxy_url(&proxy, "tc-user:wrong-s3cret-pw@");
    let err = with_env(&[("ALL_PROXY", wrong.as_str())], || {
        invalid_host_builder(&front)
            .build()
            .unwrap()
            .describe_task_info(&DescribeTaskInfoRequest::new(1u64))
            .unwrap_err()
    });
    let text = format!("{err} {err:?}");
    assert!(
        matches!(&err, Error::Transport(t) if t.kind == TransportErrorKind::Proxy)
            && err.outcome() == Outcome::NotSent,
        "{text}"
    );
    assert!(
        !text.contains("wrong-s3cret-pw"),
        "the password printed: {text}"
    );
    assert_eq!(fake.stats().requests, 1, "{:?}", fake.stats());
}

#[test]
fn one_client_reaches_each_service_host_by_its_own_proxy_decision() {
    let fake =
        FakeServer::start(FakeConfig::new().instance_in_recycle_bin(ID).sts_role(ROLE)).unwrap();
    let front = TlsFront::start_for(fake.addr(), &[HOST, STS_HOST]).unwrap();
    let proxy = connect_proxy(front.addr(), None);
    let url = proxy_url(&proxy, "");
    // (NO_PROXY, the host it exempts, the host left to the proxy)
    for (no_proxy, direct, proxied) in [(STS_HOST, STS_HOST, HOST), (HOST, HOST, STS_HOST)] {
        let before = proxy.requests().len();
        let requests_before = fake.stats().requests;
        let (redis, sts) = with_env(
            &[("HTTPS_PROXY", url.as_str()), ("NO_PROXY", no_proxy)],
            || {
                let client = invalid_host_builder(&front).build().unwrap();
                (
                    client.describe_task_info(&DescribeTaskInfoRequest::new(1u64)),
                    client
                        .call(&AssumeRoleRequest::new(ROLE, "proxyhost"))
                        .map(|r| r.credentials.tmp_secret_id),
                )
            },
        );
        let case = format!("NO_PROXY={no_proxy}");
        // The proxied call reached the fake (task 1 is unknown to it: an API error); the direct
        // one looked the `.invalid` name up itself, which fails below HTTP.
        let (proxied_reached, direct_error) = if proxied == HOST {
            (
                matches!(&redis, Err(Error::Api(_))),
                sts.err().map(|e| e.to_string()),
            )
        } else {
            (sts.is_ok(), redis.err().map(|e| e.to_string()))
        };
        assert!(proxied_reached, "{case}: {proxied} did not reach the fake");
        let direct_error = direct_error.unwrap_or_else(|| "none: the call succeeded".to_owned());
        assert!(
            direct_error.contains(direct),
            "{case}: {direct} was not looked up directly; the call's error: {direct_error}"
        );
        let heads = proxy.requests();
        assert_eq!(
            heads[before..]
                .iter()
                .map(|h| h.request_line())
                .collect::<Vec<_>>(),
            [format!("CONNECT {proxied}:443 HTTP/1.1")],
            "{case}: the proxy's CONNECTs"
        );
        assert_eq!(
            fake.stats().requests,
            requests_before + 1,
            "{case}: requests the fake saw before {requests_before}, after {:?}",
            fake.stats()
        );
    }
}

/// A password holding `/`, `?`, `#`, `@` and `%`, written as people write it (unencoded): the
/// proxy receives it whole in `Proxy-Authorization`, and no message or `Debug` shows any of it.
#[test]
fn a_password_with_url_delimiters_reaches_the_proxy_whole_and_is_never_printed() {
    const RAW: &str = "S3cr/et?x#y@z%";
    // base64 of `tc-user:S3cr/et?x#y@z%`.
    const EXPECTED: &str = "Basic dGMtdXNlcjpTM2NyL2V0P3gjeUB6JQ==";
    let (fake, front) = fake_behind_tls();
    let proxy = connect_proxy(front.addr(), Some(EXPECTED));
    let builder = invalid_host_builder(&front).proxy(proxy_url(&proxy, &format!("tc-user:{RAW}@")));
    let debug = format!("{builder:?}");
    let client = builder.build().unwrap();
    for text in [debug, format!("{client:?}")] {
        for piece in ["S3cr", "et?x", "#y", "y@z"] {
            assert!(!text.contains(piece), "{piece} printed: {text}");
        }
    }
    client
        .clean_up_instance(&CleanUpInstanceRequest::new(ID))
        .unwrap();
    assert_eq!(
        proxy.requests()[0].header("proxy-authorization"),
        Some(EXPECTED)
    );
    assert_eq!(fake.stats().requests, 1);
    // The same password behind a host that cannot be a proxy: refused, and still not shown.
    let err = invalid_host_builder(&front)
        .proxy(format!("http://tc-user:{RAW}@pro xy:3128"))
        .build()
        .unwrap_err()
        .to_string();
    for piece in ["S3cr", "et?x", "#y", "y@z"] {
        assert!(!err.contains(piece), "{piece} printed: {err}");
    }
}
