//! The operator's answers at the edges (issue 19): read-only work never says "may have run"
//! (status 10, its own), and after a cleanup that may have run the tool looks and says what it
//! saw, without changing the outcome it cannot prove.

use crate::modes::{against, fake};
use crate::support::{actions, creds, json_lines, run};
use tc_redis_fake::{Fault, InstanceStatus};

#[test]
fn read_only_commands_against_a_failing_gateway_exit_10_and_never_say_may_have_run() {
    let server = fake();
    let gateway_error = || Some(Fault::HttpStatus(502, "<html>Bad Gateway</html>".into()));
    for rest in [
        &["--list"][..],
        &["--dry-run", "crs-bin00001"],
        &["--wait-task", "10856"],
        &["--list", "--json"],
        &["--dry-run", "--json", "crs-bin00001"],
        &["--json", "--wait-task", "10856"],
    ] {
        server.set_fault(gateway_error());
        let r = run(&against(&server, rest), &creds());
        assert_eq!(r.code, 10, "{rest:?}: {r:?}");
        let all = format!("{}{}", r.stdout, r.stderr);
        assert!(
            !all.contains("may have run") && !all.contains("It may have run"),
            "{rest:?}: {all}"
        );
        // A failed poll of --wait-task --json is its Task object (below), not a note.
        let task_object = rest.contains(&"--wait-task") && rest.contains(&"--json");
        assert!(
            task_object || all.contains("Nothing destructive was sent"),
            "{rest:?}: {all}"
        );
        if rest.contains(&"--json") {
            let objects = json_lines(&r.stdout);
            assert!(!objects.is_empty(), "{rest:?}: {r:?}");
            // Every object but the summaries (which count outcomes) says it: false.
            for object in &objects {
                let summary = object["Type"]
                    .as_str()
                    .is_some_and(|t| t.ends_with("Summary"));
                if !summary {
                    assert_eq!(object["MayHaveBeenExecuted"], false, "{rest:?}: {object}");
                }
            }
            let last = objects.last().unwrap();
            assert_eq!(last["ExitStatus"], 10, "{rest:?}: {last}");
        }
    }
    assert_eq!(actions(&server, "CleanUpInstance"), 0);
}

#[test]
fn after_a_cleanup_that_may_have_run_the_tool_looks_and_says_what_it_saw() {
    let server = fake();
    // Executed, then the connection is reset before the answer: may have run.
    server.set_fault(Some(Fault::Once(Box::new(Fault::ResetBeforeResponse))));
    let r = run(&against(&server, &["--yes", "crs-bin00001"]), &creds());
    assert_eq!(r.code, 5, "the outcome stays may have run: {r:?}");
    assert!(
        r.stdout.contains("crs-bin00001: may have run")
            && r.stdout
                .contains("Looked again: cleaned up (to be deleted)."),
        "{r:?}"
    );
    // In JSON, the look is `Seen`, beside the unchanged outcome.
    server.set_fault(Some(Fault::Once(Box::new(Fault::ResetBeforeResponse))));
    assert_json_look(&server, "crs-bin00002", "CleanedUp");
    // The rerun: both were cleaned up meanwhile; reported as such, exit 0.
    let r = run(
        &against(&server, &["--yes", "crs-bin00001", "crs-bin00002"]),
        &creds(),
    );
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stdout.contains("crs-bin00001: already cleaned up")
            && r.stdout.contains("2 already cleaned up, 0 not found"),
        "{r:?}"
    );
}

/// `--yes --json ID` under the fault set on `server`: status 5, and the Cleanup object keeps the
/// outcome "may have run" beside what the look saw.
fn assert_json_look(server: &tc_redis_fake::FakeServer, id: &str, seen: &str) {
    let r = run(&against(server, &["--yes", "--json", id]), &creds());
    assert_eq!(r.code, 5, "{r:?}");
    let cleanup = &json_lines(&r.stdout)[0];
    assert_eq!(cleanup["Outcome"], "MayHaveRun", "{cleanup}");
    assert_eq!(cleanup["MayHaveBeenExecuted"], true, "{cleanup}");
    assert_eq!(cleanup["Seen"], seen, "{cleanup}");
}

