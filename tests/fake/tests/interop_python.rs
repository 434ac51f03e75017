//! The fake's fidelity, proven by a client nobody here wrote: the official Tencent Cloud Python
//! SDK (`tests/fake/interop/official_sdk.py`) runs every case against the fake and reports the
//! error code it raised.
//!
//! Python: `$TC_REDIS_PYTHON`, else `<workspace>/.venv/bin/python`, with
//! `.ci/python-requirements.txt` installed:
//! `python3 -m venv .venv && .venv/bin/pip install -r .ci/python-requirements.txt`.
//!
//! The tests are `#[ignore]`d, so that `cargo test` lists them as ignored (where people look)
//! instead of passing without the SDK; `.ci/run` installs the SDK and runs them with
//! `cargo test -p tc-redis-fake --test interop_python -- --ignored`, and fails unless they ran.
//! Run that way without the SDK, they fail and say how to install it.

use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tc_redis_fake::{
    DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, FakeConfig, FakeServer, Fault, InstanceStatus,
};
use tc_redis_test_support::TempDir;

const BIN: [&str; 4] = [
    "crs-py000001",
    "crs-py000002",
    "crs-py000003",
    "crs-py000004",
];
const RUNNING: &str = "crs-pyrunning";
const TEMP_ID: &str = "AKIDpythonTemporary000000000000";
const TEMP_KEY: &str = "pythonTemporaryKey0000000000000";
const TOKEN: &str = "pythonSessionToken0123456789";

fn workspace() -> PathBuf {
    // This package is `tests/fake/` of the workspace.
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The interpreter with the SDK; panics, saying how to install it, when it is not there.
fn python() -> PathBuf {
    let python = std::env::var_os("TC_REDIS_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join(".venv/bin/python"));
    let probe = Command::new(&python)
        .args(["-c", "import tencentcloud.redis.v20180412.redis_client"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    if !matches!(probe, Ok(s) if s.success()) {
        panic!(
            "{} cannot import tencentcloud.redis (install: python3 -m venv .venv && \
             .venv/bin/pip install -r .ci/python-requirements.txt, or set TC_REDIS_PYTHON)",
            python.display()
        );
    }
    python
}

fn run_script(python: &Path, server: &FakeServer, only: Option<&str>) -> HashMap<String, Value> {
    let script = workspace().join("tests/fake/interop/official_sdk.py");
    let mut cmd = Command::new(python);
    cmd.arg(&script)
        .arg(server.endpoint())
        .args([
            "--secret-id",
            DEFAULT_SECRET_ID,
            "--secret-key",
            DEFAULT_SECRET_KEY,
        ])
        .args(["--temp-secret-id", TEMP_ID, "--temp-secret-key", TEMP_KEY])
        .args(["--token", TOKEN, "--running-instance", RUNNING])
        .args(["--instances", &BIN.join(",")])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(only) = only {
        cmd.args(["--only", only]);
    }
    let mut child = cmd.spawn().expect("python starts");
    let deadline = Instant::now() + Duration::from_secs(180);
    while child.try_wait().expect("wait").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("official_sdk.py did not finish within 3 minutes");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().expect("output");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "official_sdk.py failed: {}\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"));
            (v["case"].as_str().expect("case").to_owned(), v)
        })
        .collect()
}

