//! The main job's connection settings, end to end against the fake: `--profile` (tccli's
//! files), `--ca-bundle` and `SSL_CERT_FILE` (a real TLS front with a CA made for the test),
//! `--intl` / `--root-domain`, `--endpoint` on loopback, and `-v` / `-vv`.

use crate::support::{Run, actions, creds, run};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tc_redis_fake::tls::TlsFront;
use tc_redis_fake::{
    DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, FakeConfig, FakeServer, InstanceStatus,
};
use tc_redis_test_support::{Reply, TempDir, TestServer};

const REGION: &str = "ap-guangzhou";
const ID: &str = "crs-bin00001";

/// Instances the TLS runs clean up, one per accepted run.
const TLS_IDS: [&str; 3] = ["crs-tls00001", "crs-tls00002", "crs-tls00003"];

/// A fake with `ID` and the `TLS_IDS` in the recycle bin of `REGION`.
fn fake() -> FakeServer {
    let mut config = FakeConfig::new();
    for id in [ID].iter().chain(&TLS_IDS) {
        config = config.instance(*id, "orders-cache", REGION, InstanceStatus::InRecycleBin);
    }
    FakeServer::start(config).unwrap()
}

/// A HOME where `tccli configure --profile <profile>` saved `secret_id` / `secret_key` and
/// `region`, in tccli's format.
fn tccli_home(profile: &str, secret_id: &str, secret_key: &str, region: &str) -> TempDir {
    let home = TempDir::new(&format!("cli-tccli-{profile}"));
    let dir = home.join(".tccli");
    std::fs::create_dir_all(&dir).unwrap();
    let credential =
        serde_json::json!({ "secretId": secret_id, "secretKey": secret_key, "token": null });
    std::fs::write(
        dir.join(format!("{profile}.credential")),
        credential.to_string(),
    )
    .unwrap();
    let configure = serde_json::json!({ "_sys_param": { "region": region, "output": "json", "arrayCount": 10 } });
    std::fs::write(
        dir.join(format!("{profile}.configure")),
        configure.to_string(),
    )
    .unwrap();
    home
}

fn path_str(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn a_tccli_profile_signs_the_requests_and_supplies_the_region() {
    let server = fake();
    let endpoint = server.endpoint();
    let home = tccli_home("ops", DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, REGION);
    // The environment holds other keys: a named profile is the identity asked for, so they
    // must not sign (the fake would refuse them).
    let env = [
        ("HOME", path_str(home.path())),
        ("TENCENTCLOUD_SECRET_ID", "AKIDsomeoneelse"),
        ("TENCENTCLOUD_SECRET_KEY", "not-the-fakes-key"),
    ];
    let r = run(
        &["--profile", "ops", "--endpoint", &endpoint, "--yes", ID],
        &env,
    );
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains(&format!("{ID}: done, TaskId ")), "{r:?}");
    let requests = server.requests();
    let cleanup = requests
        .iter()
        .find(|q| q.header("X-TC-Action") == Some("CleanUpInstance"))
        .unwrap_or_else(|| panic!("no CleanUpInstance among {} requests", requests.len()));
    assert_eq!(
        cleanup.header("X-TC-Region"),
        Some(REGION),
        "the region of ops.configure"
    );
    let authorization = cleanup.header("Authorization").unwrap_or_default();
    assert!(
        authorization.contains(&format!("Credential={DEFAULT_SECRET_ID}/")),
        "signed with the profile's SecretId: {authorization}"
    );

    // --region still wins over the profile's region.
    let r = run(
        &[
            "--profile",
            "ops",
            "--region",
            "ap-shanghai",
            "--endpoint",
            &endpoint,
            "--list",
        ],
        &env,
    );
    assert_eq!(r.code, 0, "{r:?}");
    let last = server.requests().pop().unwrap();
    assert_eq!(last.header("X-TC-Region"), Some("ap-shanghai"), "{r:?}");
}