/// The look's other answers: a gateway's 502 to CleanUpInstance (the fake did not run it) leaves
/// the instance in the recycle bin, and the look says so; when the look itself fails (every
/// answer lost), it says it could not check. The outcome stays "may have run" either way.
#[test]
fn the_look_says_still_in_the_recycle_bin_or_could_not_check() {
    let server = fake();
    let gateway_error_once = || {
        let page = "<html>Bad Gateway</html>".into();
        server.set_fault(Some(Fault::Once(Box::new(Fault::HttpStatus(502, page)))));
    };
    gateway_error_once();
    assert_json_look(&server, "crs-bin00001", "InRecycleBin");
    gateway_error_once();
    let r = run(&against(&server, &["--yes", "crs-bin00001"]), &creds());
    assert_eq!(r.code, 5, "{r:?}");
    assert!(
        r.stdout.contains("crs-bin00001: may have run")
            && r.stdout
                .contains("Looked again: still in the recycle bin (status -2: isolated).")
            && r.stdout.contains("1 may have run"),
        "{r:?}"
    );
    assert_eq!(
        server.instance("crs-bin00001"),
        Some(InstanceStatus::InRecycleBin)
    );

    // Every answer lost: the cleanup ran, the look's DescribeInstances (retried) never answers.
    server.set_fault(Some(Fault::ResetBeforeResponse));
    assert_json_look(&server, "crs-bin00002", "CouldNotCheck");
    let r = run(&against(&server, &["--yes", "crs-bin00001"]), &creds());
    assert_eq!(r.code, 5, "{r:?}");
    assert!(
        r.stdout
            .contains("Looked again: could not check (the look-up failed)."),
        "{r:?}"
    );
    server.set_fault(None);
    assert!(
        actions(&server, "DescribeInstances") > 2,
        "the look was retried"
    );
}

/// A rerun after a batch that was cut short: what an earlier run cleaned up and an id the
/// region does not know are each reported and counted apart from the API's refusals.
#[test]
fn a_rerun_counts_already_cleaned_up_and_not_found_apart_from_refusals() {
    let server = fake();
    let r = run(&against(&server, &["--yes", "crs-bin00001"]), &creds());
    assert_eq!(r.code, 0, "{r:?}");
    let rerun = [
        "--yes",
        "--json",
        "crs-bin00001",
        "crs-nothere1",
        "crs-run00001",
    ];
    let r = run(&against(&server, &rerun), &creds());
    assert_eq!(r.code, 1, "an unknown id and a running one: {r:?}");
    let objects = json_lines(&r.stdout);
    let outcomes: Vec<&str> = objects[..3]
        .iter()
        .map(|o| o["Outcome"].as_str().unwrap())
        .collect();
    assert_eq!(
        outcomes,
        ["AlreadyCleanedUp", "NotFound", "Refused"],
        "{r:?}"
    );
    for object in &objects[..3] {
        assert_eq!(object["MayHaveBeenExecuted"], false, "{object}");
    }
    let summary = &objects[3];
    assert_eq!(summary["Type"], "Summary", "{summary}");
    for (key, n) in [
        ("AlreadyCleanedUp", 1),
        ("NotFound", 1),
        ("Refused", 1),
        ("Done", 0),
        ("MayHaveRun", 0),
    ] {
        assert_eq!(summary[key], n, "{key}: {summary}");
    }
    let r = run(
        &against(&server, &["--yes", "crs-bin00001", "crs-nothere1"]),
        &creds(),
    );
    assert!(
        r.stdout.contains("crs-nothere1: not found in the region")
            && r.stdout.contains(
                "2 instance(s): 0 done, 0 refused, 0 may have run, 0 not sent, 1 already cleaned up, 1 not found"
            ),
        "{r:?}"
    );
    assert_eq!(actions(&server, "CleanUpInstance"), 6);
}

/// The sandbox behaves like the API (issue 19): an id it does not hold (one character short of a
/// seeded one) is not found, so a rehearsal catches the typo; `--sandbox-add` seeds the ids to
/// rehearse; what the run cleans up is gone from its recycle bin for the rest of the run.
#[test]
fn the_sandbox_does_not_know_ids_it_was_not_given() {
    let r = run(&["--sandbox", "--dry-run", "crs-5a4py64"], &[]);
    assert_eq!(r.code, 11, "{r:?}");
    assert!(
        r.stdout.contains("crs-5a4py64  would be refused") && r.stdout.contains("not found"),
        "{r:?}"
    );
    let r = run(&["--sandbox", "--yes", "crs-5a4py64"], &[]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(
        r.stdout.contains("crs-5a4py64: not found in the region"),
        "{r:?}"
    );

    // Seeded for the rehearsal: accepted, then gone from the bin within the same run.
    let r = run(
        &[
            "--sandbox",
            "--sandbox-add",
            "crs-real0001,crs-real0002",
            "--yes",
            "--wait",
            "crs-real0001",
            "crs-real0002",
        ],
        &[],
    );
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("crs-real0001: done"), "{r:?}");
    let r = run(
        &["--sandbox", "--sandbox-add", "crs-real0001", "--list"],
        &[],
    );
    assert!(
        r.stdout.contains("crs-real0001  # added-with-sandbox-add"),
        "each run starts afresh: {r:?}"
    );
    // A bad id to add is refused naming the option.
    let r = run(&["--sandbox", "--sandbox-add", "crs-", "--list"], &[]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("--sandbox-add"), "{r:?}");
    // Without --sandbox, the option is refused.
    let r = run(&["--sandbox-add", "crs-real0001", "--list"], &[]);
    assert_eq!(r.code, 2, "{r:?}");
}
