//! The STS credential providers against the fake's STS: AssumeRole and TKE OIDC
//! (AssumeRoleWithWebIdentity) succeed and their credentials sign Redis calls, refresh ahead of
//! expiry (manual clock), re-read a rotated token file, and fail usefully when STS is down,
//! refuses, or answers an expired or absurd expiry; the default chain prefers a TKE pod's own
//! identity to its node's CVM role.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tc_redis::credentials::{
    AssumeRoleProvider, CredentialSource, CredentialsError, CredentialsErrorKind, CvmRoleProvider,
    DefaultChain, ProvideCredentials, ProviderContext, WebIdentityProvider,
};
use tc_redis::env::Env;
use tc_redis::{CleanUpInstanceRequest, Client, Error};
use tc_redis_fake::support::{ManualClock, credentials};
use tc_redis_fake::{DEFAULT_SECRET_KEY, FakeConfig, FakeServer, RecordedRequest, STS_VERSION};
use tc_redis_test_support::{Response, TempDir, TestServer, closed_port};

const ROLE: &str = "qcs::cam::uin/100000000001:roleName/cleanup";
const PROVIDER: &str = "tke-oidc-provider";
const TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.first-token.sig";
const ROTATED: &str = "eyJhbGciOiJSUzI1NiJ9.rotated-token.sig";
const INSTANCE: &str = "crs-5a4py64p";

/// A fake whose clock is `clock`, serving the role to AssumeRole and both tokens to OIDC.
fn fake(clock: &ManualClock, config: FakeConfig) -> FakeServer {
    let c = clock.clone();
    let config = config
        .clock(Arc::new(move || c.now().as_secs()))
        .sts_role(ROLE)
        .web_identity(PROVIDER, TOKEN, ROLE)
        .web_identity(PROVIDER, ROTATED, ROLE)
        .instance_in_recycle_bin(INSTANCE);
    FakeServer::start(config).unwrap()
}

fn clock() -> ManualClock {
    ManualClock::new(Duration::from_secs(1_800_000_000))
}

/// A token file in a fresh directory, removed on drop.
struct TokenFile(PathBuf, TempDir);

impl TokenFile {
    fn new(tag: &str, token: &str) -> TokenFile {
        let dir = TempDir::new(&format!("sts-{tag}"));
        let file = TokenFile(dir.join("token"), dir);
        file.write(token);
        file
    }

    fn write(&self, token: &str) {
        self.1.write("token", format!("{token}\n"));
    }
}

/// The context of a provider whose time is `clock`.
fn timed(clock: &ManualClock) -> ProviderContext {
    ProviderContext::new().with_clock(clock.clone())
}

fn assume_role(server: &FakeServer, clock: &ManualClock) -> AssumeRoleProvider {
    AssumeRoleProvider::new(credentials(), ROLE, "nightly")
        .with_endpoint(server.endpoint())
        .allow_plain_http(true)
        .with_context(timed(clock))
}

fn oidc(server: &FakeServer, clock: &ManualClock, file: &TokenFile) -> WebIdentityProvider {
    WebIdentityProvider::new("ap-guangzhou", PROVIDER, &file.0, ROLE)
        .with_endpoint(server.endpoint())
        .allow_plain_http(true)
        .with_context(timed(clock))
}

fn sts_requests(server: &FakeServer) -> Vec<RecordedRequest> {
    server
        .requests()
        .into_iter()
        .filter(|r| {
            r.header("X-TC-Action")
                .is_some_and(|a| a.starts_with("AssumeRole"))
        })
        .collect()
}

/// CleanUpInstance on `server` signed by `provider`'s credentials.
fn cleanup_with(
    server: &FakeServer,
    clock: &ManualClock,
    provider: impl ProvideCredentials + 'static,
) -> Result<tc_redis::CleanUpInstanceResponse, Error<tc_redis::CleanUpInstanceErrorCode>> {
    let client = Client::builder()
        .region("ap-guangzhou")
        .endpoint(server.endpoint())
        .allow_plain_http(true)
        .clock(clock.clone())
        .credentials_provider(provider)
        .build()
        .unwrap();
    client.clean_up_instance(&CleanUpInstanceRequest::new(INSTANCE))
}

