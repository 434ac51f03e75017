//! Every input from outside is bounded (issue 18): standard input that never ends a line
//! (`/dev/zero`), a `--list` endpoint whose pages never end, a token path that is a FIFO. Each
//! ends quickly with an error that says what was wrong, and nothing is sent.

use crate::support::{command, creds, run};
use std::process::Stdio;
use std::time::{Duration, Instant};
use tc_redis_test_support::{Response, TempDir, TestServer};

#[test]
fn standard_input_from_dev_zero_is_refused_at_the_line_limit() {
    let (mut command, _home) = command(
        &[
            "--region",
            "ap-guangzhou",
            "--endpoint",
            "http://127.0.0.1:9",
            "--yes",
            "-",
        ],
        &creds(),
    );
    let started = Instant::now();
    let out = command
        .stdin(std::fs::File::open("/dev/zero").unwrap())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("longer than 4096 bytes") && stderr.contains("Nothing was sent"),
        "{stderr}"
    );
}

#[test]
fn a_list_whose_pages_never_end_stops_with_an_error() {
    // Every page is full, of the same 100 instances, and the total is a billion.
    let instances: Vec<serde_json::Value> = (0..100)
        .map(|i| serde_json::json!({"InstanceId": format!("crs-loop{i:04}"), "Status": -2}))
        .collect();
    let body = serde_json::json!({"Response": {
        "TotalCount": 1_000_000_000u64, "InstanceSet": instances, "RequestId": "endless"
    }});
    let server = TestServer::always(Response::json(body.to_string()));
    let endpoint = server.url();
    let started = Instant::now();
    let r = run(
        &[
            "--region",
            "ap-guangzhou",
            "--endpoint",
            &endpoint,
            "--list",
        ],
        &creds(),
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert_ne!(r.code, 0, "{r:?}");
    assert!(r.stderr.contains("pages do not end"), "{r:?}");
    assert_eq!(
        server.requests().len(),
        2,
        "the second page showed it: {r:?}"
    );
}

#[test]
fn a_token_file_that_is_a_fifo_does_not_block() {
    let dir = TempDir::new("cli-fifo-token");
    let fifo = dir.fifo("token");
    let fifo = fifo.to_str().unwrap();
    let started = Instant::now();
    let r = run(
        &[
            "--region",
            "ap-guangzhou",
            "--endpoint",
            "http://127.0.0.1:9",
            "--list",
        ],
        &[
            ("TKE_REGION", "ap-guangzhou"),
            ("TKE_PROVIDER_ID", "tke-provider"),
            ("TKE_WEB_IDENTITY_TOKEN_FILE", fifo),
            (
                "TKE_ROLE_ARN",
                "qcs::cam::uin/100000000001:roleName/cleanup",
            ),
        ],
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(r.code, 3, "{r:?}");
    assert!(r.stderr.contains("FIFO"), "{r:?}");
    // The sandbox reads the same variable the same way.
    let r = run(
        &["--sandbox", "--list"],
        &[
            ("TKE_REGION", "ap-guangzhou"),
            ("TKE_PROVIDER_ID", "p"),
            ("TKE_WEB_IDENTITY_TOKEN_FILE", fifo),
            ("TKE_ROLE_ARN", "qcs::cam::uin/1:roleName/r"),
        ],
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(r.code, 3, "{r:?}");
    assert!(r.stderr.contains("FIFO"), "{r:?}");
}

/// A proxy variable that is not UTF-8 (a Latin-1 password) is refused naming it: never taken as
/// unset, which would connect directly (here to a host that does not resolve: status 4, where
/// the refusal before any attempt is status 2).
#[test]
fn a_proxy_variable_that_is_not_utf8_is_refused_and_nothing_is_sent() {
    use std::os::unix::ffi::OsStrExt;
    let (mut command, _home) = command(
        &[
            "--region",
            "ap-guangzhou",
            "--root-domain",
            "tc-redis-test.invalid",
            "--yes",
            "crs-bin00001",
        ],
        &creds(),
    );
    let out = command
        .env(
            "https_proxy",
            std::ffi::OsStr::from_bytes(b"http://alice:pass\xe9@proxy:3128"),
        )
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("https_proxy") && stderr.contains("UTF-8"),
        "{stderr}"
    );
    assert!(!stderr.contains("pass"), "{stderr}");
}
