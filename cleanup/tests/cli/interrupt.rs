//! Ctrl-C in the middle of a batch (SIGINT to the process): the request in flight finishes and
//! is reported, no request follows the signal, the summary is printed, exit status 130.

use crate::support::{actions, command, creds, json_lines, wait_until};
use std::process::Stdio;
use std::time::Duration;
use tc_redis_fake::{FakeConfig, FakeServer, Fault};

#[test]
fn ctrl_c_mid_batch_finishes_the_request_in_flight_and_sends_no_more() {
    let ids = ["crs-aaaa0001", "crs-aaaa0002", "crs-aaaa0003"];
    let server = server_with(&ids);
    // Each answer takes about two seconds (one body byte per 20 ms): the first request is
    // still in flight when the signal comes.
    server.set_fault(Some(Fault::DripBody {
        interval: Duration::from_millis(20),
    }));
    let (child, _home) = spawn(&server, &ids, &[]);
    wait_until("the first request", || server.stats().requests == 1);
    let stdout = interrupted_within(child, Duration::from_secs(10));
    assert_eq!(
        actions(&server, "CleanUpInstance"),
        1,
        "no request after the signal: {stdout}"
    );
    let objects = json_lines(&stdout);
    assert_eq!(objects.len(), ids.len() + 1, "{stdout}");
    assert_eq!(
        objects[0]["Outcome"], "Done",
        "the request in flight: {stdout}"
    );
    for skipped in &objects[1..ids.len()] {
        assert_eq!(skipped["Outcome"], "NotSent", "{skipped}");
        assert_eq!(skipped["MayHaveBeenExecuted"], false, "{skipped}");
        assert!(skipped["RequestId"].is_null(), "{skipped}");
    }
    let summary = &objects[ids.len()];
    assert_eq!(summary["Interrupted"], true, "{summary}");
    assert_eq!(summary["Done"], 1, "{summary}");
    assert_eq!(summary["NotSent"], 2, "{summary}");
    assert_eq!(summary["ExitStatus"], 130, "{summary}");
}

/// Starts the main job on `ids` against `server` with `extra` arguments (JSON output).
fn spawn(
    server: &FakeServer,
    ids: &[&str],
    extra: &[&str],
) -> (std::process::Child, tc_redis_test_support::TempDir) {
    let mut args = vec![
        "--region".to_owned(),
        "ap-guangzhou".to_owned(),
        "--endpoint".to_owned(),
        server.endpoint(),
        "--yes".to_owned(),
        "--json".to_owned(),
    ];
    args.extend(extra.iter().map(|a| a.to_string()));
    args.extend(ids.iter().map(|id| id.to_string()));
    let (mut command, home) = command(&args, &creds());
    let child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    (child, home)
}

fn sigint(child: &std::process::Child) {
    let pid = libc::pid_t::try_from(child.id()).unwrap();
    // SAFETY: a signal to the child this test started and has not yet waited for.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
}

/// Sends SIGINT to `child`, which must then exit 130 within `bound`; returns its stdout.
fn interrupted_within(child: std::process::Child, bound: Duration) -> String {
    sigint(&child);
    let started = std::time::Instant::now();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(started.elapsed() < bound, "{:?}", started.elapsed());
    assert_eq!(out.status.code(), Some(130), "{stdout}{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    stdout
}

fn server_with(ids: &[&str]) -> FakeServer {
    let mut config = FakeConfig::new().task_duration(Duration::from_secs(3600));
    for id in ids {
        config = config.instance_in_recycle_bin(*id);
    }
    FakeServer::start(config).unwrap()
}

#[test]
fn ctrl_c_during_the_retry_wait_after_a_rate_limit_sends_nothing_more() {
    let ids = ["crs-bbbb0001", "crs-bbbb0002"];
    let server = server_with(&ids);
    // Every attempt is refused for the rate: the client waits before each retry.
    server.set_fault(Some(Fault::ErrorFirst {
        code: "RequestLimitExceeded".into(),
        count: 100,
    }));
    let (child, _home) = spawn(&server, &ids, &[]);
    wait_until("the first attempt", || server.stats().requests == 1);
    let stdout = interrupted_within(child, Duration::from_secs(3));
    // Long after the retry would have gone out: the one refused attempt, nothing else.
    std::thread::sleep(Duration::from_millis(800));
    assert_eq!(actions(&server, "CleanUpInstance"), 1, "{stdout}");
    let objects = json_lines(&stdout);
    for object in &objects[..ids.len()] {
        assert_eq!(object["Outcome"], "NotSent", "{object}");
        assert_eq!(object["MayHaveBeenExecuted"], false, "{object}");
    }
    assert_eq!(objects[ids.len()]["Interrupted"], true, "{stdout}");
}

#[test]
fn a_second_ctrl_c_during_a_request_in_flight_exits_5_naming_the_instance() {
    let ids = ["crs-cccc0001", "crs-cccc0002"];
    let server = server_with(&ids);
    // The answer takes about two seconds: the request is in flight for both signals.
    server.set_fault(Some(Fault::DripBody {
        interval: Duration::from_millis(20),
    }));
    let (child, _home) = spawn(&server, &ids, &[]);
    wait_until("the first request", || server.stats().requests == 1);
    sigint(&child);
    std::thread::sleep(Duration::from_millis(150));
    sigint(&child);
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(5), "{stderr}");
    assert!(
        stderr.contains("crs-cccc0001 may have run") && stderr.contains("summary:"),
        "{stderr}"
    );
    assert_eq!(actions(&server, "CleanUpInstance"), 1);
}

#[test]
fn ctrl_c_while_waiting_for_tasks_stops_polling_at_once() {
    let ids = ["crs-dddd0001"];
    let server = server_with(&ids);
    let (child, _home) = spawn(&server, &ids, &["--wait"]);
    wait_until("the first poll", || {
        actions(&server, "DescribeTaskInfo") >= 1
    });
    interrupted_within(child, Duration::from_secs(2));
    let polls = actions(&server, "DescribeTaskInfo");
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(
        actions(&server, "DescribeTaskInfo"),
        polls,
        "no poll after the signal"
    );
}