/// The code and request id of the STS call's own API error, kept as the source of `e`.
fn api_error(e: &CredentialsError) -> (String, String) {
    use tc_redis::sts::{AssumeRoleErrorCode, AssumeRoleWithWebIdentityErrorCode};
    fn api<C: tc_redis::ErrorCode>(e: &CredentialsError) -> Option<(String, String)> {
        match std::error::Error::source(e)?.downcast_ref::<Error<C>>()? {
            Error::Api(api) => Some((api.code.to_string(), api.request_id.clone())),
            _ => None,
        }
    }
    api::<AssumeRoleErrorCode>(e)
        .or_else(|| api::<AssumeRoleWithWebIdentityErrorCode>(e))
        .unwrap_or_else(|| panic!("no STS API error under {e:?}"))
}

#[test]
fn assume_role_is_signed_for_sts_and_its_credentials_sign_redis_calls() {
    let clock = clock();
    let server = fake(&clock, FakeConfig::new());
    let provider = Arc::new(assume_role(&server, &clock));
    cleanup_with(&server, &clock, Arc::clone(&provider)).unwrap();

    let requests = server.requests();
    assert_eq!(
        requests.len(),
        2,
        "one AssumeRole, one CleanUpInstance: {requests:?}"
    );
    let (sts, redis) = (&requests[0], &requests[1]);
    assert_eq!(sts.header("X-TC-Action"), Some("AssumeRole"));
    assert_eq!(sts.header("X-TC-Version"), Some(STS_VERSION));
    let auth = sts.header("Authorization").unwrap();
    assert!(auth.contains("/sts/tc3_request"), "scope of {auth}");
    assert_eq!(
        sts.error_code, None,
        "AssumeRole answered {:?}",
        sts.error_code
    );
    let body: serde_json::Value = serde_json::from_slice(&sts.body).unwrap();
    assert_eq!(body["RoleArn"], ROLE);
    assert_eq!(body["RoleSessionName"], "nightly");
    assert_eq!(body["DurationSeconds"], 7200);

    let issued = provider.provide().unwrap();
    assert!(
        issued.secret_id().starts_with("AKIDsts"),
        "{}",
        issued.secret_id()
    );
    assert_eq!(redis.header("X-TC-Action"), Some("CleanUpInstance"));
    assert!(
        redis
            .header("Authorization")
            .unwrap()
            .contains(&format!("Credential={}/", issued.secret_id())),
        "the Redis call is signed with the assumed role"
    );
    assert_eq!(redis.header("X-TC-Token"), issued.token());
    // Which identity signed: the assumed role, as AuthFailure errors would say.
    assert_eq!(
        issued.source(),
        &CredentialSource::AssumedRole {
            role_arn: ROLE.to_owned()
        }
    );
    let debug = format!("{provider:?}");
    assert!(!debug.contains(DEFAULT_SECRET_KEY) && !debug.contains(issued.secret_key()));
    assert!(!debug.contains(issued.token().unwrap()), "{debug}");
}

