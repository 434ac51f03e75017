//! The main job, `tc-redis-cleanup`, as an operator runs it, against the fake endpoint: output,
//! JSON Lines and exit status in each mode, counting what the fake received.

use crate::support::{Run, actions, creds, json_lines, run, run_with_stdin};
use std::time::Duration;
use tc_redis::RetryPolicy;
use tc_redis_fake::{FakeConfig, FakeServer, Fault, InstanceStatus};
use tc_redis_test_support::{TempDir, closed_port};

const REGION: &str = "ap-guangzhou";

/// `--region ap-guangzhou --endpoint <fake>`, then `rest`.
pub(crate) fn against(server: &FakeServer, rest: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = ["--region", REGION, "--endpoint", &server.endpoint()]
        .map(String::from)
        .to_vec();
    args.extend(rest.iter().map(|s| (*s).to_owned()));
    args
}

/// A fake with named instances in Guangzhou: two in the recycle bin, one running, and one in
/// the recycle bin of Shanghai.
pub(crate) fn fake() -> FakeServer {
    fake_with(FakeConfig::new())
}

fn fake_with(config: FakeConfig) -> FakeServer {
    FakeServer::start(
        config
            .instance(
                "crs-bin00001",
                "orders-cache",
                REGION,
                InstanceStatus::InRecycleBin,
            )
            .instance(
                "crs-bin00002",
                "old-queue",
                REGION,
                InstanceStatus::InRecycleBin,
            )
            .instance(
                "crs-run00001",
                "web-sessions",
                REGION,
                InstanceStatus::Running,
            )
            .instance(
                "crs-shbin001",
                "shanghai-cache",
                "ap-shanghai",
                InstanceStatus::InRecycleBin,
            ),
    )
    .unwrap()
}

#[test]
fn a_batch_with_mixed_outcomes_reports_each_then_a_summary_and_exits_with_the_worst() {
    // The first instance meets the rate limit on every attempt the client makes.
    let attempts = RetryPolicy::default().attempts() as usize;
    let batch = [
        "crs-bin00002", // rate-limited
        "crs-bin00001", // in the recycle bin: done
        "crs-run00001", // running: refused
        "crs-nothere1", // unknown: refused
    ];
    let server = fake();
    server.set_fault(Some(Fault::ErrorFirst {
        code: "RequestLimitExceeded".into(),
        count: attempts,
    }));
    let mut args = against(&server, &["--yes"]);
    args.extend(batch.map(String::from));
    let r = run(&args, &creds());
    assert_eq!(r.code, 1, "refusals, nothing worse: {r:?}");
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert!(lines[0].starts_with("crs-bin00002: refused"), "{r:?}");
    assert!(
        r.stdout.contains("RequestLimitExceeded")
            && r.stdout
                .contains("ResourceUnavailable.InstanceStatusAbnormal")
            && r.stdout.contains("ResourceNotFound.InstanceNotExists"),
        "{r:?}"
    );
    assert!(r.stdout.contains("crs-bin00001: done, TaskId "), "{r:?}");
    assert_eq!(
        lines.last().copied(),
        Some(
            "summary: 4 instance(s): 1 done, 2 refused, 0 may have run, 0 not sent, 0 already cleaned up, 1 not found"
        ),
        "{r:?}"
    );
    let cleanups = actions(&server, "CleanUpInstance");
    assert_eq!(
        cleanups,
        attempts + 3,
        "{attempts} attempts for the rate-limited one, one each for the others; got {cleanups}"
    );

    // The same batch in JSON Lines (the rate-limited instance is still in the bin).
    server.set_fault(Some(Fault::ErrorFirst {
        code: "RequestLimitExceeded".into(),
        count: attempts,
    }));
    let mut args = against(&server, &["--yes", "--json"]);
    args.extend(batch.map(String::from));
    let r = run(&args, &creds());
    assert_eq!(r.code, 1, "{r:?}");
    let objects = json_lines(&r.stdout);
    assert_eq!(
        objects.len(),
        batch.len() + 1,
        "one object per instance and a summary: {r:?}"
    );
    for (object, id) in objects.iter().zip(batch) {
        assert_eq!(object["Type"], "Cleanup", "{object}");
        assert_eq!(object["InstanceId"], id, "{object}");
        assert_eq!(object["MayHaveBeenExecuted"], false, "{object}");
        assert!(object["RequestId"].is_string(), "{object}");
    }
    let codes: Vec<&str> = objects[..batch.len()]
        .iter()
        .map(|o| o["Error"]["Code"].as_str().unwrap_or("-"))
        .collect();
    assert_eq!(
        codes,
        [
            "RequestLimitExceeded",
            // Cleaned up by the text run: now refused as well.
            "ResourceUnavailable.InstanceStatusAbnormal",
            "ResourceUnavailable.InstanceStatusAbnormal",
            "ResourceNotFound.InstanceNotExists",
        ],
        "{r:?}"
    );
    // The rerun tells the instance the text run cleaned up, and the unknown id, from refusals.
    let outcomes: Vec<&str> = objects[..batch.len()]
        .iter()
        .map(|o| o["Outcome"].as_str().unwrap_or("-"))
        .collect();
    assert_eq!(
        outcomes,
        ["Refused", "AlreadyCleanedUp", "Refused", "NotFound"],
        "{r:?}"
    );
    let summary = &objects[batch.len()];
    assert_eq!(
        (
            &summary["Type"],
            &summary["Instances"],
            &summary["Refused"],
            &summary["AlreadyCleanedUp"],
            &summary["NotFound"],
            &summary["ExitStatus"]
        ),
        (
            &"Summary".into(),
            &4.into(),
            &2.into(),
            &1.into(),
            &1.into(),
            &1.into()
        ),
        "{summary}"
    );
}

