//! The STS exchange goes out on the network of the client that uses the provider (issue 18):
//! over https to the fake's TLS front with a private CA given to the client (the provider names
//! only the endpoint), through the client's explicit proxy, and to the international site when
//! the client's root domain says so. Real sockets, a real TLS handshake, a real `CONNECT` proxy.

use std::time::Duration;
use tc_redis::credentials::{
    AssumeRoleProvider, CredentialsErrorKind, ProvideCredentials, ProviderContext,
    WebIdentityProvider,
};
use tc_redis::{
    CleanUpInstanceRequest, Client, ClientBuilder, Error, INTL_ROOT_DOMAIN, Outcome,
    TransportError, TransportErrorKind,
};
use tc_redis_fake::support::{ManualClock, credentials};
use tc_redis_fake::tls::TlsFront;
use tc_redis_fake::{FakeConfig, FakeServer};
use tc_redis_test_support::{Reply, Response, TempDir, TestServer, closed_port};

const ROLE: &str = "qcs::cam::uin/100000000001:roleName/cleanup";
const PROVIDER: &str = "tke-oidc-provider";
const TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.network-token.sig";
const INSTANCE: &str = "crs-5a4py64p";

/// A fake serving STS (the role to AssumeRole, the token to the web-identity exchange) and one
/// instance, timed by `clock`.
fn fake(clock: &ManualClock) -> FakeServer {
    let c = clock.clone();
    FakeServer::start(
        FakeConfig::new()
            .clock(std::sync::Arc::new(move || c.now().as_secs()))
            .sts_role(ROLE)
            .web_identity(PROVIDER, TOKEN, ROLE)
            .instance_in_recycle_bin(INSTANCE),
    )
    .unwrap()
}

/// Both STS providers, sending to `endpoint` when given (else to STS's host under the client's
/// root domain): the client's network decides how they reach it.
fn providers(
    clock: &ManualClock,
    token: &TempDir,
    endpoint: Option<&str>,
) -> Vec<(&'static str, Box<dyn ProvideCredentials>)> {
    let context = || ProviderContext::new().with_clock(clock.clone());
    let token_file = token.write("token", format!("{TOKEN}\n"));
    let assume = AssumeRoleProvider::new(credentials(), ROLE, "network").with_context(context());
    let pod = WebIdentityProvider::new("ap-guangzhou", PROVIDER, token_file, ROLE)
        .with_context(context());
    let (assume, pod) = match endpoint {
        Some(e) => (
            assume.with_endpoint(e).allow_plain_http(true),
            pod.with_endpoint(e).allow_plain_http(true),
        ),
        None => (assume, pod),
    };
    vec![
        ("AssumeRole", Box::new(assume)),
        ("AssumeRoleWithWebIdentity", Box::new(pod)),
    ]
}

fn builder(clock: &ManualClock) -> ClientBuilder {
    Client::builder()
        .region("ap-guangzhou")
        .clock(clock.clone())
        .timeout(Duration::from_secs(10))
}

/// The actions the fake was asked, in order.
fn actions(server: &FakeServer) -> Vec<String> {
    server
        .requests()
        .iter()
        .filter_map(|r| r.header("X-TC-Action").map(str::to_owned))
        .collect()
}

/// The transport error somewhere under `e`.
fn transport_error<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a TransportError> {
    let mut next = Some(e);
    while let Some(e) = next {
        if let Some(t) = e.downcast_ref::<TransportError>() {
            return Some(t);
        }
        next = e.source();
    }
    None
}

