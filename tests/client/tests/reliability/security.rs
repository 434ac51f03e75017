//! No secret ever shows: a distinctive SecretKey and token are driven through a success and
//! every error path (faults included), and neither appears in `Debug` or `Display` of any
//! result, of the client, of its builder, of `Credentials` or of any provider.

use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tc_redis::CommonErrorCode;
use tc_redis::credentials::{
    CvmRoleProvider, DefaultChain, EnvProvider, ProfileProvider, ProvideCredentials,
    ProviderContext,
};
use tc_redis::env::Env;
use tc_redis::{
    CleanUpInstanceErrorCode as Code, CleanUpInstanceRequest, CleanUpInstanceResponse, Client,
    ClientBuilder, Credentials, Error, RetryPolicy,
};
use tc_redis_fake::support::ManualClock;
use tc_redis_fake::{FakeConfig, FakeServer, Fault};
use tc_redis_test_support::{Response, TempDir, TestServer, closed_port};

const SECRET_ID: &str = "AKIDtmpSecurityTest000000000000";
const SECRET_KEY: &str = "SeCrEtKeY-do-not-leak-7f3a";
const TOKEN: &str = "ToKeN-do-not-leak-91c2";
const SECRETS: [&str; 2] = [SECRET_KEY, TOKEN];
const ID: &str = "crs-inbin001";
const RUNNING: &str = "crs-running1";

type Outcome = Result<CleanUpInstanceResponse, Error<Code>>;

/// Panics if `text` shows a secret.
#[track_caller]
fn assert_clean(what: &str, text: &str) {
    for secret in SECRETS {
        assert!(!text.contains(secret), "{what} shows a secret: {text}");
    }
}

/// Checks `Debug` (plain and pretty) and `Display` of a result.
#[track_caller]
fn assert_outcome_clean(what: &str, r: &Outcome) {
    assert_clean(what, &format!("{r:?}"));
    assert_clean(what, &format!("{r:#?}"));
    if let Err(e) = r {
        assert_clean(what, &e.to_string());
        let mut source = std::error::Error::source(e);
        while let Some(s) = source {
            assert_clean(what, &s.to_string());
            assert_clean(what, &format!("{s:?}"));
            source = s.source();
        }
    }
}

fn credentials() -> Credentials {
    Credentials::new(SECRET_ID, SECRET_KEY)
        .unwrap()
        .with_token(TOKEN)
        .unwrap()
}

fn server() -> FakeServer {
    FakeServer::start(
        FakeConfig::new()
            .temporary_credential(SECRET_ID, SECRET_KEY, TOKEN)
            .instance_in_recycle_bin(ID)
            .running_instance(RUNNING),
    )
    .unwrap()
}

fn builder(endpoint: String, credentials: Credentials) -> ClientBuilder {
    Client::builder()
        .region("ap-guangzhou")
        .endpoint(endpoint)
        .allow_plain_http(true)
        .credentials(credentials)
        .clock(ManualClock::system_offset(0))
        .timeout(Duration::from_millis(300))
}

/// Builds a client (checking the builder's and the client's `Debug`), calls, and checks the
/// result and the client after the call.
fn drive(what: &str, b: ClientBuilder, id: &str) -> Outcome {
    assert_clean(what, &format!("{b:?}"));
    assert_clean(what, &format!("{b:#?}"));
    let client = b.build().unwrap();
    assert_clean(what, &format!("{client:?}"));
    let r = client.clean_up_instance(&CleanUpInstanceRequest::new(id));
    assert_outcome_clean(what, &r);
    assert_clean(what, &format!("{client:#?}"));
    r
}

#[test]
fn the_temporary_credential_works_against_the_fake() {
    let s = server();
    let r = drive("success", builder(s.endpoint(), credentials()), ID);
    assert!(r.is_ok(), "{r:?}");
    // It really was sent with the token, which is how the fake accepted it.
    assert_eq!(s.requests()[0].header("x-tc-token"), Some(TOKEN));
}

