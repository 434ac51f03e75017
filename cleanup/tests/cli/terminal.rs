//! On a terminal (a pseudo-terminal the test drives): the confirmation shows what will be
//! cleaned up and asks; only "yes" goes on; `--yes` skips the question; the progress bar is
//! drawn on the terminal while results go to standard output.

use crate::support::{Pty, actions, creds};
use tc_redis_fake::{FakeConfig, FakeServer, Fault, InstanceStatus};

fn fake() -> FakeServer {
    FakeServer::start(
        FakeConfig::new()
            .instance(
                "crs-bin00001",
                "orders-cache",
                "ap-guangzhou",
                InstanceStatus::InRecycleBin,
            )
            .instance(
                "crs-run00001",
                "web-sessions",
                "ap-guangzhou",
                InstanceStatus::Running,
            ),
    )
    .unwrap()
}

fn args<'a>(server_endpoint: &'a str, rest: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["--region", "ap-guangzhou", "--endpoint", server_endpoint];
    args.extend_from_slice(rest);
    args
}

#[test]
fn the_prompt_shows_names_and_statuses_and_anything_but_yes_declines() {
    let server = fake();
    let endpoint = server.endpoint();
    let answers = ["no", "", "yess", "y", "YES"];
    for answer in answers {
        let mut pty = Pty::spawn(
            &args(&endpoint, &["crs-bin00001", "crs-run00001"]),
            &creds(),
        );
        pty.expect("Type yes to clean them up: ");
        let screen = pty.screen();
        assert!(
            screen.contains("About to send CleanUpInstance for 2 instance(s) in ap-guangzhou: 1 in the recycle bin will be cleaned up, 1 will be refused."),
            "{screen}"
        );
        assert!(
            screen.contains("crs-bin00001  isolated (in the recycle bin)  orders-cache"),
            "{screen}"
        );
        assert!(
            screen.contains("crs-run00001  running: will be refused       web-sessions"),
            "{screen}"
        );
        pty.type_line(answer);
        let r = pty.finish();
        assert_eq!(r.code, 2, "answer {answer:?}: {r:?}");
        assert!(
            r.stderr.contains("Not confirmed: nothing was sent."),
            "{r:?}"
        );
        assert!(r.stdout.is_empty(), "{r:?}");
    }
    assert_eq!(
        actions(&server, "CleanUpInstance"),
        0,
        "declined: no cleanup sent"
    );
    assert_eq!(
        actions(&server, "DescribeInstances"),
        answers.len(),
        "one look-up per prompt"
    );
}

#[test]
fn ctrl_c_at_the_prompt_says_nothing_was_sent() {
    let server = fake();
    let endpoint = server.endpoint();
    let pty = Pty::spawn(&args(&endpoint, &["crs-bin00001"]), &creds());
    pty.expect("Type yes to clean them up: ");
    pty.interrupt();
    let r = pty.finish();
    assert_eq!(r.code, 130, "{r:?}");
    assert!(
        r.stderr
            .contains("interrupted at the prompt: nothing was sent."),
        "{r:?}"
    );
    assert_eq!(actions(&server, "CleanUpInstance"), 0);
}

/// The look before the prompt only reads: when it fails, the run stops before asking, with the
/// read-only status (10), never "may have run".
#[test]
fn a_failed_look_before_the_prompt_stops_the_run_with_status_10() {
    let server = fake();
    server.set_fault(Some(Fault::HttpStatus(
        502,
        "<html>Bad Gateway</html>".into(),
    )));
    let endpoint = server.endpoint();
    let pty = Pty::spawn(&args(&endpoint, &["crs-bin00001"]), &creds());
    let r = pty.finish();
    assert_eq!(r.code, 10, "{r:?}");
    assert!(
        r.stderr.contains("HTTP status 502")
            && r.stderr.contains("Nothing destructive was sent")
            && !r.stderr.contains("may have run")
            && !r.stderr.contains("Type yes"),
        "{r:?}"
    );
    assert_eq!(actions(&server, "CleanUpInstance"), 0);
}

#[test]
fn a_long_list_is_summarised_at_the_prompt() {
    let mut config = FakeConfig::new();
    let ids: Vec<String> = (0..25).map(|i| format!("crs-long{i:04}")).collect();
    for id in &ids {
        config = config.instance(id, "bulk", "ap-guangzhou", InstanceStatus::InRecycleBin);
    }
    let server = FakeServer::start(config).unwrap();
    let endpoint = server.endpoint();
    let mut rest: Vec<&str> = ids.iter().map(String::as_str).collect();
    rest.insert(0, "crs-nothere1");
    let mut pty = Pty::spawn(&args(&endpoint, &rest), &creds());
    pty.expect("Type yes to clean them up: ");
    let screen = pty.screen();
    assert!(
        screen.contains("for 26 instance(s) in ap-guangzhou: 25 in the recycle bin will be cleaned up, 1 will be refused"),
        "{screen}"
    );
    assert!(screen.contains("crs-long0008"), "{screen}");
    assert!(
        !screen.contains("crs-long0009"),
        "the 11th line is not shown: {screen}"
    );
    assert!(
        screen.contains("... and 16 more (--dry-run lists every one)."),
        "{screen}"
    );
    pty.type_line("no");
    assert_eq!(pty.finish().code, 2);
}

#[test]
fn yes_goes_on_with_a_progress_bar_on_the_terminal() {
    let server = fake();
    let endpoint = server.endpoint();
    let mut pty = Pty::spawn(&args(&endpoint, &["crs-bin00001"]), &creds());
    pty.expect("Type yes to clean them up: ");
    pty.type_line("yes");
    let r = pty.finish();
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.starts_with("crs-bin00001: done, TaskId "), "{r:?}");
    assert!(r.stderr.contains("cleaning up"), "the bar: {r:?}");
    assert_eq!(
        server.instance("crs-bin00001"),
        Some(InstanceStatus::CleanedUp)
    );
}

#[test]
fn with_yes_nothing_is_asked_even_on_a_terminal() {
    let server = fake();
    let endpoint = server.endpoint();
    let pty = Pty::spawn(&args(&endpoint, &["--yes", "crs-bin00001"]), &creds());
    let r = pty.finish();
    assert_eq!(r.code, 0, "{r:?}");
    assert!(!r.stderr.contains("Type yes"), "{r:?}");
    assert_eq!(
        actions(&server, "DescribeInstances"),
        0,
        "no question, no look-up"
    );
    assert_eq!(actions(&server, "CleanUpInstance"), 1);
}
