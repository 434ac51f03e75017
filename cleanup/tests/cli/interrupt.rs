//! Ctrl-C in the middle of a batch (SIGINT to the process): the request in flight finishes and
//! is reported, no request follows the signal, the summary is printed, exit status 130.

use crate::support::{actions, command, creds, json_lines, wait_until};
use std::process::Stdio;
use std::time::Duration;
use tc_redis_fake::{FakeConfig, FakeServer, Fault};

#[test]
fn ctrl_c_mid_batch_finishes_the_request_in_flight_and_sends_no_more() {
    let ids = ["crs-aaaa0001", "crs-aaaa0002", "crs-aaaa0003"];
    let mut config = FakeConfig::new();
    for id in ids {
        config = config.instance_in_recycle_bin(id);
    }
    let server = FakeServer::start(config).unwrap();
    // Each answer takes about two seconds (one body byte per 20 ms): the first request is
    // still in flight when the signal comes.
    server.set_fault(Some(Fault::DripBody {
        interval: Duration::from_millis(20),
    }));
    let mut args = vec![
        "--region".to_owned(),
        "ap-guangzhou".to_owned(),
        "--endpoint".to_owned(),
        server.endpoint(),
        "--yes".to_owned(),
        "--json".to_owned(),
    ];
    args.extend(ids.map(String::from));
    let (mut command, _home) = command(&args, &creds());
    let child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_until("the first request", || server.stats().requests == 1);
    let pid = libc::pid_t::try_from(child.id()).unwrap();
    // SAFETY: a signal to the child this test started and has not yet waited for.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(130), "{stdout}{stderr}");
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
    assert!(!stderr.contains("panicked"), "{stderr}");
}