#[test]
fn may_have_run_and_not_sent_are_told_apart_by_exit_status_and_json() {
    let server = fake();
    server.set_fault(Some(Fault::ResetBeforeResponse));
    let args = against(
        &server,
        &["--yes", "--json", "crs-bin00001", "crs-bin00002"],
    );
    let r = run(&args, &creds());
    assert_eq!(r.code, 5, "{r:?}");
    let objects = json_lines(&r.stdout);
    for object in &objects[..2] {
        assert_eq!(object["Outcome"], "MayHaveRun", "{object}");
        assert_eq!(object["MayHaveBeenExecuted"], true, "{object}");
        assert!(object["RequestId"].is_null(), "key present, null: {object}");
    }
    assert_eq!(
        actions(&server, "CleanUpInstance"),
        2,
        "a reset after sending is never retried"
    );
    let r = run(&against(&server, &["--yes", "crs-bin00001"]), &creds());
    assert_eq!(r.code, 5, "{r:?}");
    assert!(
        r.stdout.contains("crs-bin00001: may have run")
            && r.stdout
                .contains("check the instance (--dry-run) before trying again"),
        "{r:?}"
    );

    // Nothing listens: not sent, status 4.
    let port = closed_port();
    let endpoint = format!("http://127.0.0.1:{port}");
    let args = [
        "--region",
        REGION,
        "--endpoint",
        &endpoint,
        "--yes",
        "--json",
        "crs-bin00001",
    ];
    let r = run(&args, &creds());
    assert_eq!(r.code, 4, "{r:?}");
    let object = &json_lines(&r.stdout)[0];
    assert_eq!(object["Outcome"], "NotSent", "{object}");
    assert_eq!(object["MayHaveBeenExecuted"], false, "{object}");
    assert!(object["RequestId"].is_null(), "{object}");
}