#[test]
fn an_unknown_or_malformed_profile_is_refused_before_anything_is_sent() {
    let server = fake();
    let endpoint = server.endpoint();
    let home = tccli_home("ops", DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, REGION);
    let mut env = creds().to_vec();
    env.push(("HOME", path_str(home.path())));
    // Unknown: status 3 with or without --region (the credentials are checked first), naming
    // the profile and tccli's fix; the environment's keys are not used in its place.
    for region in [&["--region", REGION][..], &[]] {
        let mut args = vec!["--profile", "opps", "--endpoint", &endpoint];
        args.extend_from_slice(region);
        args.extend(["--yes", ID]);
        let r = run(&args, &env);
        assert_eq!(r.code, 3, "{args:?}: {r:?}");
        assert!(
            r.stderr.contains("\"opps\" (--profile) not found")
                && r.stderr.contains("tccli configure --profile opps"),
            "{args:?}: {r:?}"
        );
    }
    // A name that is no profile name (it would leave the directory): status 2.
    let r = run(
        &["--profile", "../ops", "--endpoint", &endpoint, "--yes", ID],
        &env,
    );
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("--profile"), "{r:?}");
    // A profile with no region and no --region: status 2 naming all three ways to give one.
    let no_region = tccli_home("noregion", DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, "");
    let r = run(
        &[
            "--profile",
            "noregion",
            "--endpoint",
            &endpoint,
            "--yes",
            ID,
        ],
        &[("HOME", path_str(no_region.path()))],
    );
    assert_eq!(r.code, 2, "{r:?}");
    for needle in ["--region", "TENCENTCLOUD_REGION", "--profile"] {
        assert!(r.stderr.contains(needle), "should name {needle}: {r:?}");
    }
    assert_eq!(server.stats().requests, 0, "nothing was sent");
}

/// Variables for one run.
type Environment<'a> = Vec<(&'a str, &'a str)>;

/// The fake behind a TLS front whose certificate is issued by a CA made for this test, and
/// that CA's PEM in a file.
struct TlsFake {
    server: FakeServer,
    front: TlsFront,
    ca_dir: TempDir,
    ca_file: PathBuf,
}

fn tls_fake() -> TlsFake {
    let server = fake();
    let front = TlsFront::start(server.addr()).unwrap();
    let ca_dir = TempDir::new("cli-ca");
    let ca_file = ca_dir.write("ca.pem", front.ca_pem());
    TlsFake {
        server,
        front,
        ca_dir,
        ca_file,
    }
}

impl TlsFake {
    fn run(&self, extra: &[&str], env: &[(&str, &str)], id: &str) -> Run {
        let endpoint = self.front.endpoint();
        let mut args = vec!["--region", REGION, "--endpoint", &endpoint];
        args.extend_from_slice(extra);
        args.extend(["--yes", id]);
        let mut all = creds().to_vec();
        all.extend_from_slice(env);
        run(&args, &all)
    }
}

#[test]
fn a_private_ca_is_refused_by_default_and_trusted_with_ca_bundle_or_ssl_cert_file() {
    let tls = tls_fake();
    let ca = path_str(&tls.ca_file);
    // The built-in roots do not know the test's CA: the handshake fails, nothing is sent. An
    // empty SSL_CERT_FILE is as good as unset.
    for env in [&[][..], &[("SSL_CERT_FILE", "")]] {
        let r = tls.run(&[], env, ID);
        assert_eq!(r.code, 4, "{env:?}: {r:?}");
        assert!(
            r.stdout.contains("not sent")
                && r.stdout.contains("--ca-bundle PATH or SSL_CERT_FILE")
                && !r.stdout.contains("ClientBuilder"),
            "{env:?}: {r:?}"
        );
    }
    assert_eq!(
        actions(&tls.server, "CleanUpInstance"),
        0,
        "no request got past the TLS front"
    );

    // With the CA, by flag or by variable: done. The flag wins over a broken variable.
    let missing = tls.ca_dir.join("missing.pem");
    let cases: [(&[&str], Environment); 3] = [
        (&["--ca-bundle", ca], vec![]),
        (&[], vec![("SSL_CERT_FILE", ca)]),
        (
            &["--ca-bundle", ca],
            vec![("SSL_CERT_FILE", path_str(&missing))],
        ),
    ];
    for ((args, env), id) in cases.iter().zip(TLS_IDS) {
        let r = tls.run(args, env, id);
        assert_eq!(r.code, 0, "{args:?} {env:?}: {r:?}");
        assert!(r.stdout.contains(&format!("{id}: done")), "{r:?}");
    }
    assert!(
        tls.front.stats().handshakes >= cases.len() as u64,
        "every accepted run went through TLS: {:?}",
        tls.front.stats()
    );

    // A file that is not there, or not a PEM: status 2 naming the option or the variable.
    let not_pem = tls.ca_dir.write("not.pem", "not a certificate");
    for (args, env, name) in [
        (
            vec!["--ca-bundle", path_str(&missing)],
            vec![],
            "--ca-bundle",
        ),
        (
            vec!["--ca-bundle", path_str(&not_pem)],
            vec![],
            "--ca-bundle",
        ),
        (
            vec![],
            vec![("SSL_CERT_FILE", path_str(&missing))],
            "SSL_CERT_FILE",
        ),
    ] {
        let r = tls.run(&args, &env, ID);
        assert_eq!(r.code, 2, "{args:?} {env:?}: {r:?}");
        assert!(r.stderr.contains(name), "should name {name}: {r:?}");
    }
}