#[test]
fn no_secret_in_any_fault_or_error() {
    let faults: Vec<(&str, Fault)> = vec![
        ("reset before", Fault::ResetBeforeResponse),
        ("reset mid", Fault::ResetMidBody),
        (
            "502",
            Fault::HttpStatus(502, "<html>502 Bad Gateway</html>".into()),
        ),
        ("503", Fault::HttpStatus(503, "<html>503</html>".into())),
        (
            "truncated",
            Fault::Body {
                status: 200,
                content_type: "application/json".into(),
                body: br#"{"Response": {"TaskId": 1"#.to_vec(),
            },
        ),
        (
            "wrong type",
            Fault::Body {
                status: 200,
                content_type: "application/json".into(),
                body: br#"{"Response":{"TaskId":"1.5","RequestId":"r"}}"#.to_vec(),
            },
        ),
        (
            "invalid utf-8",
            Fault::Body {
                status: 200,
                content_type: "application/json".into(),
                body: vec![0xff, 0xfe],
            },
        ),
        ("charset", Fault::ContentTypeWithCharset),
        ("never", Fault::NeverAnswer),
        (
            "drip",
            Fault::DripBody {
                interval: Duration::from_millis(100),
            },
        ),
        (
            "rate limited",
            Fault::ErrorFirst {
                code: "RequestLimitExceeded".into(),
                count: 5,
            },
        ),
        (
            "internal",
            Fault::ErrorFirst {
                code: "InternalError".into(),
                count: 1,
            },
        ),
        (
            "unknown code",
            Fault::ErrorFirst {
                code: "FailedOperation.New".into(),
                count: 1,
            },
        ),
    ];
    for (what, fault) in faults {
        let s = server();
        s.set_fault(Some(fault));
        let r = drive(what, builder(s.endpoint(), credentials()), RUNNING);
        assert!(r.is_err(), "{what}: {r:?}");
    }

    // Too large a body.
    let s = server();
    let r = drive(
        "too large",
        builder(s.endpoint(), credentials()).max_response_bytes(16),
        ID,
    );
    assert!(r.is_err());
}

#[test]
fn no_secret_in_api_and_auth_errors() {
    let s = server();
    // A business error.
    let r = drive("running", builder(s.endpoint(), credentials()), RUNNING);
    assert!(
        matches!(&r, Err(Error::Api(e)) if e.code == Code::ResourceUnavailableInstanceStatusAbnormal)
    );
    // Not found.
    drive(
        "unknown",
        builder(s.endpoint(), credentials()),
        "crs-nosuch01",
    )
    .unwrap_err();
    // Wrong token, no token, wrong key: the server refuses, nothing of ours shows.
    let wrong_token = Credentials::new(SECRET_ID, SECRET_KEY)
        .unwrap()
        .with_token("WrOnGtOkEn")
        .unwrap();
    let r = drive("wrong token", builder(s.endpoint(), wrong_token), ID);
    assert!(
        matches!(&r, Err(Error::Api(e)) if e.code == CommonErrorCode::AuthFailureTokenFailure),
        "{r:?}"
    );
    let no_token = Credentials::new(SECRET_ID, SECRET_KEY).unwrap();
    let r = drive("no token", builder(s.endpoint(), no_token), ID);
    assert!(
        matches!(&r, Err(Error::Api(e)) if e.code == CommonErrorCode::AuthFailureTokenFailure),
        "{r:?}"
    );
    let wrong_key = Credentials::new(SECRET_ID, format!("{SECRET_KEY}-x"))
        .unwrap()
        .with_token(TOKEN)
        .unwrap();
    let r = drive("wrong key", builder(s.endpoint(), wrong_key), ID);
    assert!(
        matches!(&r, Err(Error::Api(e)) if e.code == CommonErrorCode::AuthFailureSignatureFailure),
        "{r:?}"
    );
    // Clock skew, corrected by the free re-sign even with retries off: no secret either.
    let r = drive(
        "skew",
        builder(s.endpoint(), credentials())
            .clock(ManualClock::system_offset(-600))
            .retry(RetryPolicy::none()),
        ID,
    );
    assert!(r.is_ok(), "{r:?}");
    // Connection refused.
    let port = closed_port();
    let r = drive(
        "refused",
        builder(format!("http://127.0.0.1:{port}"), credentials()),
        ID,
    );
    assert!(matches!(r, Err(Error::Transport(_))), "{r:?}");
    // Missing region.
    let b = Client::builder()
        .endpoint(s.endpoint())
        .allow_plain_http(true)
        .credentials(credentials());
    let r = drive("no region", b, ID);
    assert!(matches!(r, Err(Error::Config(_))), "{r:?}");
}