#[test]
fn ids_from_stdin_with_comments_need_yes_and_are_all_cleaned() {
    let server = fake();
    let stdin = "# from --list\ncrs-bin00001  # orders-cache\n\ncrs-bin00002\n";
    let r = run_with_stdin(&against(&server, &["-"]), &creds(), stdin);
    assert_eq!(r.code, 2, "ids on stdin: the tool cannot ask: {r:?}");
    assert!(r.stderr.contains("--yes"), "{r:?}");
    assert_eq!(server.stats().requests, 0, "nothing sent");

    let r = run_with_stdin(&against(&server, &["--yes", "-"]), &creds(), stdin);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stdout
            .ends_with("summary: 2 instance(s): 2 done, 0 refused, 0 may have run, 0 not sent\n"),
        "{r:?}"
    );
    assert_eq!(
        server.instance("crs-bin00002"),
        Some(InstanceStatus::CleanedUp)
    );

    // A bad line is named, and nothing is sent.
    let before = server.stats().requests;
    let r = run_with_stdin(
        &against(&server, &["--yes", "-"]),
        &creds(),
        "crs-bin00001\nCRS-OOPS\n",
    );
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("line 2 of standard input"), "{r:?}");
    assert_eq!(server.stats().requests, before, "nothing sent");
}

#[test]
fn dry_run_shows_names_and_verdicts_and_sends_no_cleanup() {
    let server = fake();
    let ids = [
        "crs-bin00001",
        "crs-run00001",
        "crs-nothere1",
        "crs-shbin001",
    ];
    let mut args = against(&server, &["--dry-run"]);
    args.extend(ids.map(String::from));
    let r = run(&args, &creds());
    assert_eq!(r.code, 11, "some would be refused: status 11: {r:?}");
    let lines: Vec<&str> = r.stdout.lines().collect();
    let expect = [
        ("crs-bin00001", "would be cleaned up", "orders-cache"),
        ("crs-run00001", "would be refused", "web-sessions"),
        (
            "crs-nothere1",
            "would be refused",
            "not found in ap-guangzhou",
        ),
        // Another region's instance is not found here.
        (
            "crs-shbin001",
            "would be refused",
            "not found in ap-guangzhou",
        ),
    ];
    for (line, (id, verdict, detail)) in lines.iter().zip(expect) {
        assert!(
            line.starts_with(id) && line.contains(verdict) && line.contains(detail),
            "{line:?} should show {id}, {verdict}, {detail}"
        );
    }
    assert!(lines[4].contains("1 of 4 would be cleaned up"), "{r:?}");

    args.push("--json".into());
    let r = run(&args, &creds());
    assert_eq!(r.code, 11, "{r:?}");
    let objects = json_lines(&r.stdout);
    assert_eq!(objects[0]["InstanceName"], "orders-cache", "{r:?}");
    assert_eq!(objects[0]["Status"], -2, "{r:?}");
    assert_eq!(objects[0]["WouldBeAccepted"], true, "{r:?}");
    assert_eq!(objects[1]["WouldBeAccepted"], false, "{r:?}");
    assert_eq!(objects[2]["Found"], false, "{r:?}");

    assert_eq!(
        actions(&server, "CleanUpInstance"),
        0,
        "a dry run sends no CleanUpInstance"
    );
    let looks = actions(&server, "DescribeInstances");
    assert_eq!(
        looks, 2,
        "one DescribeInstances per dry run of four ids; got {looks}"
    );
    assert_eq!(
        server.instance("crs-bin00001"),
        Some(InstanceStatus::InRecycleBin)
    );
}

/// A dry run is a check a script can use: 0 only when every id would be accepted; 11 when some
/// would be refused or are unknown, whichever.
#[test]
fn dry_run_exits_0_only_when_every_id_would_be_accepted() {
    let server = fake();
    for (ids, code, summary) in [
        (
            &["crs-bin00001", "crs-bin00002"][..],
            0,
            "2 of 2 would be cleaned up, 0 would be refused (0 not found)",
        ),
        (
            &["crs-bin00001", "crs-run00001"],
            11,
            "1 of 2 would be cleaned up, 1 would be refused (0 not found)",
        ),
        (
            &["crs-nothere1"],
            11,
            "0 of 1 would be cleaned up, 1 would be refused (1 not found)",
        ),
    ] {
        let mut rest = vec!["--dry-run"];
        rest.extend_from_slice(ids);
        let r = run(&against(&server, &rest), &creds());
        assert_eq!(r.code, code, "{ids:?}: {r:?}");
        assert!(r.stdout.contains(summary), "{ids:?}: {r:?}");
        rest.push("--json");
        let r = run(&against(&server, &rest), &creds());
        assert_eq!(r.code, code, "{ids:?}: {r:?}");
        let objects = json_lines(&r.stdout);
        let last = objects.last().unwrap();
        assert_eq!(last["Type"], "DryRunSummary", "{last}");
        assert_eq!(last["ExitStatus"], code, "{last}");
    }
    assert_eq!(actions(&server, "CleanUpInstance"), 0);
}