#[test]
fn a_root_domain_that_does_not_resolve_is_a_quick_not_sent_failure_naming_the_host() {
    let start = Instant::now();
    let r = run(
        &[
            "--region",
            REGION,
            "--root-domain",
            "example.invalid",
            "--yes",
            ID,
        ],
        &creds(),
    );
    let elapsed = start.elapsed();
    assert_eq!(r.code, 4, "{r:?}");
    assert!(
        r.stdout.contains("redis.example.invalid") && r.stdout.contains("not sent"),
        "{r:?}"
    );
    assert!(
        elapsed < Duration::from_secs(10),
        "a .invalid name fails without waiting on the network; took {elapsed:?}"
    );
    // A root domain that is no domain name: status 2 naming the option.
    let r = run(
        &[
            "--region",
            REGION,
            "--root-domain",
            "https://x/",
            "--yes",
            ID,
        ],
        &creds(),
    );
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("--root-domain"), "{r:?}");
}

#[test]
fn intl_sends_to_the_international_sites_host() {
    // A proxy on loopback that records the CONNECT request and closes: the host the client
    // asked for, without any lookup or traffic beyond this machine.
    let proxy = TestServer::start(|_| Reply::Close);
    let proxy_url = proxy.url();
    let mut env = creds().to_vec();
    env.push(("HTTPS_PROXY", &proxy_url));
    let r = run(&["--region", REGION, "--intl", "--yes", ID], &env);
    let head = proxy
        .requests()
        .first()
        .map(|connect| connect.request_line())
        .unwrap_or_default();
    assert!(
        head.starts_with("CONNECT redis.intl.tencentcloudapi.com:443 "),
        "the CONNECT the proxy got: {head:?}; {r:?}"
    );
    assert_eq!(r.code, 4, "a proxy that closes: not sent: {r:?}");
}

#[test]
fn root_domain_options_conflict_with_each_other_and_with_an_endpoint() {
    let server = fake();
    let endpoint = server.endpoint();
    for case in [
        &["--intl", "--root-domain", "example.com"][..],
        &["--intl", "--endpoint", &endpoint],
        &["--root-domain", "example.com", "--endpoint", &endpoint],
        &["--intl", "--sandbox"],
        &["--root-domain", "example.com", "--sandbox"],
        &["--profile", "ops", "--sandbox"],
        &["--ca-bundle", "/x.pem", "--sandbox"],
    ] {
        let mut args = case.to_vec();
        args.extend(["--region", REGION, "--yes", ID]);
        let r = run(&args, &creds());
        assert_eq!(r.code, 2, "{case:?}: {r:?}");
        assert!(r.stderr.contains("cannot be used with"), "{case:?}: {r:?}");
    }
    assert_eq!(server.stats().requests, 0, "nothing was sent");
}

