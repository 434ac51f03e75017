//! The main job, `tc-redis-cleanup`, as a user runs it: output and exit status in each mode.

use std::process::{Command, Output};
use tc_redis_fake::{DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, FakeConfig, FakeServer};

const BIN: &str = env!("CARGO_BIN_EXE_tc-redis-cleanup");

/// Runs the program with a clean credential environment (no profile file, no env keys).
fn run(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let home = std::env::temp_dir().join(format!("tc-redis-cli-home-{}", std::process::id()));
    std::fs::create_dir_all(&home).unwrap();
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .env_remove("TENCENTCLOUD_SECRET_ID")
        .env_remove("TENCENTCLOUD_SECRET_KEY")
        .env_remove("TENCENTCLOUD_SESSION_TOKEN")
        .env_remove("TENCENTCLOUD_TOKEN")
        .env_remove("TENCENTCLOUD_REGION")
        .env_remove("TENCENTCLOUD_CREDENTIALS_FILE")
        .env("HOME", &home);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().unwrap();
    let stderr = String::from_utf8(stderr).unwrap();
    assert!(!stderr.contains("panicked"), "{stderr}");
    (
        status.code().unwrap(),
        String::from_utf8(stdout).unwrap(),
        stderr,
    )
}

fn creds() -> [(&'static str, &'static str); 2] {
    [
        ("TENCENTCLOUD_SECRET_ID", DEFAULT_SECRET_ID),
        ("TENCENTCLOUD_SECRET_KEY", DEFAULT_SECRET_KEY),
    ]
}

/// The arguments for region `ap-guangzhou` at `endpoint`, followed by `rest`.
fn against<'a>(endpoint: &'a str, rest: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["--region", "ap-guangzhou", "--endpoint", endpoint];
    args.extend_from_slice(rest);
    args
}