#[test]
fn list_shows_the_recycle_bin_of_the_region_and_pipes_into_a_cleanup() {
    let server = fake();
    let r = run(&against(&server, &["--list"]), &creds());
    assert_eq!(r.code, 0, "{r:?}");
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "two instances and a count: {r:?}");
    assert!(
        lines[0].starts_with("crs-bin00001  # orders-cache"),
        "{r:?}"
    );
    assert!(lines[1].starts_with("crs-bin00002  # old-queue"), "{r:?}");
    assert_eq!(
        lines[2],
        "# 2 instance(s) in the recycle bin of ap-guangzhou"
    );

    let r = run(&against(&server, &["--list", "--json"]), &creds());
    let objects = json_lines(&r.stdout);
    let ids: Vec<&str> = objects
        .iter()
        .filter_map(|o| o["InstanceId"].as_str())
        .collect();
    assert_eq!(ids, ["crs-bin00001", "crs-bin00002"], "{r:?}");
    assert_eq!(objects[2]["Instances"], 2, "{r:?}");

    // The text list is valid input for `-`.
    let listed = run(&against(&server, &["--list"]), &creds()).stdout;
    let r = run_with_stdin(&against(&server, &["--yes", "-"]), &creds(), &listed);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("2 instance(s): 2 done"), "{r:?}");
    let r = run(&against(&server, &["--list"]), &creds());
    assert_eq!(
        r.stdout, "# 0 instance(s) in the recycle bin of ap-guangzhou\n",
        "the bin is empty now"
    );
}

#[test]
fn wait_follows_every_task_of_a_batch_with_progress() {
    let server = fake_with(FakeConfig::new().task_duration(Duration::from_millis(1200)));
    let args = against(
        &server,
        &["--yes", "--wait", "crs-bin00001", "crs-bin00002"],
    );
    let r = run(&args, &creds());
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stdout.contains("crs-bin00001: task 10856 succeed"),
        "{r:?}"
    );
    assert!(
        r.stdout.contains("crs-bin00002: task 10857 succeed"),
        "{r:?}"
    );
    assert!(
        r.stdout
            .contains("tasks: 2 succeeded, 0 failed, 0 still running, 0 polling failed"),
        "{r:?}"
    );
    // Not a terminal: one plain line per change of status, no escapes.
    assert!(
        r.stderr.contains("task 10856 (crs-bin00001): running"),
        "{r:?}"
    );
    assert!(
        r.stderr.contains("task 10857 (crs-bin00002): succeed"),
        "{r:?}"
    );
    assert!(
        !r.stderr.contains('\r') && !r.stderr.contains('\x1b'),
        "{r:?}"
    );

    let server = fake_with(FakeConfig::new().task_duration(Duration::from_millis(1200)));
    let mut args = against(&server, &["--yes", "--wait", "--json", "crs-bin00001"]);
    args.push("crs-bin00002".into());
    let r = run(&args, &creds());
    assert_eq!(r.code, 0, "{r:?}");
    let objects = json_lines(&r.stdout);
    let progress = objects.iter().filter(|o| o["Type"] == "Progress").count();
    assert!(
        progress >= 4,
        "each task polled at least twice while it ran 1.2 s: {progress} progress objects"
    );
    let tasks: Vec<&serde_json::Value> = objects.iter().filter(|o| o["Type"] == "Task").collect();
    assert_eq!(tasks.len(), 2, "{r:?}");
    assert!(tasks.iter().all(|t| t["Outcome"] == "Succeeded"), "{r:?}");
    assert_eq!(objects.last().unwrap()["Tasks"]["Succeeded"], 2, "{r:?}");
}

