//! Bad settings are refused before any network traffic: by `Credentials::new`, by
//! `ClientBuilder::build`, or at call time for what only a call can tell (a missing region,
//! credentials that cannot be found). A live fake counts that nothing reached it.

use std::time::Duration;
use tc_redis::credentials::{
    CredentialField, CredentialsError, CredentialsErrorKind, EnvProvider, InvalidCredential,
    InvalidReason, ProviderContext,
};
use tc_redis::env::Env;
use tc_redis::{
    CleanUpInstanceRequest, Client, ConfigError, Credentials, Error, Language, RateLimit,
};
use tc_redis_fake::support::{client_builder, credentials};
use tc_redis_fake::{DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, FakeConfig, FakeServer};

fn server() -> FakeServer {
    FakeServer::start(FakeConfig::new().instance_in_recycle_bin("crs-inbin001")).unwrap()
}

fn assert_untouched(s: &FakeServer) {
    let stats = s.stats();
    assert_eq!(
        (stats.connections, stats.requests, stats.malformed),
        (0, 0, 0)
    );
}

fn invalid(field: CredentialField, reason: InvalidReason) -> (CredentialField, InvalidReason) {
    (field, reason)
}

/// The field and reason of a value refused: the [`InvalidCredential`] under the error.
fn why<T: std::fmt::Debug>(r: Result<T, CredentialsError>) -> (CredentialField, InvalidReason) {
    let e = r.unwrap_err();
    assert_eq!(
        e.kind(),
        CredentialsErrorKind::InvalidConfiguration,
        "{e:?}"
    );
    let cause = std::error::Error::source(&e)
        .and_then(|s| s.downcast_ref::<InvalidCredential>())
        .unwrap_or_else(|| panic!("{e:?}"));
    (cause.field(), cause.reason())
}

/// The environment provider of a process whose environment is `vars`.
fn env(vars: &[(&str, &str)]) -> EnvProvider {
    let vars: Vec<(String, String)> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    EnvProvider::with_context(ProviderContext::new().with_env(Env::from_pairs(vars)))
}

#[test]
fn credentials_are_validated() {
    use CredentialField::{SecretId, SecretKey, Token};
    use InvalidReason::*;
    let cases: [(&str, &str, (CredentialField, InvalidReason)); 8] = [
        ("", DEFAULT_SECRET_KEY, invalid(SecretId, Empty)),
        (DEFAULT_SECRET_ID, "", invalid(SecretKey, Empty)),
        (
            " AKIDx",
            DEFAULT_SECRET_KEY,
            invalid(SecretId, SurroundingWhitespace),
        ),
        (
            "AKIDx\n",
            DEFAULT_SECRET_KEY,
            invalid(SecretId, SurroundingWhitespace),
        ),
        (
            DEFAULT_SECRET_ID,
            "key ",
            invalid(SecretKey, SurroundingWhitespace),
        ),
        (
            DEFAULT_SECRET_ID,
            "\tkey",
            invalid(SecretKey, SurroundingWhitespace),
        ),
        (
            DEFAULT_SECRET_ID,
            "k\u{7}ey",
            invalid(SecretKey, ControlCharacter),
        ),
        (
            "AKID\u{a0}x",
            DEFAULT_SECRET_KEY,
            invalid(SecretId, NonAscii),
        ),
    ];
    for (id, key, expected) in cases {
        assert_eq!(why(Credentials::new(id, key)), expected, "{id:?} {key:?}");
    }
    assert_eq!(why(credentials().with_token("")), invalid(Token, Empty));
    assert_eq!(
        why(credentials().with_token("tok\n")),
        invalid(Token, SurroundingWhitespace)
    );
    assert!(credentials().with_token("tok").is_ok());
}

#[test]
fn bad_regions_are_refused_at_build() {
    let s = server();
    for region in [
        "",
        " ",
        "ap guangzhou",
        " ap-guangzhou",
        "ap-guangzhou\n",
        "AP-GUANGZHOU",
    ] {
        let err = client_builder(&s).region(region).build().unwrap_err();
        assert_eq!(err, ConfigError::InvalidRegion(region.to_owned()));
    }
    assert_untouched(&s);
}