#[test]
#[ignore = "needs the official Python SDK: run .ci/run"]
fn official_python_sdk_sees_the_documented_codes() {
    let python = python();
    let config = BIN
        .iter()
        .fold(FakeConfig::new(), |c, id| c.instance_in_recycle_bin(*id))
        .running_instance(RUNNING)
        .temporary_credential(TEMP_ID, TEMP_KEY, TOKEN);
    let server = FakeServer::start(config).unwrap();
    let results = run_script(&python, &server, None);

    let expected: &[(&str, Option<&str>)] = &[
        ("success", None),
        ("get_success", None),
        ("unsigned_payload_success", None),
        ("token_success", None),
        ("wrong_key", Some("AuthFailure.SignatureFailure")),
        ("unknown_secret_id", Some("AuthFailure.SecretIdNotFound")),
        ("token_missing", Some("AuthFailure.TokenFailure")),
        ("token_wrong", Some("AuthFailure.TokenFailure")),
        ("clock_600s_behind", Some("AuthFailure.SignatureExpire")),
        ("empty_id", Some("InvalidParameter.EmptyParam")),
        ("empty_id_en_us", Some("InvalidParameter.EmptyParam")),
        ("missing_id", Some("MissingParameter")),
        (
            "not_in_recycle_bin",
            Some("ResourceUnavailable.InstanceStatusAbnormal"),
        ),
        (
            "already_cleaned",
            Some("ResourceUnavailable.InstanceStatusAbnormal"),
        ),
        (
            "unknown_instance",
            Some("ResourceNotFound.InstanceNotExists"),
        ),
        ("region_missing", Some("MissingParameter")),
        ("region_unsupported", Some("UnsupportedRegion")),
        ("unknown_action", Some("InvalidAction")),
        ("wrong_version", Some("NoSuchVersion")),
        ("unknown_parameter", Some("UnknownParameter")),
        ("wrong_type", Some("InvalidParameter")),
        ("rate_limit", Some("RequestLimitExceeded")),
    ];
    let recorded = server.requests();
    for (case, code) in expected {
        let line = results
            .get(*case)
            .unwrap_or_else(|| panic!("no result for {case}"));
        assert_eq!(line["code"].as_str(), *code, "{case}: {line}");
        // The RequestId the SDK reports is one the fake issued, for this outcome.
        let id = line["request_id"].as_str().unwrap_or_default();
        let rec = recorded
            .iter()
            .find(|r| r.request_id.as_deref() == Some(id))
            .unwrap_or_else(|| panic!("{case}: RequestId {id:?} not issued by the fake"));
        assert_eq!(rec.error_code.as_deref(), *code, "{case}");
        if code.is_none() {
            assert!(line["task_id"].is_u64(), "{case}: {line}");
        }
    }
    let en = results["empty_id_en_us"]["message"].as_str().unwrap();
    assert!(en.is_ascii(), "en-US message: {en}");
    assert!(!results["empty_id"]["message"].as_str().unwrap().is_ascii());
    for id in BIN {
        assert_eq!(server.instance(id), Some(InstanceStatus::CleanedUp), "{id}");
    }
    // What the SDK put on the wire, as the fake saw it.
    assert!(recorded.iter().all(|r| {
        r.header("X-TC-RequestClient")
            .is_some_and(|c| c.starts_with("SDK_PYTHON_"))
    }));
    assert!(
        recorded
            .iter()
            .any(|r| r.method == "GET" && r.target == format!("/?InstanceId={}", BIN[1]))
    );
    assert!(recorded.iter().any(|r| {
        r.header("X-TC-Content-SHA256") == Some("UNSIGNED-PAYLOAD") && r.error_code.is_none()
    }));
}

#[test]
#[ignore = "needs the official Python SDK: run .ci/run"]
fn official_python_sdk_takes_a_charset_error_envelope_for_success() {
    // The official Python SDK's `_check_error` (common/abstract_client.py) parses the error
    // envelope only when the Content-Type is exactly `text/plain` or `application/json`.
    let python = python();
    let server = FakeServer::start(FakeConfig::new().running_instance(RUNNING)).unwrap();
    server.set_fault(Some(Fault::ContentTypeWithCharset));
    let results = run_script(&python, &server, Some("charset_quirk"));
    let line = &results["charset_quirk"];
    assert_eq!(line["code"], Value::Null, "{line}");
    assert_eq!(line["task_id"], Value::Null, "{line}");
    let recorded = server.requests();
    assert_eq!(
        recorded[0].error_code.as_deref(),
        Some("ResourceUnavailable.InstanceStatusAbnormal")
    );
    assert_eq!(
        line["request_id"].as_str(),
        recorded[0].request_id.as_deref()
    );
}