#[test]
fn wait_reports_a_failed_task_a_timeout_and_a_polling_failure_each_with_its_status() {
    let server = fake_with(FakeConfig::new().failing_task("crs-bin00001"));
    let r = run(
        &against(&server, &["--yes", "--wait", "crs-bin00001"]),
        &creds(),
    );
    assert_eq!(r.code, 6, "{r:?}");
    assert!(r.stdout.contains("task 10856 ended failed"), "{r:?}");

    let server = fake_with(FakeConfig::new().task_duration(Duration::from_secs(120)));
    let args = against(
        &server,
        &["--yes", "--wait", "--wait-timeout", "1", "crs-bin00001"],
    );
    let r = run(&args, &creds());
    assert_eq!(r.code, 7, "{r:?}");
    assert!(r.stdout.contains("--wait-task 10856"), "{r:?}");

    // A CAM policy without DescribeTaskInfo: the cleanup ran, polling is refused.
    let server = fake_with(FakeConfig::new().deny_action("DescribeTaskInfo"));
    let args = against(&server, &["--yes", "--wait", "--json", "crs-bin00001"]);
    let r = run(&args, &creds());
    assert_eq!(r.code, 8, "{r:?}");
    let objects = json_lines(&r.stdout);
    assert_eq!(objects[0]["Outcome"], "Done", "the cleanup itself: {r:?}");
    let task = &objects[1];
    assert_eq!(task["Outcome"], "PollFailed", "{task}");
    assert_eq!(task["MayHaveBeenExecuted"], true, "{task}");
    assert_eq!(
        task["Error"]["Code"], "AuthFailure.UnauthorizedOperation",
        "{task}"
    );
    assert!(task["RequestId"].is_string(), "{task}");
    assert_eq!(
        server.instance("crs-bin00001"),
        Some(InstanceStatus::CleanedUp)
    );
}

#[test]
fn wait_task_waits_on_an_existing_task_without_a_new_cleanup() {
    let server = fake_with(FakeConfig::new().task_duration(Duration::from_millis(800)));
    let r = run(
        &against(&server, &["--yes", "--json", "crs-bin00001"]),
        &creds(),
    );
    assert_eq!(r.code, 0, "{r:?}");
    let task = json_lines(&r.stdout)[0]["TaskId"].as_i64().unwrap();
    let r = run(
        &against(&server, &["--wait-task", &task.to_string()]),
        &creds(),
    );
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stdout
            .contains(&format!("crs-bin00001: task {task} succeed")),
        "the instance comes from the task's reply: {r:?}"
    );
    // In JSON, this run sent no cleanup: no object says one of its cleanups may have run.
    let r = run(
        &against(&server, &["--wait-task", &task.to_string(), "--json"]),
        &creds(),
    );
    assert_eq!(r.code, 0, "{r:?}");
    let objects = json_lines(&r.stdout);
    let kinds: Vec<&str> = objects.iter().filter_map(|o| o["Type"].as_str()).collect();
    assert!(
        kinds.contains(&"Progress") && kinds.contains(&"Task") && kinds.contains(&"Summary"),
        "{kinds:?}"
    );
    for object in objects.iter().filter(|o| o["Type"] != "Summary") {
        assert_eq!(object["MayHaveBeenExecuted"], false, "{object}");
        assert_eq!(object["TaskId"], task, "{object}");
        assert_eq!(object["InstanceId"], "crs-bin00001", "{object}");
    }
    assert_eq!(
        actions(&server, "CleanUpInstance"),
        1,
        "--wait-task sends no CleanUpInstance"
    );
    // A task the API does not know: its own status (12), and never "the cleanup was accepted".
    let r = run(&against(&server, &["--wait-task", "999999"]), &creds());
    assert_eq!(r.code, 12, "{r:?}");
    assert!(
        r.stdout.contains("task 999999: unknown to the API")
            && r.stdout.contains("The API does not know task 999999")
            && !r.stdout.contains("accepted"),
        "{r:?}"
    );
}