#[test]
fn sts_trusts_the_ca_given_to_the_client_and_fails_as_tls_not_sent_without_it() {
    let clock = ManualClock::new(Duration::from_secs(1_800_000_000));
    let dir = TempDir::new("sts-tls");
    // The CA given as PEM bytes, then as a file: the exchange and the call both succeed.
    for how in ["add_ca_certificates_pem", "ca_bundle"] {
        for which in 0..2 {
            let server = fake(&clock);
            let front = TlsFront::start(server.addr()).unwrap();
            let (action, provider) =
                providers(&clock, &dir, Some(&front.endpoint())).swap_remove(which);
            let with_ca = match how {
                "ca_bundle" => builder(&clock).ca_bundle(dir.write("ca.pem", front.ca_pem())),
                _ => builder(&clock).add_ca_certificates_pem(front.ca_pem()),
            };
            let client = with_ca
                .endpoint(front.endpoint())
                .credentials_provider(provider)
                .build()
                .unwrap();
            client
                .clean_up_instance(&CleanUpInstanceRequest::new(INSTANCE))
                .unwrap_or_else(|e| panic!("{action} with {how}: {e}"));
            assert_eq!(actions(&server), [action, "CleanUpInstance"], "{how}");
        }
    }

    // Without the CA: a TLS failure of the exchange, nothing sent, never retried.
    for which in 0..2 {
        let server = fake(&clock);
        let front = TlsFront::start(server.addr()).unwrap();
        let (action, provider) =
            providers(&clock, &dir, Some(&front.endpoint())).swap_remove(which);
        let client = builder(&clock)
            .endpoint(front.endpoint())
            .credentials_provider(provider)
            .build()
            .unwrap();
        let e = client.credentials().unwrap_err();
        assert_eq!(
            e.kind(),
            CredentialsErrorKind::ProviderError,
            "{action}: {e:?}"
        );
        let t =
            transport_error(&e).unwrap_or_else(|| panic!("{action}: no transport error in {e:?}"));
        assert_eq!(t.kind, TransportErrorKind::Tls, "{action}: {t:?}");
        assert!(!t.may_have_been_sent, "{action}: {t:?}");
        assert!(
            e.to_string().contains(&format!(
                "{action} for role {ROLE} failed: the TLS handshake"
            )),
            "{e}"
        );
        // A call asks the provider first: a credentials error, not sent.
        let call = client
            .clean_up_instance(&CleanUpInstanceRequest::new(INSTANCE))
            .unwrap_err();
        assert!(matches!(call, Error::Credentials(_)), "{call:?}");
        assert_eq!(call.outcome(), Outcome::NotSent);
        assert_eq!(
            server.requests().len(),
            0,
            "{action}: nothing reached the fake"
        );
        let stats = front.stats();
        assert_eq!(
            (stats.handshakes, stats.plaintext_bytes),
            (0, 0),
            "{action}: {stats:?}"
        );
    }
}

/// A `CONNECT` proxy that tunnels every request to `to`, whatever host it names, and records it.
fn tunnel_to(to: std::net::SocketAddr) -> TestServer {
    TestServer::start(move |request| match request.method.as_str() {
        "CONNECT" => Reply::Tunnel(to),
        _ => Response::new(405).into(),
    })
}

#[test]
fn sts_goes_through_the_clients_explicit_proxy() {
    let clock = ManualClock::new(Duration::from_secs(1_800_000_000));
    let dir = TempDir::new("sts-proxy");
    // Nothing listens at the endpoint itself: a direct connection would be refused.
    let endpoint = format!("http://127.0.0.1:{}", closed_port());
    for (action, provider) in providers(&clock, &dir, Some(&endpoint)) {
        let server = fake(&clock);
        let proxy = tunnel_to(server.addr());
        let client = builder(&clock)
            .endpoint(&endpoint)
            .allow_plain_http(true)
            .proxy(proxy.url())
            .credentials_provider(provider)
            .build()
            .unwrap();
        client
            .credentials()
            .unwrap_or_else(|e| panic!("{action} through the proxy: {e}"));
        let seen: Vec<String> = proxy.requests().iter().map(|r| r.request_line()).collect();
        assert_eq!(
            seen,
            [format!("CONNECT {} HTTP/1.1", &endpoint["http://".len()..])],
            "{action}"
        );
        assert_eq!(actions(&server), [action]);
    }
}