#[test]
fn plain_http_is_accepted_for_any_loopback_address_only() {
    // 127.0.0.2 is loopback (127.0.0.0/8): accepted, and the connection is refused by the
    // machine (the fake listens on 127.0.0.1 only), so the run ends not sent, not as a usage
    // error.
    let server = fake();
    let port = server.addr().port();
    let r = run(
        &[
            "--region",
            REGION,
            "--endpoint",
            &format!("http://127.0.0.2:{port}"),
            "--yes",
            ID,
        ],
        &creds(),
    );
    assert_ne!(r.code, 2, "http://127.0.0.2 is loopback: {r:?}");
    assert!(!r.stderr.contains("only for a loopback"), "{r:?}");
    for endpoint in [
        "http://[::1]:9",
        "http://localhost:9",
        "http://LocalHost.:9",
    ] {
        let r = run(
            &["--region", REGION, "--endpoint", endpoint, "--list"],
            &creds(),
        );
        assert!(
            !r.stderr.contains("only for a loopback"),
            "{endpoint}: {r:?}"
        );
    }
    let r = run(
        &[
            "--region",
            REGION,
            "--endpoint",
            "http://128.0.0.1",
            "--yes",
            ID,
        ],
        &creds(),
    );
    assert_eq!(r.code, 2, "{r:?}");
    assert!(
        r.stderr.contains("--endpoint: ")
            && r.stderr
                .contains("only for a loopback host (localhost, 127.0.0.0/8, [::1])"),
        "{r:?}"
    );
    // --sts-endpoint obeys the same rule, named by its option.
    let r = run(
        &[
            "--region",
            REGION,
            "--sts-endpoint",
            "http://sts.example",
            "--list",
        ],
        &creds(),
    );
    assert_eq!(r.code, 2, "{r:?}");
    assert!(
        r.stderr.contains("--sts-endpoint: sts: ") && r.stderr.contains("only for a loopback host"),
        "{r:?}"
    );
}

#[test]
fn verbose_prints_the_librarys_events_and_never_a_secret() {
    let r = run(&["-vv", "--sandbox", "--yes", "crs-5a4py64p"], &[]);
    assert_eq!(r.code, 0, "{r:?}");
    let attempts: Vec<&str> = r
        .stderr
        .lines()
        .filter(|l| l.starts_with("tc-redis-cleanup: debug attempt "))
        .collect();
    assert!(
        attempts.iter().any(|l| l.contains("action=CleanUpInstance")
            && l.contains(" attempt=1 ")
            && l.contains(" status=200 ")
            && l.contains(" request_id=")),
        "the per-attempt event of the cleanup; attempts: {attempts:?}; {r:?}"
    );
    for secret in [
        DEFAULT_SECRET_KEY,
        "Signature=",
        "Authorization",
        "TC3-HMAC-SHA256",
    ] {
        assert!(!r.stderr.contains(secret), "{secret:?} on stderr: {r:?}");
    }
    // -v: info and above only, so no per-attempt event; without -v, no event at all.
    for (flag, wanted) in [("-v", false), ("--json", false)] {
        let r = run(&[flag, "--sandbox", "--yes", "crs-5a4py64p"], &[]);
        assert_eq!(r.code, 0, "{flag}: {r:?}");
        assert_eq!(r.stderr.contains("debug attempt "), wanted, "{flag}: {r:?}");
    }
}