#[test]
fn conflicting_and_no_op_options_are_refused_with_status_2_before_anything_is_sent() {
    let server = fake();
    let endpoint = server.endpoint();
    let cases: &[&[&str]] = &[
        &["--sandbox", "--endpoint", &endpoint, "crs-bin00001"],
        &["--wait-timeout", "5", "--yes", "crs-bin00001"],
        &["--list", "crs-bin00001"],
        &["--list", "--yes"],
        &["--dry-run", "--wait", "crs-bin00001"],
        &["--dry-run", "--yes", "crs-bin00001"],
        &["--wait-task", "1", "crs-bin00001"],
        &["--wait-task", "1", "--wait"],
        &["--wait-task", "-1"],
        &["--timeout", "0", "--yes", "crs-bin00001"],
        &["--timeout", "99999999", "--yes", "crs-bin00001"],
        &["--language", "fr", "--yes", "crs-bin00001"],
        &["--yes"],
        &["--bogus", "crs-bin00001"],
        &["--yes", "crs-UPPER"],
        &["--yes", "-", "-"],
    ];
    for case in cases {
        let mut args = vec!["--region", REGION];
        if !case.contains(&"--sandbox") {
            args.extend(["--endpoint", &endpoint]);
        }
        args.extend_from_slice(case);
        let r = run(&args, &creds());
        assert_eq!(r.code, 2, "{case:?}: {r:?}");
        assert!(r.stdout.is_empty(), "{case:?}: {r:?}");
    }
    assert_eq!(server.stats().requests, 0, "nothing was sent");
    // With --json, the refusal is a JSON object too.
    let r = run(&["--json", "--list", "--yes"], &creds());
    assert_eq!(r.code, 2, "{r:?}");
    let object = &json_lines(&r.stdout)[0];
    assert_eq!(object["Type"], "Error", "{object}");
    assert_eq!(object["MayHaveBeenExecuted"], false, "{object}");
}

#[test]
fn operator_messages_name_the_fix_in_short_lines() {
    let cases: &[(&[&str], i32, &str)] = &[
        (
            &["--yes", "crs-bin00001"],
            2,
            "--region (e.g. ap-guangzhou) or set TENCENTCLOUD_REGION",
        ),
        (
            &["--region", "ap guangzhou", "--yes", "crs-bin00001"],
            2,
            "--region or TENCENTCLOUD_REGION",
        ),
        (
            &[
                "--region",
                REGION,
                "--endpoint",
                "http://example.com",
                "--yes",
                "crs-bin00001",
            ],
            2,
            "loopback",
        ),
        (
            &["--region", REGION, "--yes", "crs-bin00001"],
            3,
            "TENCENTCLOUD_SECRET_ID",
        ),
    ];
    for (args, code, needle) in cases {
        let env = if *code == 3 { vec![] } else { creds().to_vec() };
        let r = run(args, &env);
        assert_eq!(r.code, *code, "{args:?}: {r:?}");
        assert!(
            r.stderr.contains(needle),
            "{args:?} should say {needle:?}: {r:?}"
        );
        // Short lines (the old no-credentials message was one line of 600 characters); a
        // line that names a file path may run a little longer.
        for line in r.stderr.lines() {
            assert!(
                line.chars().count() <= 120,
                "{args:?}: a {}-character line: {line:?}",
                line.chars().count()
            );
        }
        for library_name in ["ClientBuilder", "StaticProvider", "allow_plain_http"] {
            assert!(!r.stderr.contains(library_name), "{args:?}: {r:?}");
        }
    }
    let r = run(&["--region", REGION, "--yes", "crs-bin00001"], &[]);
    assert!(r.stderr.contains("--sandbox"), "{r:?}");
    assert!(r.stderr.contains(".tencentcloud/credentials"), "{r:?}");

    // A timeout names --timeout and its value.
    let server = fake();
    server.set_fault(Some(Fault::NeverAnswer));
    let args = against(&server, &["--timeout", "1", "--yes", "crs-bin00001"]);
    let r = run(&args, &creds());
    assert_eq!(r.code, 5, "a request that timed out may have run: {r:?}");
    assert!(r.stdout.contains("Raise --timeout (now 1 s)"), "{r:?}");
}