#[test]
fn oidc_is_sent_unsigned_and_its_credentials_sign_redis_calls() {
    let clock = clock();
    let server = fake(&clock, FakeConfig::new());
    let file = TokenFile::new("unsigned", TOKEN);
    let provider = oidc(&server, &clock, &file);
    assert_eq!(
        provider.provide().unwrap().source().to_string(),
        format!("TKE workload identity, role `{ROLE}`")
    );
    cleanup_with(&server, &clock, oidc(&server, &clock, &file)).unwrap();
    let sts = &sts_requests(&server)[0];
    assert_eq!(sts.header("X-TC-Action"), Some("AssumeRoleWithWebIdentity"));
    assert_eq!(sts.header("Authorization"), Some("SKIP"));
    assert_eq!(sts.header("X-TC-Token"), None);
    assert_eq!(sts.header("X-TC-Region"), Some("ap-guangzhou"));
    assert_eq!(sts.header("X-TC-Version"), Some(STS_VERSION));
    let body: serde_json::Value = serde_json::from_slice(&sts.body).unwrap();
    assert_eq!(
        body["WebIdentityToken"], TOKEN,
        "the file's token, newline trimmed"
    );
    assert_eq!(body["ProviderId"], PROVIDER);
    let session = body["RoleSessionName"].as_str().unwrap();
    assert_eq!(session, "tc-redis-1800000000");
    let redis = server.requests().pop().unwrap();
    assert_eq!(
        redis.error_code, None,
        "CleanUpInstance answered {:?}",
        redis.error_code
    );
}

#[test]
fn both_refresh_a_tenth_of_the_lifetime_before_expiry_and_the_fake_honours_expiry() {
    let file = TokenFile::new("refresh", TOKEN);
    for kind in ["assume-role", "tke-oidc"] {
        let clock = clock();
        let server = fake(&clock, FakeConfig::new());
        let lifetime = Duration::from_secs(1000);
        let provider: Box<dyn ProvideCredentials> = match kind {
            "assume-role" => Box::new(assume_role(&server, &clock).with_duration(lifetime)),
            _ => Box::new(oidc(&server, &clock, &file).with_duration(lifetime)),
        };
        let first = provider.provide().unwrap();
        clock.advance(Duration::from_secs(899));
        let same = provider.provide().unwrap();
        assert_eq!(same.secret_id(), first.secret_id(), "{kind}: 101 s left");
        assert_eq!(
            sts_requests(&server).len(),
            1,
            "{kind}: no exchange with 101 s left"
        );
        clock.advance(Duration::from_secs(1));
        let next = provider.provide().unwrap();
        assert_ne!(
            next.secret_id(),
            first.secret_id(),
            "{kind}: refreshed with 100 s left"
        );
        assert_eq!(sts_requests(&server).len(), 2, "{kind}");

        // The first credentials still sign Redis calls until they expire; then the fake
        // refuses them.
        cleanup_with(&server, &clock, first.clone())
            .unwrap_or_else(|e| panic!("{kind}: still-valid credentials refused: {e}"));
        clock.advance(Duration::from_secs(100));
        match cleanup_with(&server, &clock, first) {
            Err(Error::Api(e)) => assert_eq!(e.code.as_str(), "AuthFailure.TokenFailure", "{kind}"),
            other => panic!("{kind}: expired credentials accepted: {other:?}"),
        }
    }
}