#[test]
fn bad_endpoints_are_refused_at_build() {
    let s = server();
    let plain = s.endpoint();
    let cases = [
        "not a url".to_owned(),
        String::new(),
        " https://example.com".to_owned(),
        "ftp://example.com".to_owned(),
        "file:///etc/passwd".to_owned(),
        "https://".to_owned(),
        "https://example.com/path".to_owned(),
        "https://example.com?x=1".to_owned(),
        "https://example.com:0".to_owned(),
        "https://example.com:99999".to_owned(),
        "https://example.com:port".to_owned(),
    ];
    for endpoint in &cases {
        match client_builder(&s).endpoint(endpoint.as_str()).build() {
            Err(ConfigError::InvalidEndpoint { endpoint: got, .. }) => {
                assert_eq!(&got, endpoint)
            }
            other => panic!("{endpoint:?}: {other:?}"),
        }
    }
    // User info is refused too, and never repeated: not in the error, its Debug or Display.
    let secret = "https://user:s3cret-pw@example.com";
    match client_builder(&s).endpoint(secret).build() {
        Err(e @ ConfigError::InvalidEndpoint { .. }) => {
            let shown = format!("{e} {e:?}");
            assert!(
                !shown.contains("s3cret") && !shown.contains("user:"),
                "{shown}"
            );
            assert!(shown.contains("https://<redacted>@example.com"), "{shown}");
        }
        other => panic!("{other:?}"),
    }
    // http:// only with allow_plain_http.
    match client_builder(&s).allow_plain_http(false).build() {
        Err(ConfigError::InvalidEndpoint { endpoint, reason }) => {
            assert_eq!(endpoint, plain);
            assert!(reason.contains("allow_plain_http"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    assert_untouched(&s);
}

#[test]
fn https_is_the_default() {
    let client = Client::builder()
        .region("ap-guangzhou")
        .credentials(credentials())
        .build()
        .unwrap();
    assert!(
        client
            .endpoint_for::<CleanUpInstanceRequest>()
            .starts_with("https://"),
        "{}",
        client.endpoint_for::<CleanUpInstanceRequest>()
    );
    let fsi = Client::builder()
        .region("ap-shanghai-fsi")
        .credentials(credentials())
        .build()
        .unwrap();
    assert_eq!(
        fsi.endpoint_for::<CleanUpInstanceRequest>(),
        "https://redis.ap-shanghai-fsi.tencentcloudapi.com/"
    );
    // A bare host means https.
    let bare = Client::builder()
        .region("ap-guangzhou")
        .endpoint("redis.example.com:8443")
        .credentials(credentials())
        .build()
        .unwrap();
    assert_eq!(
        bare.endpoint_for::<CleanUpInstanceRequest>(),
        "https://redis.example.com:8443/"
    );
}

#[test]
fn out_of_range_settings_are_refused_at_build() {
    let s = server();
    let setting_of = |r: Result<Client, ConfigError>| match r {
        Err(ConfigError::InvalidSetting { setting, .. }) => setting,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        setting_of(client_builder(&s).timeout(Duration::ZERO).build()),
        "timeout"
    );
    assert_eq!(
        setting_of(client_builder(&s).connect_timeout(Duration::ZERO).build()),
        "connect_timeout"
    );
    assert_eq!(
        setting_of(client_builder(&s).max_response_bytes(0).build()),
        "max_response_bytes"
    );
    assert_eq!(
        setting_of(
            client_builder(&s)
                .rate_limit(RateLimit::PerSecond(0))
                .build()
        ),
        "rate_limit"
    );
    assert_eq!(
        setting_of(client_builder(&s).proxy("::not a proxy::").build()),
        "proxy"
    );
    assert_eq!(
        "fr-FR".parse::<Language>().unwrap_err(),
        ConfigError::InvalidLanguage("fr-FR".into())
    );
    // Durations that would overflow the clock at the first call, and anything past a day.
    for too_long in [
        Duration::MAX,
        tc_redis::client::MAX_TIMEOUT + Duration::from_nanos(1),
    ] {
        assert_eq!(
            setting_of(client_builder(&s).timeout(too_long).build()),
            "timeout"
        );
        assert_eq!(
            setting_of(client_builder(&s).connect_timeout(too_long).build()),
            "connect_timeout"
        );
    }
    // A 200 KB region: named, and not repeated whole in the message.
    match client_builder(&s).region("a".repeat(200_000)).build() {
        Err(
            e @ ConfigError::InvalidSetting {
                setting: "region", ..
            },
        ) => {
            assert!(
                e.to_string().len() < 200,
                "{} bytes of message",
                e.to_string().len()
            )
        }
        other => panic!("{:?}", other.map(|_| ())),
    }
    // A proxy URL that cannot be used is refused without repeating its password.
    for bad in [
        "http://user:s3cret@[not a host",
        "socks5://user:s3cret@127.0.0.1:1080",
    ] {
        let e = client_builder(&s).proxy(bad).build().unwrap_err();
        let shown = format!("{e} {e:?}");
        assert!(!shown.contains("s3cret"), "{bad}: {shown}");
    }
    // A socks proxy would be bypassed by the connector chain: refused, not ignored.
    assert_eq!(
        setting_of(client_builder(&s).proxy("socks5://127.0.0.1:1080").build()),
        "proxy"
    );
    // The largest valid values are accepted.
    client_builder(&s)
        .timeout(tc_redis::client::MAX_TIMEOUT)
        .connect_timeout(tc_redis::client::MAX_TIMEOUT)
        .region("a".repeat(tc_redis::client::MAX_REGION_LEN))
        .build()
        .unwrap();
    // The smallest valid values are accepted.
    client_builder(&s)
        .timeout(Duration::from_nanos(1))
        .connect_timeout(Duration::from_nanos(1))
        .max_response_bytes(1)
        .rate_limit(RateLimit::PerSecond(1))
        .build()
        .unwrap();
    assert_untouched(&s);
}

#[test]
fn a_backoff_of_duration_max_waits_instead_of_panicking() {
    // A port nothing listens on: connection refused, retried after a backoff of Duration::MAX
    // (recorded by the fake clock, not waited).
    let clock = tc_redis_fake::support::ManualClock::system();
    let policy = tc_redis::RetryPolicy::default()
        .initial_backoff(Duration::MAX)
        .max_backoff(Duration::MAX);
    let endpoint = format!("http://127.0.0.1:{}", tc_redis_test_support::closed_port());
    let r = tc_redis_fake::support::endpoint_builder(endpoint)
        .clock(clock.clone())
        .retry(policy.max_attempts(2))
        .build()
        .unwrap()
        .clean_up_instance(&CleanUpInstanceRequest::new("crs-inbin001"));
    assert!(matches!(r, Err(Error::Transport(_))), "{r:?}");
    let sleeps = clock.sleeps();
    assert_eq!(sleeps.len(), 1, "{sleeps:?}");
    assert!(sleeps[0] >= Duration::MAX / 2, "{sleeps:?}");
}

#[test]
fn missing_region_is_a_config_error_at_call_time_with_nothing_sent() {
    let s = server();
    let client = Client::builder()
        .endpoint(s.endpoint())
        .allow_plain_http(true)
        .credentials(credentials())
        .build()
        .unwrap();
    match client.clean_up_instance(&CleanUpInstanceRequest::new("crs-inbin001")) {
        Err(Error::Config(ConfigError::MissingRegion)) => {}
        other => panic!("{other:?}"),
    }
    assert_untouched(&s);
}

#[test]
fn unavailable_credentials_are_a_credentials_error_with_nothing_sent() {
    let s = server();
    let client = Client::builder()
        .region("ap-guangzhou")
        .endpoint(s.endpoint())
        .allow_plain_http(true)
        .credentials_provider(env(&[]))
        .build()
        .unwrap();
    match client.clean_up_instance(&CleanUpInstanceRequest::new("crs-inbin001")) {
        Err(Error::Credentials(e)) if e.kind() == CredentialsErrorKind::NotLoaded => {}
        other => panic!("{other:?}"),
    }
    // Only one of the pair set: an error naming what is missing, still nothing sent.
    let client = Client::builder()
        .region("ap-guangzhou")
        .endpoint(s.endpoint())
        .allow_plain_http(true)
        .credentials_provider(env(&[(EnvProvider::SECRET_ID_VAR, DEFAULT_SECRET_ID)]))
        .build()
        .unwrap();
    let err = client
        .clean_up_instance(&CleanUpInstanceRequest::new("crs-inbin001"))
        .unwrap_err();
    assert!(matches!(err, Error::Credentials(_)), "{err:?}");
    assert_untouched(&s);
}