/// A context whose environment is exactly `vars` (its home, where files are looked for, none).
fn env_context(vars: &[(&str, &str)]) -> ProviderContext {
    let vars: Vec<(String, String)> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    ProviderContext::new()
        .with_env(Env::from_pairs(vars))
        .with_system_config_dir("/nonexistent/tc-redis-security")
}

#[test]
fn credentials_as_a_provider_redact() {
    let c = credentials();
    let p: Box<dyn ProvideCredentials> = Box::new(c.clone());
    for text in [
        format!("{c:?}"),
        format!("{c:#?}"),
        c.to_string(),
        format!("{p:?}"),
    ] {
        assert_clean("credentials", &text);
        assert!(
            text.contains(SECRET_ID),
            "the SecretId is not a secret: {text}"
        );
    }
    assert_clean("provided", &format!("{:?}", p.provide()));
}

#[test]
fn env_provider_redacts() {
    let env = |vars: &[(&str, &str)]| EnvProvider::with_context(env_context(vars));
    let p = env(&[
        ("TENCENTCLOUD_SECRET_ID", SECRET_ID),
        ("TENCENTCLOUD_SECRET_KEY", SECRET_KEY),
        ("TENCENTCLOUD_SESSION_TOKEN", TOKEN),
    ]);
    assert_clean("env", &format!("{p:?}"));
    let c = p.provide().unwrap();
    assert_eq!((c.secret_key(), c.token()), (SECRET_KEY, Some(TOKEN)));
    assert_clean("env provided", &format!("{c:?} {c}"));

    // Malformed values are reported by variable name, never by value.
    let bad_key = format!("{SECRET_KEY}\n");
    let e = env(&[
        ("TENCENTCLOUD_SECRET_ID", SECRET_ID),
        ("TENCENTCLOUD_SECRET_KEY", &bad_key),
    ])
    .provide()
    .unwrap_err();
    assert_clean("env invalid", &format!("{e:?} {e}"));
    let other_token = format!("{TOKEN}-other");
    let e = env(&[
        ("TENCENTCLOUD_SECRET_ID", SECRET_ID),
        ("TENCENTCLOUD_SECRET_KEY", SECRET_KEY),
        ("TENCENTCLOUD_SESSION_TOKEN", TOKEN),
        ("TENCENTCLOUD_TOKEN", &other_token),
    ])
    .provide()
    .unwrap_err();
    assert_clean("env conflict", &format!("{e:?} {e}"));
    let e = env(&[("TENCENTCLOUD_SECRET_KEY", SECRET_KEY)])
        .provide()
        .unwrap_err();
    assert_clean("env incomplete", &format!("{e:?} {e}"));
}

#[test]
fn profile_provider_redacts() {
    let dir = TempDir::new("reliability-profiles");
    let good = dir.write(
        "good",
        format!("[default]\nsecret_id = {SECRET_ID}\nsecret_key = {SECRET_KEY}\ntoken = {TOKEN}\n"),
    );
    let p = ProfileProvider::from_path(&good);
    let c = p.provide().unwrap();
    assert_eq!((c.secret_key(), c.token()), (SECRET_KEY, Some(TOKEN)));
    assert_clean("profile", &format!("{p:?} {c:?} {c}"));

    // A broken line that holds the secret is reported by number, not content.
    for (name, content) in [
        (
            "syntax",
            format!("[default]\nsecret_id = {SECRET_ID}\n{SECRET_KEY}\n"),
        ),
        (
            "twice",
            format!(
                "[default]\nsecret_id = {SECRET_ID}\nsecret_key = {SECRET_KEY}\nsecret_key = {TOKEN}\n"
            ),
        ),
        (
            "blank",
            format!("[default]\nsecret_id = {SECRET_ID}\nsecret_key = \"{SECRET_KEY} \"\n"),
        ),
        (
            "section",
            format!("[{SECRET_KEY}\nsecret_id = {SECRET_ID}\n"),
        ),
    ] {
        let f = dir.write(name, &content);
        let p = ProfileProvider::from_path(&f);
        let e = p.provide().unwrap_err();
        assert_clean(name, &format!("{e:?} {e} {p:?}"));
    }
}