#[test]
fn the_root_domain_sends_sts_to_the_international_site() {
    let clock = ManualClock::new(Duration::from_secs(1_800_000_000));
    let dir = TempDir::new("sts-intl");
    for (action, provider) in providers(&clock, &dir, None) {
        let server = fake(&clock);
        // The international site's hosts, reached through a proxy that leads to the fake.
        let front = TlsFront::start_for(
            server.addr(),
            &[
                "sts.intl.tencentcloudapi.com",
                "redis.intl.tencentcloudapi.com",
            ],
        )
        .unwrap();
        let proxy = tunnel_to(front.addr());
        let client = builder(&clock)
            .root_domain(INTL_ROOT_DOMAIN)
            .proxy(proxy.url())
            .add_ca_certificates_pem(front.ca_pem())
            .credentials_provider(provider)
            .build()
            .unwrap();
        client
            .clean_up_instance(&CleanUpInstanceRequest::new(INSTANCE))
            .unwrap_or_else(|e| panic!("{action}: {e}"));
        let seen: Vec<String> = proxy.requests().iter().map(|r| r.request_line()).collect();
        assert_eq!(
            seen,
            [
                "CONNECT sts.intl.tencentcloudapi.com:443 HTTP/1.1",
                "CONNECT redis.intl.tencentcloudapi.com:443 HTTP/1.1"
            ],
            "{action}"
        );
        let requests = server.requests();
        assert_eq!(requests[0].header("X-TC-Action"), Some(action));
        assert_eq!(
            requests[0].header("Host"),
            Some("sts.intl.tencentcloudapi.com")
        );
    }
}

#[test]
fn sts_does_not_follow_the_endpoint_of_the_clients_own_calls() {
    let clock = ManualClock::new(Duration::from_secs(1_800_000_000));
    let dir = TempDir::new("sts-own-endpoint");
    for (action, provider) in providers(&clock, &dir, None) {
        // The client's calls go to the fake (a gateway for Redis, say); STS is asked at its own
        // host, which this proxy shows and refuses.
        let server = fake(&clock);
        let proxy = TestServer::always(Response::new(403));
        let client = builder(&clock)
            .endpoint(server.endpoint())
            .allow_plain_http(true)
            .proxy(proxy.url())
            .credentials_provider(provider)
            .build()
            .unwrap();
        let e = client.credentials().unwrap_err();
        let t = transport_error(&e).unwrap_or_else(|| panic!("{action}: {e:?}"));
        assert_eq!(t.kind, TransportErrorKind::Proxy, "{action}: {t:?}");
        let seen: Vec<String> = proxy.requests().iter().map(|r| r.request_line()).collect();
        assert_eq!(
            seen,
            ["CONNECT sts.tencentcloudapi.com:443 HTTP/1.1"],
            "{action}"
        );
        assert_eq!(server.requests().len(), 0, "{action}");
    }
}

/// STS pointed elsewhere by the client, not by the provider: `service_endpoint("sts", ..)` in
/// code and `TENCENTCLOUD_ENDPOINT_URL_STS` in the client's environment, both over https with
/// the client's private CA. Both providers' exchanges reach the fake's TLS front there.
#[test]
fn sts_follows_the_clients_sts_endpoint_from_code_or_environment() {
    use tc_redis::env::Env;
    let clock = ManualClock::new(Duration::from_secs(1_800_000_000));
    let dir = TempDir::new("sts-override");
    for how in ["service_endpoint", "TENCENTCLOUD_ENDPOINT_URL_STS"] {
        for which in 0..2 {
            let server = fake(&clock);
            let front = TlsFront::start(server.addr()).unwrap();
            let (action, provider) = providers(&clock, &dir, None).swap_remove(which);
            let builder = builder(&clock)
                .add_ca_certificates_pem(front.ca_pem())
                .endpoint(front.endpoint());
            let builder = match how {
                "service_endpoint" => builder.service_endpoint("sts", front.endpoint()),
                _ => builder.provider_context(
                    ProviderContext::new()
                        .with_clock(clock.clone())
                        .with_env(Env::from_pairs([(how, front.endpoint())])),
                ),
            };
            let client = builder.credentials_provider(provider).build().unwrap();
            client
                .clean_up_instance(&CleanUpInstanceRequest::new(INSTANCE))
                .unwrap_or_else(|e| panic!("{action} by {how}: {e}"));
            assert_eq!(actions(&server), [action, "CleanUpInstance"], "{how}");
            assert!(front.stats().handshakes >= 1, "{how}: {:?}", front.stats());
        }
    }
}