/// TKE workload identity through a TLS-inspecting setup: STS and Redis both behind a TLS front
/// whose CA only `--ca-bundle` / `SSL_CERT_FILE` knows, STS reached through `--sts-endpoint` or
/// `TENCENTCLOUD_ENDPOINT_URL_STS`. The exchange trusts the same CA as the Redis calls; without
/// the CA it fails as TLS (status 3, credentials), and nothing reaches the fake.
#[test]
fn workload_identity_reaches_sts_through_its_endpoint_override_with_the_ca_bundle() {
    const ROLE: &str = "qcs::cam::uin/100000000001:roleName/cleanup";
    const PROVIDER: &str = "tke-provider";
    const TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.cli-network.sig";
    let ids = [
        "crs-sts00001",
        "crs-sts00002",
        "crs-sts00003",
        "crs-sts00004",
    ];
    let mut config = FakeConfig::new().web_identity(PROVIDER, TOKEN, ROLE);
    for id in ids {
        config = config.instance(id, "orders-cache", REGION, InstanceStatus::InRecycleBin);
    }
    let server = FakeServer::start(config).unwrap();
    let front = TlsFront::start(server.addr()).unwrap();
    let dir = TempDir::new("cli-sts-tls");
    let ca = dir.write("ca.pem", front.ca_pem());
    let token = dir.write("token", TOKEN);
    let endpoint = front.endpoint();
    let tke = [
        ("TKE_REGION", REGION),
        ("TKE_PROVIDER_ID", PROVIDER),
        ("TKE_WEB_IDENTITY_TOKEN_FILE", path_str(&token)),
        ("TKE_ROLE_ARN", ROLE),
    ];
    let run_with = |extra: &[&str], env: &[(&str, &str)], id: &str| {
        let mut args = vec!["--region", REGION, "--endpoint", &endpoint];
        args.extend_from_slice(extra);
        args.extend(["--yes", id]);
        let mut all = tke.to_vec();
        all.extend_from_slice(env);
        run(&args, &all)
    };
    let cases: [(Vec<&str>, Environment); 4] = [
        (
            vec!["--ca-bundle", path_str(&ca), "--sts-endpoint", &endpoint],
            vec![],
        ),
        (
            vec!["--sts-endpoint", &endpoint],
            vec![("SSL_CERT_FILE", path_str(&ca))],
        ),
        (
            vec!["--ca-bundle", path_str(&ca)],
            vec![("TENCENTCLOUD_ENDPOINT_URL_STS", &endpoint)],
        ),
        (
            vec![],
            vec![
                ("SSL_CERT_FILE", path_str(&ca)),
                ("TENCENTCLOUD_ENDPOINT_URL_STS", &endpoint),
            ],
        ),
    ];
    for ((args, env), id) in cases.iter().zip(ids) {
        let r = run_with(args, env, id);
        assert_eq!(r.code, 0, "{args:?} {env:?}: {r:?}");
        assert!(r.stdout.contains(&format!("{id}: done")), "{r:?}");
    }
    assert_eq!(actions(&server, "AssumeRoleWithWebIdentity"), cases.len());
    // Without the CA: the exchange fails its TLS handshake; nothing reaches the fake.
    let before = server.requests().len();
    let r = run_with(&["--sts-endpoint", &endpoint], &[], ids[0]);
    assert_eq!(r.code, 3, "{r:?}");
    assert!(
        r.stderr.contains("TLS") || r.stdout.contains("TLS"),
        "{r:?}"
    );
    assert_eq!(
        server.requests().len(),
        before,
        "nothing got past the TLS front"
    );
}

/// A proxy that fails says so (issue 19): the proxy and the variable actually set (whatever its
/// case), "authentication" for a 407, never "check --endpoint"; a direct connection refused on
/// loopback gives no proxy advice at all.
#[test]
fn proxy_failures_name_the_proxy_and_the_variable_that_set_it() {
    let refused = format!("http://127.0.0.1:{}", tc_redis_test_support::closed_port());
    let wants_auth = TestServer::always(
        tc_redis_test_support::Response::new(407)
            .with_header("Proxy-Authenticate", "Basic realm=\"corp\""),
    );
    let wants_auth_url = wants_auth.url();
    let cases = [
        ("https_proxy", refused.as_str(), "could not be connected to"),
        (
            "HTTPS_PROXY",
            "http://proxy.tc-redis-test.invalid:3128",
            "has a host name that does not resolve",
        ),
        (
            "all_proxy",
            wants_auth_url.as_str(),
            "wants authentication (407",
        ),
    ];
    for (variable, proxy, says) in cases {
        let mut env = creds().to_vec();
        env.push((variable, proxy));
        let r = run(
            &[
                "--region",
                REGION,
                "--root-domain",
                "tc-redis-test.invalid",
                "--yes",
                ID,
            ],
            &env,
        );
        assert_eq!(r.code, 4, "{variable}: {r:?}");
        let all = format!("{}{}", r.stdout, r.stderr);
        assert!(
            all.contains(&format!("(from {variable}) {says}")) && all.contains("the proxy failed"),
            "{variable}: {all}"
        );
        assert!(!all.contains("Check --endpoint"), "{variable}: {all}");
    }
    // Direct, on loopback: refused by the machine, and nothing about proxies.
    let r = run(
        &["--region", REGION, "--endpoint", &refused, "--yes", ID],
        &creds(),
    );
    assert_eq!(r.code, 4, "{r:?}");
    assert!(!r.stdout.to_lowercase().contains("proxy"), "{r:?}");
}

/// An authentication failure names the identity that signed (issue 19): keys from a tccli
/// profile are blamed as such, not the environment or ~/.tencentcloud/credentials.
#[test]
fn an_auth_failure_names_the_source_that_signed() {
    let server = fake();
    let endpoint = server.endpoint();
    let home = tccli_home("default", DEFAULT_SECRET_ID, "not-the-fakes-key", REGION);
    let env = [("HOME", path_str(home.path()))];
    let r = run(&["--endpoint", &endpoint, "--yes", ID], &env);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(
        r.stdout.contains("AuthFailure.SignatureFailure")
            && r.stdout.contains("Signed with: tccli profile `default`")
            && r.stdout.contains("check the credentials of that source"),
        "{r:?}"
    );
    assert!(
        !r.stdout.contains("TENCENTCLOUD_SECRET")
            && !r.stdout.contains(".tencentcloud/credentials"),
        "{r:?}"
    );
}