#[test]
fn sandbox_text_and_json() {
    let (code, out, err) = run(&["--sandbox", "crs-5a4py64p"], &[]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(lines[0].starts_with("RequestId: "), "{out}");
    assert!(
        lines[1]
            .strip_prefix("TaskId: ")
            .unwrap()
            .parse::<i64>()
            .is_ok(),
        "{out}"
    );
    assert!(
        err.contains("sandbox") && err.contains("nothing is sent to Tencent Cloud"),
        "{err}"
    );

    let (code, out, _) = run(&["--json", "--sandbox", "crs-5a4py64p"], &[]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert!(v["TaskId"].is_i64(), "{out}");
    assert!(
        tc_redis_fake::is_uuid_v4(v["RequestId"].as_str().unwrap()),
        "{out}"
    );
}

#[test]
fn real_endpoint_success_then_api_error() {
    let server =
        FakeServer::start(FakeConfig::new().instance_in_recycle_bin("crs-abc12345")).unwrap();
    let endpoint = server.endpoint();
    let args = against(&endpoint, &["crs-abc12345"]);
    let (code, out, err) = run(&args, &creds());
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("TaskId: "), "{out}");
    assert!(!err.contains("sandbox"), "{err}");

    // Second time: the API refuses; code, message and request id, exit status 1.
    let (code, out, err) = run(&args, &creds());
    assert_eq!(code, 1);
    assert!(out.is_empty(), "{out}");
    assert!(
        err.contains("ResourceUnavailable.InstanceStatusAbnormal"),
        "{err}"
    );
    let rid = server.requests().pop().unwrap().request_id.unwrap();
    assert!(err.contains(&rid), "{err}");

    let mut json_args = vec!["--json"];
    json_args.extend_from_slice(&args);
    let (code, out, _) = run(&json_args, &creds());
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(
        v["Error"]["Code"],
        "ResourceUnavailable.InstanceStatusAbnormal"
    );
    assert!(v["RequestId"].is_string(), "{out}");
}

#[test]
fn bad_input_gets_one_clear_line_and_status_2() {
    for (args, needle) in [
        (vec!["crs-5a4py64p"], "no region"),
        (
            vec!["--region", "ap-guangzhou", ""],
            "not a Redis instance id",
        ),
        (
            vec!["--region", "ap-guangzhou", "i-123"],
            "not a Redis instance id",
        ),
        (
            vec!["--region", "ap-guangzhou", "crs-UPPER"],
            "not a Redis instance id",
        ),
        (vec!["--region", "ap-guangzhou"], "missing <instance-id>"),
        (vec!["--bogus", "crs-5a4py64p"], "unknown option"),
        (
            vec!["--language", "fr", "--sandbox", "crs-5a4py64p"],
            "language",
        ),
        (vec!["--region", "ap guangzhou", "crs-5a4py64p"], "region"),
        (
            vec![
                "--region",
                "ap-guangzhou",
                "--endpoint",
                "ftp://x",
                "crs-5a4py64p",
            ],
            "endpoint",
        ),
    ] {
        let (code, out, err) = run(&args, &creds());
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(out.is_empty(), "{args:?}: {out}");
        assert!(
            err.starts_with("tc-redis-cleanup: ") && err.contains(needle),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn unreachable_endpoint_is_one_line_and_status_4() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let endpoint = format!("http://127.0.0.1:{port}");
    let (code, _, err) = run(&against(&endpoint, &["crs-5a4py64p"]), &creds());
    assert_eq!(code, 4, "{err}");
    assert!(err.contains("could not connect"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
}

#[test]
fn no_credentials_says_where_it_looked_and_never_falls_back_to_the_sandbox() {
    let (code, out, err) = run(&["--region", "ap-guangzhou", "crs-5a4py64p"], &[]);
    assert_eq!(code, 3, "{err}");
    assert!(out.is_empty());
    assert!(err.contains("TENCENTCLOUD_SECRET_ID"), "{err}");
    assert!(err.contains(".tencentcloud/credentials"), "{err}");
    assert!(err.contains("--sandbox"), "{err}");
    assert!(!err.contains("sandbox:"), "{err}");
}

#[test]
fn help_prints_usage() {
    let (code, out, _) = run(&["--help"], &[]);
    assert_eq!(code, 0);
    assert!(out.starts_with("usage: tc-redis-cleanup"));
}

#[test]
fn wait_shows_progress_as_plain_lines_and_ends_with_the_task() {
    let (code, out, err) = run(&["--sandbox", "--wait", "crs-5a4py64p"], &[]);
    assert_eq!(code, 0, "{err}");
    assert!(out.ends_with("TaskStatus: succeed\n"), "{out}");
    // Not a terminal: one plain line per status, no carriage returns or escapes.
    assert!(err.contains("task 10856: running"), "{err}");
    assert!(err.contains("task 10856: succeed"), "{err}");
    assert!(!err.contains('\r') && !err.contains('\x1b'), "{err:?}");

    let (code, out, _) = run(&["--sandbox", "--wait", "--json", "crs-5a4py64p"], &[]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["TaskStatus"], "succeed", "{out}");
}

#[test]
fn wait_reports_a_failed_task_and_a_timeout() {
    let slow = FakeServer::start(
        FakeConfig::new()
            .instance_in_recycle_bin("crs-slow0001")
            .task_duration(std::time::Duration::from_secs(120)),
    )
    .unwrap();
    let endpoint = slow.endpoint();
    let args = against(
        &endpoint,
        &["--wait", "--wait-timeout", "1", "crs-slow0001"],
    );
    let (code, _, err) = run(&args, &creds());
    assert_eq!(code, 6, "{err}");
    assert!(err.contains("had not ended"), "{err}");

    let failing = FakeServer::start(
        FakeConfig::new()
            .instance_in_recycle_bin("crs-fails001")
            .failing_task("crs-fails001"),
    )
    .unwrap();
    let endpoint = failing.endpoint();
    let args = against(&endpoint, &["--wait", "crs-fails001"]);
    let (code, _, err) = run(&args, &creds());
    assert_eq!(code, 5, "{err}");
    assert!(err.contains("failed"), "{err}");
}

/// A reply without its `TaskId` (client error correction reads it as `None`, never task 0):
/// the cleanup was accepted, so the text and JSON output say there is no task id and exit 0;
/// `--wait` has nothing to wait for and says so (status 4), without polling task 0.
#[test]
fn a_reply_without_a_task_id_is_shown_as_none_and_never_waited_for() {
    let server = FakeServer::start(FakeConfig::new()).unwrap();
    let endpoint = server.endpoint();
    let no_task = || {
        Some(tc_redis_fake::Fault::Body {
            status: 200,
            content_type: "application/json".into(),
            body: br#"{"Response":{"RequestId":"rid-no-task"}}"#.to_vec(),
        })
    };
    server.set_fault(no_task());
    let (code, out, err) = run(&against(&endpoint, &["crs-abc12345"]), &creds());
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "RequestId: rid-no-task\nTaskId: none (the reply has no TaskId)\n"
    );

    server.set_fault(no_task());
    let (code, out, _) = run(&against(&endpoint, &["--json", "crs-abc12345"]), &creds());
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(
        (v["TaskId"].is_null(), v["RequestId"].as_str()),
        (true, Some("rid-no-task"))
    );

    server.set_fault(no_task());
    let before = server.requests().len();
    let (code, _, err) = run(&against(&endpoint, &["--wait", "crs-abc12345"]), &creds());
    assert_eq!(code, 4, "{err}");
    assert!(
        err.contains("no TaskId") && err.contains("accepted"),
        "{err}"
    );
    let polls = server.requests()[before..]
        .iter()
        .filter(|r| r.header("x-tc-action") == Some("DescribeTaskInfo"))
        .count();
    assert_eq!(polls, 0, "no task was polled");
}