#[test]
fn server_strings_reach_the_terminal_escaped() {
    let evil = "x\u{1b}[2J\rTaskId: 999\nforged";
    let assert_clean = |r: &Run| {
        for (name, text) in [("stdout", &r.stdout), ("stderr", &r.stderr)] {
            assert!(
                !text.contains('\u{1b}') && !text.contains('\r'),
                "raw ESC or CR on {name}: {r:?}"
            );
            assert!(
                !text
                    .lines()
                    .any(|l| l.starts_with("TaskId: 999") || l.starts_with("forged")),
                "a forged line on {name}: {r:?}"
            );
        }
    };
    // An error whose code, message and request id carry control characters.
    let server = fake();
    let body = serde_json::json!({"Response": {
        "Error": {"Code": format!("InvalidParameter{evil}"), "Message": evil},
        "RequestId": evil,
    }});
    server.set_fault(Some(Fault::Body {
        status: 200,
        content_type: "application/json".into(),
        body: body.to_string().into_bytes(),
    }));
    let r = run(&against(&server, &["--yes", "crs-bin00001"]), &creds());
    assert_eq!(r.code, 1, "{r:?}");
    assert!(
        r.stdout.contains("\\u{1b}[2J\\rTaskId: 999\\nforged"),
        "{r:?}"
    );
    assert_clean(&r);

    // A task status and instance id with control characters (the wait times out on it).
    let body = serde_json::json!({"Response": {
        "Status": evil, "StartTime": "2026-01-01 00:00:00", "TaskType": evil,
        "InstanceId": evil, "TaskMessage": evil, "RequestId": evil,
    }});
    server.set_fault(Some(Fault::Body {
        status: 200,
        content_type: "application/json".into(),
        body: body.to_string().into_bytes(),
    }));
    let args = against(&server, &["--wait-task", "5", "--wait-timeout", "1"]);
    let r = run(&args, &creds());
    assert_eq!(r.code, 7, "an unknown status is still running: {r:?}");
    assert_clean(&r);

    // Instance names are the owner's text: escaped too.
    let server = FakeServer::start(FakeConfig::new().instance(
        "crs-evil0001",
        evil,
        REGION,
        InstanceStatus::InRecycleBin,
    ))
    .unwrap();
    for mode in ["--list", "--dry-run"] {
        let mut args = against(&server, &[mode]);
        if mode == "--dry-run" {
            args.push("crs-evil0001".into());
        }
        let r = run(&args, &creds());
        assert_eq!(r.code, 0, "{r:?}");
        assert_clean(&r);
    }
}

#[test]
fn a_full_stdout_is_an_exit_status_not_a_panic() {
    for args in [
        &["--sandbox", "--yes", "crs-5a4py64p", "crs-8bv2kx1m"][..],
        &["--sandbox", "--list"],
        &["--sandbox", "--json", "--dry-run", "crs-5a4py64p"],
        &["--help"],
    ] {
        let r = crate::support::run_to_dev_full(args);
        assert_eq!(r.code, 9, "{args:?}: {r:?}");
    }
    // The batch stops at the first failed write: the second instance is not sent.
    let r =
        crate::support::run_to_dev_full(&["--sandbox", "--yes", "crs-5a4py64p", "crs-8bv2kx1m"]);
    assert!(
        r.stderr
            .contains("cannot write the results to standard output")
            && r.stderr.contains("1 done")
            && r.stderr.contains("1 not sent"),
        "{r:?}"
    );
}