/// Serves `body` (HTTP 200, one request per connection) on 127.0.0.1, like the CVM metadata
/// service.
fn metadata_server(body: String) -> TestServer {
    TestServer::always(Response::json(body).with_header("Connection", "close"))
}

#[test]
fn cvm_role_provider_redacts() {
    let expires = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 3600;
    let good = format!(
        r#"{{"TmpSecretId":"{SECRET_ID}","TmpSecretKey":"{SECRET_KEY}","Token":"{TOKEN}","ExpiredTime":{expires},"Expiration":"x","Code":"Success"}}"#
    );
    // Each malformed document holds the secrets; its error must not repeat them.
    let no_expiry = format!(
        r#"{{"TmpSecretId":"{SECRET_ID}","TmpSecretKey":"{SECRET_KEY}","Token":"{TOKEN}","Code":"Success"}}"#
    );
    let bad_key = format!(
        r#"{{"TmpSecretId":"{SECRET_ID}","TmpSecretKey":" {SECRET_KEY}","Token":"{TOKEN}","ExpiredTime":{expires},"Code":"Success"}}"#
    );
    let not_json = format!(r#"{{"TmpSecretKey":"{SECRET_KEY}","Token":"{TOKEN}""#);
    let wrong_type = format!(r#"{{"TmpSecretKey":"{SECRET_KEY}","Token":"{TOKEN}","Code":7}}"#);
    for (what, body) in [
        ("good", good),
        ("no expiry", no_expiry),
        ("bad key", bad_key),
        ("not json", not_json),
        ("wrong type", wrong_type),
    ] {
        let server = metadata_server(body);
        let p = CvmRoleProvider::new()
            .with_base_url(format!("{}/", server.url()))
            .with_role_name("role")
            .with_timeout(Duration::from_secs(2));
        let r = p.provide();
        assert_eq!(r.is_ok(), what == "good", "{what}: {r:?}");
        match &r {
            Ok(c) => assert_clean(what, &format!("{c:?} {c}")),
            Err(e) => assert_clean(what, &format!("{e:?} {e}")),
        }
        // The provider caches the good credentials; its Debug must not show them.
        assert_clean(what, &format!("{p:?} {p:#?}"));
        let chain = DefaultChain::with_context(env_context(&[])).with_cvm_role(p);
        assert_clean(what, &format!("{chain:?}"));
        assert_eq!(
            server.requests().len(),
            1,
            "{what}: one request for the credentials"
        );
    }
}

#[test]
fn default_chain_error_lists_providers_without_secrets() {
    let bad_key = format!(" {SECRET_KEY}");
    let chain = DefaultChain::with_context(env_context(&[
        ("TENCENTCLOUD_SECRET_ID", SECRET_ID),
        ("TENCENTCLOUD_SECRET_KEY", &bad_key),
    ]));
    let e = chain.provide().unwrap_err();
    assert_clean("chain", &format!("{e:?} {e} {chain:?}"));
    // A chain that found nothing lists every source it tried, and still no secret.
    let home = TempDir::new("security-chain");
    let home = home.path().display().to_string();
    let chain = DefaultChain::with_context(env_context(&[("HOME", &home)])).with_cvm_role(
        CvmRoleProvider::new().with_base_url(format!("http://127.0.0.1:{}/", closed_port())),
    );
    let e = chain.provide().unwrap_err();
    assert!(!e.attempts().is_empty(), "{e:?}");
    assert_clean("chain none", &format!("{e:?} {e} {chain:?}"));
}

#[test]
fn builder_debug_hides_a_proxy_password() {
    let b = Client::builder()
        .region("ap-guangzhou")
        .proxy("http://user:PrOxYpAsS-do-not-leak@127.0.0.1:3128");
    let text = format!("{b:?}");
    assert!(!text.contains("PrOxYpAsS"), "{text}");
}