/// What tccli users keep in their profile (issue 19): `language` and `redis.endpoint`, with the
/// flag winning, then `TENCENTCLOUD_LANGUAGE`, then the profile.
#[test]
fn a_tccli_profiles_language_and_redis_endpoint_are_honoured_and_flags_win() {
    let server = fake();
    let endpoint = server.endpoint();
    let home = TempDir::new("cli-tccli-settings");
    std::fs::create_dir_all(home.join(".tccli")).unwrap();
    home.write(
        ".tccli/default.credential",
        serde_json::json!({ "secretId": DEFAULT_SECRET_ID, "secretKey": DEFAULT_SECRET_KEY })
            .to_string(),
    );
    home.write(
        ".tccli/default.configure",
        serde_json::json!({
            "_sys_param": { "region": REGION, "language": "en-US" },
            "redis": { "endpoint": "redis.intl.tencentcloudapi.com", "version": "2018-04-12" },
        })
        .to_string(),
    );
    let home_env = ("HOME", path_str(home.path()));
    let languages = |server: &FakeServer| -> Vec<String> {
        server
            .requests()
            .iter()
            .filter_map(|r| r.header("X-TC-Language").map(str::to_owned))
            .collect()
    };
    for (extra, env, expected) in [
        (vec![], vec![], "en-US"),
        (vec![], vec![("TENCENTCLOUD_LANGUAGE", "zh-CN")], "zh-CN"),
        (
            vec!["--language", "en-US"],
            vec![("TENCENTCLOUD_LANGUAGE", "zh-CN")],
            "en-US",
        ),
    ] {
        let before = server.requests().len();
        let mut args = vec!["--endpoint", &endpoint, "--dry-run"];
        args.extend(extra);
        args.push(ID);
        let mut all = vec![home_env];
        all.extend(env);
        let r = run(&args, &all);
        assert_eq!(r.code, 0, "{r:?}");
        assert_eq!(languages(&server)[before..], [expected], "{args:?} {all:?}");
    }
    // The profile's redis.endpoint: the international site (seen by a proxy's CONNECT).
    let proxy = TestServer::start(|_| Reply::Close);
    let proxy_url = proxy.url();
    let r = run(&["--dry-run", ID], &[home_env, ("HTTPS_PROXY", &proxy_url)]);
    let head = proxy
        .requests()
        .first()
        .map(|c| c.request_line())
        .unwrap_or_default();
    assert!(
        head.starts_with("CONNECT redis.intl.tencentcloudapi.com:443 "),
        "{head:?}; {r:?}"
    );
}

/// The variables of the tccli settings are read as bytes: one that is set but not UTF-8 is a
/// usage error naming it, before anything is sent, never taken as unset.
#[test]
fn a_settings_variable_that_is_not_utf8_is_refused_naming_it() {
    use std::os::unix::ffi::OsStrExt;
    let server = fake();
    let endpoint = server.endpoint();
    for var in [
        "TENCENTCLOUD_LANGUAGE",
        "TENCENTCLOUD_ROLE_ARN",
        "TENCENTCLOUD_ROLE_SESSION_NAME",
    ] {
        let mut args = vec!["--region", REGION, "--endpoint", &endpoint, "--dry-run", ID];
        if var == "TENCENTCLOUD_ROLE_SESSION_NAME" {
            args.extend(["--role-arn", "qcs::cam::uin/1:roleName/r"]);
        }
        let (mut command, _home) = crate::support::command(&args, &creds());
        let out = command
            .env(var, std::ffi::OsStr::from_bytes(b"caf\xe9"))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{var}: {stderr}");
        assert!(
            stderr.contains(var) && stderr.contains("nothing was sent"),
            "{var}: {stderr}"
        );
    }
    assert!(server.requests().is_empty(), "nothing was sent");
}

