//! Trust stores against a real TLS server on loopback (the fake behind `tc_redis_fake::tls`,
//! with a CA generated for the test): refused with the default roots before any request byte
//! is sent, accepted with the CA added from PEM bytes or from a file; a bad CA file is a
//! configuration error naming it.

use std::time::{Duration, Instant};
use tc_redis::{
    CleanUpInstanceRequest, Client, ClientBuilder, ConfigError, DescribeTaskInfoRequest, Error,
    Outcome, TransportErrorKind,
};
use tc_redis_fake::support::credentials;
use tc_redis_fake::tls::{TlsFront, TlsStats};
use tc_redis_fake::{FakeConfig, FakeServer};
use tc_redis_test_support::TempDir;

const ID: &str = "crs-tls00001";

fn fake() -> FakeServer {
    FakeServer::start(FakeConfig::new().instance_in_recycle_bin(ID)).unwrap()
}

/// A client for the front's https endpoint; no plain http allowed.
fn builder(front: &TlsFront) -> ClientBuilder {
    Client::builder()
        .region("ap-guangzhou")
        .endpoint(front.endpoint())
        .credentials(credentials())
}

/// The front's stats once its connection threads have finished their handshakes.
fn settled(front: &TlsFront) -> TlsStats {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let s = front.stats();
        if s.handshakes + s.failed_handshakes >= s.connections || Instant::now() > deadline {
            return s;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn default_roots_refuse_an_unknown_ca_before_sending_anything_and_say_how_to_add_one() {
    let fake = fake();
    let front = TlsFront::start(fake.addr()).unwrap();
    // The default retry policy (3 attempts); DescribeTaskInfo is idempotent, so only the
    // failure's class can stop a retry.
    let client = builder(&front).build().unwrap();
    let err = client
        .describe_task_info(&DescribeTaskInfoRequest::new(1u64))
        .unwrap_err();
    let Error::Transport(t) = &err else {
        panic!("expected a transport error, got {err:?}");
    };
    assert_eq!(t.kind, TransportErrorKind::Tls, "{t:?}");
    assert_eq!(err.outcome(), Outcome::NotSent, "{err}");
    let message = err.to_string();
    for expected in [
        "webpki-roots",
        "ca_bundle",
        "add_ca_certificates_pem",
        "--ca-bundle",
        "SSL_CERT_FILE",
    ] {
        assert!(
            message.contains(expected),
            "{expected:?} missing from: {message}"
        );
    }
    let stats = settled(&front);
    assert_eq!(
        (stats.connections, stats.handshakes, stats.plaintext_bytes),
        (1, 0, 0),
        "one connection (not retried), no handshake, no request byte: {stats:?}"
    );
    assert_eq!(fake.stats().requests, 0, "{:?}", fake.stats());
}

#[test]
fn the_ca_added_from_pem_bytes_is_trusted() {
    let fake = fake();
    let front = TlsFront::start(fake.addr()).unwrap();
    let client = builder(&front)
        .add_ca_certificates_pem(front.ca_pem())
        .build()
        .unwrap();
    let reply = client
        .clean_up_instance(&CleanUpInstanceRequest::new(ID))
        .unwrap();
    let task = client
        .describe_task_info(&DescribeTaskInfoRequest::new(
            reply.task_id.expect("a TaskId") as u64,
        ))
        .unwrap();
    assert!(!task.request_id.is_empty(), "{task:?}");
    let stats = settled(&front);
    assert!(
        stats.handshakes >= 1 && stats.failed_handshakes == 0 && stats.plaintext_bytes > 0,
        "{stats:?}"
    );
    assert_eq!(fake.stats().requests, 2, "{:?}", fake.stats());
}

#[test]
fn the_ca_bundle_file_is_trusted_and_named_when_it_does_not_match() {
    let fake = fake();
    let front = TlsFront::start(fake.addr()).unwrap();
    let dir = TempDir::new("tls-bundle");
    let bundle = dir.write("ca.pem", front.ca_pem());
    let client = builder(&front).ca_bundle(&bundle).build().unwrap();
    let reply = client
        .clean_up_instance(&CleanUpInstanceRequest::new(ID))
        .unwrap();
    assert!(reply.task_id.is_some_and(|t| t > 0), "{reply:?}");

    // Another test CA's bundle: refused, and the error names the bundle in use.
    let other = TlsFront::start(fake.addr()).unwrap();
    let other_bundle = dir.write("other-ca.pem", other.ca_pem());
    let err = builder(&front)
        .ca_bundle(&other_bundle)
        .build()
        .unwrap()
        .describe_task_info(&DescribeTaskInfoRequest::new(
            reply.task_id.expect("a TaskId") as u64,
        ))
        .unwrap_err();
    let message = err.to_string();
    assert!(
        matches!(&err, Error::Transport(t) if t.kind == TransportErrorKind::Tls)
            && message.contains(&other_bundle.display().to_string())
            && message.contains("1 certificates"),
        "{message}"
    );
}

#[test]
fn a_bad_ca_bundle_is_a_configuration_error_naming_it() {
    let dir = TempDir::new("tls-bad-bundle");
    let not_pem = dir.write("not-a-ca.pem", b"this is not a certificate\n");
    let missing = dir.join("no-such-ca-bundle.pem");
    for path in [not_pem, missing] {
        let err = Client::builder()
            .region("ap-guangzhou")
            .ca_bundle(&path)
            .build()
            .unwrap_err();
        assert!(
            matches!(
                &err,
                ConfigError::InvalidSetting {
                    setting: "ca_certificates",
                    ..
                }
            ) && err.to_string().contains(&path.display().to_string()),
            "{path:?}: {err}"
        );
    }
}

/// The operating system's verifier (cargo feature `platform-roots`): the test CA is unknown to
/// the system store, and trusted once `SSL_CERT_FILE` names it (rustls-platform-verifier reads
/// the system bundle through rustls-native-certs on Linux, which honours `SSL_CERT_FILE`).
#[cfg(all(feature = "platform-roots", target_os = "linux"))]
#[test]
fn platform_roots_refuse_the_test_ca_and_follow_ssl_cert_file() {
    use tc_redis::TlsRoots;
    let fake = fake();
    let front = TlsFront::start(fake.addr()).unwrap();
    let refused = builder(&front)
        .tls_roots(TlsRoots::Platform)
        .build()
        .unwrap()
        .describe_task_info(&DescribeTaskInfoRequest::new(1u64))
        .unwrap_err();
    assert!(
        matches!(&refused, Error::Transport(t) if t.kind == TransportErrorKind::Tls)
            && refused.to_string().contains("operating system"),
        "{refused}"
    );

    let dir = TempDir::new("tls-platform");
    let bundle = dir.write("platform-ca.pem", front.ca_pem());
    // SAFETY: no other test of this binary reads SSL_CERT_FILE or sets any variable, and the
    // other tests' lookups are of IP literals, which never reach libc's resolver.
    unsafe { std::env::set_var("SSL_CERT_FILE", &bundle) };
    let reply = builder(&front)
        .tls_roots(TlsRoots::Platform)
        .build()
        .unwrap()
        .clean_up_instance(&CleanUpInstanceRequest::new(ID));
    // SAFETY: as above.
    unsafe { std::env::remove_var("SSL_CERT_FILE") };
    assert!(reply.is_ok(), "{reply:?}");
}
