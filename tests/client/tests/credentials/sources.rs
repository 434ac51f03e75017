//! Which identity signed: the client against the fake endpoint with credentials from each
//! source. A wrong key gives `AuthFailure.SignatureFailure`, whose error names the source (file
//! and profile, tccli profile, environment, code) and never the secret; the right key from a
//! tccli profile on disk signs a call that succeeds.

use std::path::Path;
use tc_redis::credentials::{
    CredentialSource, Credentials, EnvProvider, ProfileProvider, ProvideCredentials,
    ProviderContext, TccliProvider,
};
use tc_redis::env::Env;
use tc_redis::{
    CleanUpInstanceErrorCode as Code, CleanUpInstanceRequest, CommonErrorCode, Error, RetryPolicy,
};
use tc_redis_fake::support::client_builder;
use tc_redis_fake::{DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, FakeConfig, FakeServer};
use tc_redis_test_support::TempDir;

const ID: &str = "crs-5a4py64p";
const WRONG_KEY: &str = "WrongSecretKeyDistinctive42";

/// One call with credentials from `provider`, no retries.
fn call(
    server: &FakeServer,
    provider: impl ProvideCredentials + 'static,
) -> Result<tc_redis::CleanUpInstanceResponse, Error<Code>> {
    client_builder(server)
        .credentials_provider(provider)
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
        .clean_up_instance(&CleanUpInstanceRequest::new(ID))
}

/// Asserts an `AuthFailure.SignatureFailure` naming `source` in its field and its message, and
/// no secret anywhere.
fn assert_names_source(
    result: Result<tc_redis::CleanUpInstanceResponse, Error<Code>>,
    source: &CredentialSource,
) {
    let e = match result {
        Err(e) => e,
        Ok(r) => panic!("a wrong key succeeded: {r:?}"),
    };
    assert_eq!(
        e.code(),
        Some(&Code::Common(CommonErrorCode::AuthFailureSignatureFailure)),
        "{e:?}"
    );
    assert_eq!(e.credential_source(), Some(source), "{e:?}");
    let text = e.to_string();
    assert!(
        text.contains(&format!("; signed with credentials from {source}")),
        "{text}"
    );
    let debug = format!("{e:?}");
    for shown in [&text, &debug] {
        assert!(!shown.contains(WRONG_KEY), "secret leaked: {shown}");
        assert!(
            !shown.contains(DEFAULT_SECRET_KEY),
            "secret leaked: {shown}"
        );
    }
}

fn server() -> FakeServer {
    FakeServer::start(FakeConfig::new().instance_in_recycle_bin(ID)).unwrap()
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
}

#[test]
fn auth_failure_names_the_credentials_file_and_profile() {
    let server = server();
    let dir = TempDir::new("file");
    let path = dir.join("credentials");
    write(
        &path,
        &format!(
            "[default]\nsecret_id = AKIDdefault\nsecret_key = k\n[ci]\nsecret_id = {DEFAULT_SECRET_ID}\nsecret_key = {WRONG_KEY}\n"
        ),
    );
    let result = call(
        &server,
        ProfileProvider::from_path(&path).with_profile("ci"),
    );
    let source = CredentialSource::CredentialsFile {
        path: path.clone(),
        profile: "ci".into(),
    };
    assert_names_source(result, &source);
    assert_eq!(
        source.to_string(),
        format!("credentials file {}, profile [ci]", path.display())
    );
}

#[test]
fn auth_failure_names_the_tccli_profile_and_the_right_key_succeeds() {
    let server = server();
    let home = TempDir::new("tccli");
    let path = home.join(".tccli/prod.credential");
    std::fs::create_dir_all(home.join(".tccli")).unwrap();
    write(
        &path,
        &format!(
            r#"{{"secretId": "{DEFAULT_SECRET_ID}", "secretKey": "{WRONG_KEY}", "token": null}}"#
        ),
    );
    let context = ProviderContext::new().with_env(Env::from_pairs([("HOME", home.path())]));
    let tccli = || TccliProvider::with_context(context.clone()).with_profile("prod");
    assert_names_source(
        call(&server, tccli()),
        &CredentialSource::Tccli {
            path: path.clone(),
            profile: "prod".into(),
        },
    );
    // `tccli configure set secretKey ...` fixes it: the change is seen by a new provider, and
    // the call is signed correctly from the file.
    write(
        &path,
        &format!(
            r#"{{"secretId": "{DEFAULT_SECRET_ID}", "secretKey": "{DEFAULT_SECRET_KEY}", "token": null}}"#
        ),
    );
    let reply = call(&server, tccli()).unwrap();
    assert!(
        reply.task_id.is_some_and(|t| t > 0),
        "task id {:?}",
        reply.task_id
    );
}

#[test]
fn auth_failure_names_the_environment_and_code() {
    let server = server();
    let env = EnvProvider::with_context(ProviderContext::new().with_env(Env::from_pairs([
        ("TENCENTCLOUD_SECRET_ID", DEFAULT_SECRET_ID),
        ("TENCENTCLOUD_SECRET_KEY", WRONG_KEY),
    ])));
    assert_names_source(call(&server, env), &CredentialSource::Environment);
    let fixed = Credentials::new(DEFAULT_SECRET_ID, WRONG_KEY).unwrap();
    assert_names_source(call(&server, fixed), &CredentialSource::Static);
}

#[test]
fn other_api_errors_carry_no_source() {
    let server = FakeServer::start(FakeConfig::new()).unwrap();
    // No such instance: the request was signed correctly, refused for another reason.
    let e = client_builder(&server)
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
        .clean_up_instance(&CleanUpInstanceRequest::new(ID))
        .unwrap_err();
    assert!(
        e.code()
            .is_some_and(|c| !tc_redis::ErrorCode::as_str(c).starts_with("AuthFailure")),
        "{e:?}"
    );
    assert_eq!(e.credential_source(), None, "{e:?}");
    assert!(!e.to_string().contains("signed with"), "{e}");
}