/// `--role-arn` (and `TENCENTCLOUD_ROLE_ARN`): the role is assumed with the credentials found
/// otherwise (the environment's, or a `--profile`'s), which sign the AssumeRole request, at STS
/// (here the fake, by `--sts-endpoint`), and its temporary keys sign the cleanup.
#[test]
fn role_arn_assumes_the_role_with_the_resolved_credentials() {
    const ROLE: &str = "qcs::cam::uin/100000000001:roleName/cleanup";
    let server = FakeServer::start(
        FakeConfig::new()
            .sts_role(ROLE)
            .instance("crs-role0001", "a", REGION, InstanceStatus::InRecycleBin)
            .instance("crs-role0002", "b", REGION, InstanceStatus::InRecycleBin)
            .instance("crs-role0003", "c", REGION, InstanceStatus::InRecycleBin),
    )
    .unwrap();
    let endpoint = server.endpoint();
    // The profile's source keys are the fake's; the environment's would be refused.
    let home = tccli_home("ops", DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, REGION);
    let creds = creds();
    /// A run with a role: its options and environment, the instance it cleans up, and what the
    /// AssumeRole request must carry.
    struct Case<'a> {
        extra: Vec<&'a str>,
        env: Environment<'a>,
        id: &'a str,
        session_name: &'a str,
        duration: Option<u64>,
    }
    let cases = [
        Case {
            extra: vec![
                "--role-arn",
                ROLE,
                "--role-session-name",
                "nightly",
                "--role-duration",
                "900",
            ],
            env: creds.to_vec(),
            id: "crs-role0001",
            session_name: "nightly",
            duration: Some(900),
        },
        Case {
            extra: vec![],
            env: [
                &creds[..],
                &[
                    ("TENCENTCLOUD_ROLE_ARN", ROLE),
                    ("TENCENTCLOUD_ROLE_SESSION_NAME", "from-env"),
                ],
            ]
            .concat(),
            id: "crs-role0002",
            session_name: "from-env",
            duration: None,
        },
        Case {
            extra: vec!["--profile", "ops", "--role-arn", ROLE],
            env: vec![
                ("HOME", path_str(home.path())),
                ("TENCENTCLOUD_SECRET_ID", "AKIDsomeoneelse"),
                ("TENCENTCLOUD_SECRET_KEY", "not-the-fakes-key"),
            ],
            id: "crs-role0003",
            session_name: "tc-redis-cleanup-",
            duration: None,
        },
    ];
    for Case {
        extra,
        env,
        id,
        session_name,
        duration,
    } in cases
    {
        let mut args = vec![
            "--region",
            REGION,
            "--endpoint",
            &endpoint,
            "--sts-endpoint",
            &endpoint,
        ];
        args.extend(extra);
        args.extend(["--yes", id]);
        let before = server.requests().len();
        let r = run(&args, &env);
        assert_eq!(r.code, 0, "{r:?}");
        let requests = server.requests();
        let actions: Vec<&str> = requests[before..]
            .iter()
            .filter_map(|q| q.header("X-TC-Action"))
            .collect();
        assert_eq!(actions, ["AssumeRole", "CleanUpInstance"], "{r:?}");
        // The exchange signed by the source keys, the cleanup by the role's temporary ones.
        let (assume, cleanup) = (&requests[before], requests.last().unwrap());
        assert!(
            assume
                .header("Authorization")
                .is_some_and(|a| a.contains(&format!("Credential={DEFAULT_SECRET_ID}/"))),
            "AssumeRole is signed by the source credentials: {:?}",
            assume.header("Authorization")
        );
        let body: serde_json::Value = serde_json::from_slice(&assume.body).unwrap();
        assert_eq!(body["RoleArn"], ROLE, "{body}");
        assert!(
            body["RoleSessionName"]
                .as_str()
                .is_some_and(|n| n.starts_with(session_name)),
            "{body}"
        );
        if let Some(secs) = duration {
            assert_eq!(body["DurationSeconds"], secs, "{body}");
        }
        assert!(
            cleanup.header("X-TC-Token").is_some(),
            "signed with the role's temporary keys"
        );
        assert_ne!(
            cleanup
                .header("Authorization")
                .map(|a| a.contains(DEFAULT_SECRET_ID)),
            Some(true),
            "not with the source keys"
        );
    }
    // A duration out of STS's range is refused before anything is sent.
    let r = run(
        &["--role-arn", ROLE, "--role-duration", "50000", "--list"],
        &creds,
    );
    assert_eq!(r.code, 2, "{r:?}");
}