/// The fake's STS, driven by the official SDK's own credential classes
/// (`tests/fake/interop/official_sts.py`): `STSAssumeRoleCredential`, `OIDCRoleArnCredential` and
/// `DefaultTkeOIDCRoleArnProvider` obtain temporary credentials from it, which then sign Redis
/// calls it accepts; a wrong token and an unknown role raise STS's codes.
#[test]
#[ignore = "needs the official Python SDK: run .ci/run"]
fn official_python_sdk_obtains_credentials_from_the_fake_sts() {
    let python = python();
    let probe = Command::new(&python)
        .args(["-c", "import tencentcloud.sts.v20180813.sts_client"])
        .status();
    assert!(
        matches!(probe, Ok(s) if s.success()),
        "{} has tencentcloud-sdk-python-redis but not -sts: pip install -r .ci/python-requirements.txt",
        python.display()
    );
    const ROLE: &str = "qcs::cam::uin/100000000001:roleName/python";
    const PROVIDER: &str = "tke-python";
    const WEB_TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.python-token.sig";
    let instances = ["crs-pysts001", "crs-pysts002", "crs-pysts003"];
    let mut config = FakeConfig::new()
        .sts_role(ROLE)
        .web_identity(PROVIDER, WEB_TOKEN, ROLE);
    for id in instances {
        config = config.instance_in_recycle_bin(id);
    }
    let server = FakeServer::start(config).unwrap();
    let dir = TempDir::new("interop-sts");
    // As kubelet writes a projected token: no trailing newline (the Python SDK sends the
    // file's bytes verbatim; tc-redis trims surrounding whitespace).
    let token_file = dir.write("token", WEB_TOKEN);

    let out = Command::new(&python)
        .arg(workspace().join("tests/fake/interop/official_sts.py"))
        .arg(server.endpoint())
        .args([
            "--secret-id",
            DEFAULT_SECRET_ID,
            "--secret-key",
            DEFAULT_SECRET_KEY,
        ])
        .args(["--role-arn", ROLE, "--provider-id", PROVIDER])
        .arg("--token-file")
        .arg(&token_file)
        .args(["--instances", &instances.join(",")])
        .output()
        .expect("python starts");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "official_sts.py failed: {}\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let results: HashMap<String, Value> = stdout
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"));
            (v["case"].as_str().expect("case").to_owned(), v)
        })
        .collect();
    for (case, instance) in [
        ("assume_role", instances[0]),
        ("oidc", instances[1]),
        ("tke_default_provider", instances[2]),
    ] {
        let r = &results[case];
        assert_eq!(r["code"], Value::Null, "{case}: {r}");
        assert!(
            r["tmp_secret_id"]
                .as_str()
                .is_some_and(|id| id.starts_with("AKIDsts")),
            "{case}: {r}"
        );
        assert!(r["task_id"].as_u64().is_some(), "{case}: {r}");
        assert_eq!(
            server.instance(instance),
            Some(InstanceStatus::CleanedUp),
            "{case}: the Redis call signed with the temporary credentials ran"
        );
    }
    for (case, code) in [
        ("oidc_bad_token", "InvalidParameter.WebIdentityTokenError"),
        ("assume_unknown_role", "ResourceNotFound.RoleNotFound"),
    ] {
        assert_eq!(results[case]["code"], code, "{case}: {}", results[case]);
    }
    // What the official SDK sends is what tc-redis sends: AssumeRole signed for `sts`, the
    // web-identity exchange with `Authorization: SKIP` and no token.
    let requests = server.requests();
    let of = |action: &str| {
        requests
            .iter()
            .filter(|r| r.header("X-TC-Action") == Some(action))
            .collect::<Vec<_>>()
    };
    for r in of("AssumeRole") {
        let auth = r.header("Authorization").unwrap_or_default();
        assert!(auth.contains("/sts/tc3_request"), "{auth}");
        assert_eq!(r.header("X-TC-Version"), Some(tc_redis_fake::STS_VERSION));
    }
    let web = of("AssumeRoleWithWebIdentity");
    assert_eq!(web.len(), 3, "oidc, tke_default_provider, oidc_bad_token");
    for r in web {
        assert_eq!(r.header("Authorization"), Some("SKIP"));
        assert_eq!(r.header("X-TC-Token"), None);
    }
}