#[test]
fn help_and_version() {
    let r = run(&["--help"], &[]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("Usage: tc-redis-cleanup"), "{r:?}");
    for code in [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 130] {
        assert!(
            r.stdout
                .lines()
                .any(|l| l.trim_start().starts_with(&format!("{code}  "))),
            "exit status {code} missing from --help: {r:?}"
        );
    }
    let r = run(&["--version"], &[]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(
        r.stdout.trim(),
        format!("tc-redis-cleanup {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn sandbox_in_a_tke_pod_signs_with_the_workload_identity_exchanged_at_its_sts() {
    let dir = TempDir::new("cli-tke");
    let token_file = dir.write("token", "eyJhbGciOiJSUzI1NiJ9.pod-token.sig");
    let token_path = token_file.display().to_string();
    let role = "qcs::cam::uin/100000000001:roleName/cleanup";
    let tke = [
        ("TKE_REGION", "ap-guangzhou"),
        ("TKE_PROVIDER_ID", "tke-provider"),
        ("TKE_WEB_IDENTITY_TOKEN_FILE", token_path.as_str()),
        ("TKE_ROLE_ARN", role),
    ];
    // -vv shows the exchange at the sandbox's STS before the cleanup.
    let r = run(
        &["--json", "-vv", "--sandbox", "--yes", "crs-5a4py64p"],
        &tke,
    );
    assert_eq!(r.code, 0, "{r:?}");
    let exchange = r
        .stderr
        .find("attempt action=AssumeRoleWithWebIdentity service=sts ")
        .unwrap_or_else(|| panic!("no STS exchange on stderr: {r:?}"));
    let cleanup = r
        .stderr
        .find("attempt action=CleanUpInstance ")
        .unwrap_or_else(|| panic!("no cleanup on stderr: {r:?}"));
    assert!(exchange < cleanup, "the exchange comes first: {r:?}");
    assert!(
        r.stderr.contains(&format!(
            "credentials from TKE workload identity (role {role})"
        )),
        "{r:?}"
    );
    let objects = json_lines(&r.stdout);
    assert_eq!(objects[0]["InstanceId"], "crs-5a4py64p", "{r:?}");
    assert!(objects[0]["TaskId"].as_u64().is_some(), "{r:?}");

    // A token file that is not there: the provider's error, exit status 3 (credentials), and
    // no cleanup.
    let missing = dir.join("missing").display().to_string();
    let mut broken = tke;
    broken[2] = ("TKE_WEB_IDENTITY_TOKEN_FILE", missing.as_str());
    let r = run(&["--sandbox", "--yes", "crs-5a4py64p"], &broken);
    assert_eq!(r.code, 3, "{r:?}");
    assert!(r.stderr.contains("web identity token file"), "{r:?}");
    assert!(!r.stdout.contains("done"), "{r:?}");
}

/// A reply without its `TaskId` (client error correction reads it as `None`, never task 0):
/// the cleanup was accepted, so the text and JSON output say there is no task id and exit 0;
/// `--wait` has nothing to follow and says so (status 8: accepted, its task cannot be polled),
/// without polling task 0.
#[test]
fn a_reply_without_a_task_id_is_shown_as_none_and_never_waited_for() {
    let server = fake();
    let no_task = || {
        Some(Fault::Body {
            status: 200,
            content_type: "application/json".into(),
            body: br#"{"Response":{"RequestId":"rid-no-task"}}"#.to_vec(),
        })
    };
    server.set_fault(no_task());
    let r = run(&against(&server, &["--yes", "crs-bin00001"]), &creds());
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stdout.contains(
            "crs-bin00001: done, TaskId none (the reply has no TaskId) (RequestId rid-no-task)"
        ),
        "{r:?}"
    );

    server.set_fault(no_task());
    let r = run(
        &against(&server, &["--yes", "--json", "crs-bin00001"]),
        &creds(),
    );
    assert_eq!(r.code, 0, "{r:?}");
    let lines = json_lines(&r.stdout);
    assert_eq!(
        (lines[0]["TaskId"].is_null(), lines[0]["RequestId"].as_str()),
        (true, Some("rid-no-task")),
        "{r:?}"
    );

    server.set_fault(no_task());
    let before = actions(&server, "DescribeTaskInfo");
    let r = run(
        &against(&server, &["--yes", "--wait", "crs-bin00001"]),
        &creds(),
    );
    assert_eq!(r.code, 8, "{r:?}");
    assert!(
        r.stdout.contains("no TaskId") && r.stdout.contains("accepted"),
        "{r:?}"
    );
    assert_eq!(
        actions(&server, "DescribeTaskInfo"),
        before,
        "no task was polled"
    );
}