#[test]
fn oidc_reads_the_rotated_token_file_at_each_refresh() {
    let clock = clock();
    let server = fake(&clock, FakeConfig::new());
    let file = TokenFile::new("rotation", TOKEN);
    let provider = oidc(&server, &clock, &file).with_duration(Duration::from_secs(1000));
    provider.provide().unwrap();
    file.write(ROTATED);
    clock.advance(Duration::from_secs(950));
    provider.provide().unwrap();
    let tokens: Vec<String> = sts_requests(&server)
        .iter()
        .map(|r| {
            let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
            body["WebIdentityToken"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(tokens, [TOKEN, ROTATED]);
}

#[test]
fn sts_down_is_an_error_naming_the_role_and_the_failure() {
    let port = closed_port();
    let file = TokenFile::new("down", TOKEN);
    let endpoint = format!("http://127.0.0.1:{port}");
    let providers: Vec<(Box<dyn ProvideCredentials>, &str)> = vec![
        (
            Box::new(
                AssumeRoleProvider::new(credentials(), ROLE, "s")
                    .with_endpoint(&endpoint)
                    .allow_plain_http(true),
            ),
            "AssumeRole",
        ),
        (
            Box::new(
                WebIdentityProvider::new("ap-guangzhou", PROVIDER, &file.0, ROLE)
                    .with_endpoint(&endpoint)
                    .allow_plain_http(true),
            ),
            "AssumeRoleWithWebIdentity",
        ),
    ];
    for (provider, action) in providers {
        let e = provider.provide().unwrap_err();
        assert_eq!(e.kind(), CredentialsErrorKind::ProviderError, "{e:?}");
        let text = e.to_string();
        assert!(
            text.starts_with(&format!(
                "{}: {action} for role {ROLE} failed: ",
                provider.name()
            )) && text.to_lowercase().contains("connect"),
            "{text}"
        );
    }
}

#[test]
fn sts_refusing_is_an_error_with_its_code_and_request_id() {
    let clock = clock();
    let server = fake(&clock, FakeConfig::new());
    let file = TokenFile::new("refused", "eyJ.not-a-known-token.sig");
    let unknown_role =
        AssumeRoleProvider::new(credentials(), "qcs::cam::uin/1:roleName/ghost", "s")
            .with_endpoint(server.endpoint())
            .allow_plain_http(true)
            .with_context(timed(&clock));
    let cases: Vec<(Box<dyn ProvideCredentials>, &str)> = vec![
        (Box::new(unknown_role), "ResourceNotFound.RoleNotFound"),
        (
            Box::new(oidc(&server, &clock, &file)),
            "InvalidParameter.WebIdentityTokenError",
        ),
    ];
    for (provider, expected) in cases {
        let e = provider.provide().unwrap_err();
        assert_eq!(e.kind(), CredentialsErrorKind::ProviderError, "{e:?}");
        let text = e.to_string();
        // The STS call's own error, kept as the source: its code and request id.
        let (code, request_id) = api_error(&e);
        assert_eq!(code, expected);
        assert!(
            text.contains(&format!("refused: {expected}: ")) && text.contains(&request_id),
            "{text}"
        );
        assert!(
            !text.contains("not-a-known-token"),
            "the token is not shown: {text}"
        );
    }
}

#[test]
fn expired_answers_are_errors_and_absurd_expiries_are_clamped() {
    let clock = clock();
    let expired = fake(&clock, FakeConfig::new().sts_expiry_offset(-10));
    let e = assume_role(&expired, &clock).provide().unwrap_err();
    assert_eq!(e.kind(), CredentialsErrorKind::ProviderError, "{e:?}");
    let now = clock.now().as_secs();
    assert_eq!(
        e.to_string(),
        format!(
            "assume-role: the credentials from STS AssumeRole for role {ROLE} expired 10 s \
             before they were received (ExpiredTime {}, now {now}); check the clock of this \
             machine, or the source",
            now - 10
        )
    );

    let absurd = fake(&clock, FakeConfig::new().sts_expiry_offset(i64::MAX / 2));
    let file = TokenFile::new("absurd", TOKEN);
    let providers: Vec<Box<dyn ProvideCredentials>> = vec![
        Box::new(assume_role(&absurd, &clock).with_duration(Duration::from_secs(1000))),
        Box::new(oidc(&absurd, &clock, &file).with_duration(Duration::from_secs(1000))),
    ];
    for provider in providers {
        let before = sts_requests(&absurd).len();
        provider.provide().unwrap();
        clock.advance(Duration::from_secs(900));
        provider.provide().unwrap();
        assert_eq!(
            sts_requests(&absurd).len(),
            before + 2,
            "{}: an expiry centuries ahead is clamped to the 1000 s asked for, so it refreshes",
            provider.name()
        );
    }
}

/// A CVM metadata service on loopback with role `node-role`; it counts its connections.
fn metadata_service() -> TestServer {
    TestServer::start(|request| {
        let body = if request.target.ends_with("/node-role") {
            r#"{"TmpSecretId":"AKIDnode","TmpSecretKey":"nodeKey","Token":"nodeToken","ExpiredTime":4000000000,"Code":"Success"}"#
        } else {
            "node-role"
        };
        Response::new(200)
            .with_header("Connection", "close")
            .with_body(body)
            .into()
    })
}

/// Its base URL, as `CvmRoleProvider::with_base_url` takes it.
fn metadata_base(service: &TestServer) -> String {
    format!(
        "{}/latest/meta-data/cam/security-credentials/",
        service.url()
    )
}

/// The default chain of a pod: the `TKE_*` variables when `tke`, an empty home, the node's
/// metadata service at `base`, STS on `server`.
fn pod_chain(
    tke: bool,
    file: &TokenFile,
    server: &FakeServer,
    clock: &ManualClock,
    base: &str,
) -> DefaultChain {
    let home = TempDir::new("pod-home");
    let token_file = file.0.display().to_string();
    let mut vars = vec![("HOME", home.path().display().to_string())];
    if tke {
        vars.extend([
            ("TKE_REGION", "ap-guangzhou".to_owned()),
            ("TKE_PROVIDER_ID", PROVIDER.to_owned()),
            ("TKE_WEB_IDENTITY_TOKEN_FILE", token_file),
            ("TKE_ROLE_ARN", ROLE.to_owned()),
        ]);
    }
    let context = timed(clock)
        .with_env(Env::from_pairs(vars))
        .with_system_config_dir(home.join("etc"));
    let pod = WebIdentityProvider::from_env()
        .with_context(context.clone())
        .with_endpoint(server.endpoint())
        .allow_plain_http(true);
    DefaultChain::with_context(context)
        .with_web_identity(pod)
        .with_cvm_role(CvmRoleProvider::new().with_base_url(base))
}

#[test]
fn in_a_tke_pod_on_a_node_with_a_cvm_role_the_pod_identity_wins() {
    let clock = clock();
    let server = fake(&clock, FakeConfig::new());
    let file = TokenFile::new("chain", TOKEN);
    let metadata = metadata_service();
    let base = metadata_base(&metadata);
    let pod = pod_chain(true, &file, &server, &clock, &base)
        .provide()
        .unwrap();
    assert!(
        pod.secret_id().starts_with("AKIDsts"),
        "{}",
        pod.secret_id()
    );
    assert_eq!(
        metadata.connections(),
        0,
        "the node's metadata service was not asked"
    );
    // The same node without the TKE variables: the CVM role, which proves it was there.
    let node = pod_chain(false, &file, &server, &clock, &base)
        .provide()
        .unwrap();
    assert_eq!(node.secret_id(), "AKIDnode");
    assert!(metadata.connections() >= 1);
}

#[test]
fn a_half_configured_tke_pod_stops_the_chain_instead_of_using_the_node_role() {
    let metadata = metadata_service();
    let home = TempDir::new("half-pod");
    let context = ProviderContext::new()
        .with_env(Env::from_pairs([
            ("HOME", home.path().display().to_string()),
            ("TKE_ROLE_ARN", ROLE.to_owned()),
        ]))
        .with_system_config_dir(home.join("etc"));
    let chain = DefaultChain::with_context(context)
        .with_cvm_role(CvmRoleProvider::new().with_base_url(metadata_base(&metadata)));
    let e = chain.provide().unwrap_err();
    assert_eq!(
        e.kind(),
        CredentialsErrorKind::InvalidConfiguration,
        "{e:?}"
    );
    assert_eq!(
        e.to_string(),
        "tke-oidc: TKE_ROLE_ARN set but TKE_REGION, TKE_PROVIDER_ID, \
         TKE_WEB_IDENTITY_TOKEN_FILE not; set all four TKE_* variables, or none"
    );
    assert_eq!(metadata.connections(), 0);
}
