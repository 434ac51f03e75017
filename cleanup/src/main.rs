//! `tc-redis-cleanup`: empties Tencent Cloud Redis recycle bins. CleanUpInstance for one or
//! many instances, after a look at what they are (`--list`, `--dry-run`, a confirmation on a
//! terminal), with task waiting (`--wait`, `--wait-task`), text or JSON Lines output, and exit
//! statuses that say what happened (`--help`).
//!
//! Module map: [`cli`] (the arguments), [`session`] (arguments to a client; [`network`],
//! [`sandbox`]), [`verbose`] (`-v`: the library's events on stderr),
//! [`ids`] (ids from arguments or stdin), [`lookup`] (DescribeInstances), [`check`]
//! (`--dry-run`, `--list`), [`confirm`] (the prompt), [`clean`] (the batch), [`wait`] (tasks),
//! [`interrupt`] (Ctrl-C), [`failure`] (errors in operator terms), [`output`] (stdout and
//! stderr: every line escaped there, with the library's `tc_redis::escaped`), [`exit`] (the
//! statuses).
// Every byte of output goes through `output::Out`, which turns a failed write into a status
// and escapes what it prints.
#![deny(clippy::print_stdout, clippy::print_stderr)]

mod check;
mod clean;
mod cli;
mod confirm;
mod exit;
mod failure;
mod ids;
mod interrupt;
mod lookup;
mod network;
mod output;
mod sandbox;
mod session;
mod settings;
mod verbose;
mod wait;

use crate::clean::Cleaned;
use crate::cli::Cli;
use crate::exit::Status;
use crate::failure::Failure;
use crate::output::Out;
use clap::Parser;
use serde_json::json;
use std::io::IsTerminal;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return ExitCode::from(usage_error(&e).code()),
    };
    verbose::install(cli.verbose);
    let mut out = Out::new(cli.json);
    let mut status = match run(&cli, &mut out) {
        Ok(status) => status,
        Err(f) => {
            report(&f, &mut out);
            f.status
        }
    };
    if let Some(e) = out.failure() {
        out.note(&format!(
            "tc-redis-cleanup: cannot write the results to standard output: {e}\n  Nothing more was sent after the failed write."
        ));
        status = status.worst(Status::OutputFailed);
    }
    ExitCode::from(status.code())
}

/// A command line clap refused (status 2), or `--help` / `--version` (status 0, or 9 if they
/// cannot be written). With `--json` on the command line, the refusal is also a JSON object.
fn usage_error(e: &clap::Error) -> Status {
    use clap::error::ErrorKind;
    if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
        return match e.print() {
            Ok(()) => Status::Done,
            Err(_) => Status::OutputFailed,
        };
    }
    let _ = e.print();
    if std::env::args_os().any(|a| a == "--json") {
        let rendered = e.render().to_string();
        let first = rendered.lines().next().unwrap_or_default();
        let f = Failure::usage(vec![first.trim_start_matches("error: ").to_owned()]);
        let mut out = Out::new(true);
        print_failure_json(&f, &mut out);
        if out.failure().is_some() {
            return Status::OutputFailed;
        }
    }
    Status::Usage
}

/// A failure of the whole run: its lines on stderr, and a JSON object with `--json`.
fn report(f: &Failure, out: &mut Out) {
    let mut text = String::from("tc-redis-cleanup:");
    for (i, line) in f.lines.iter().enumerate() {
        text.push_str(if i == 0 { " " } else { "\n  " });
        text.push_str(line);
    }
    out.note(&text);
    print_failure_json(f, out);
}

fn print_failure_json(f: &Failure, out: &mut Out) {
    let mut object = f.json_members();
    object.insert("Type".into(), "Error".into());
    object.insert("ExitStatus".into(), f.status.code().into());
    out.json(&object.into());
}

fn run(cli: &Cli, out: &mut Out) -> Result<Status, Failure> {
    if cli.list {
        let session = session::connect(&cli.connection, out)?;
        return check::list(&session, out);
    }
    if !cli.wait_task.is_empty() {
        let session = session::connect(&cli.connection, out)?;
        note_if_uninterruptible(interrupt::install(), out);
        let tasks = cli
            .wait_task
            .iter()
            .map(|id| wait::Task {
                id: Some(*id),
                instance: None,
            })
            .collect();
        let waited = wait::wait(&session, tasks, cli.wait_limit(), true, out);
        return Ok(summarize(None, Some(&waited), out));
    }
    let stdin = std::io::stdin();
    let ids = ids::collect(&cli.ids, stdin.lock())?;
    if cli.dry_run {
        let session = session::connect(&cli.connection, out)?;
        return check::dry_run(&session, &ids.ids, out);
    }
    let ask = !cli.yes;
    if ask && (ids.from_stdin || !stdin.is_terminal()) {
        return Err(Failure::usage(vec![
            "Standard input is not a terminal (or carries the ids), so the tool cannot ask before cleaning up.".to_owned(),
            "Pass --yes to clean up without asking; nothing was sent.".to_owned(),
        ]));
    }
    let session = session::connect(&cli.connection, out)?;
    if ask {
        note_if_uninterruptible(interrupt::install(), out);
        confirm::ask(&session, &ids.ids, &mut stdin.lock(), out)?;
    }
    note_if_uninterruptible(interrupt::install(), out);
    let cleaned = clean::run(&session, &ids.ids, out);
    let waited = if cli.wait {
        let tasks = cleaned
            .iter()
            .filter_map(|(id, result)| match result {
                Cleaned::Done { task_id, .. } => Some(wait::Task {
                    // No TaskId, or a negative one, is no task: never polled.
                    id: task_id
                        .and_then(|t| u64::try_from(t).ok())
                        .filter(|t| *t > 0),
                    instance: Some(id.clone()),
                }),
                _ => None,
            })
            .collect();
        Some(wait::wait(&session, tasks, cli.wait_limit(), false, out))
    } else {
        None
    };
    Ok(summarize(Some(&cleaned), waited.as_deref(), out))
}

fn note_if_uninterruptible(installed: std::io::Result<()>, out: &Out) {
    if let Err(e) = installed {
        out.note(&format!(
            "tc-redis-cleanup: cannot catch Ctrl-C ({e}); it will end the run at once"
        ));
    }
}

/// The summary line or object, and the run's exit status: the worst of its outcomes.
fn summarize(
    cleaned: Option<&[(String, Cleaned)]>,
    waited: Option<&[(wait::Task, wait::TaskEnd)]>,
    out: &mut Out,
) -> Status {
    let mut status = Status::Done;
    let mut parts = Vec::new();
    let mut object = serde_json::Map::new();
    object.insert("Type".into(), "Summary".into());
    // Every member is there in every run (zeros, or null `Tasks`), so that one shape serves
    // scripts whatever the mode.
    let c = cleaned.map(clean::counts).unwrap_or_default();
    let instances = cleaned.map_or(0, <[_]>::len);
    if let Some(cleaned) = cleaned {
        status = cleaned.iter().fold(status, |s, (_, r)| s.worst(r.status()));
        let mut text = format!(
            "{instances} instance(s): {} done, {} refused, {} may have run, {} not sent",
            c.done, c.refused, c.may_have_run, c.not_sent
        );
        if c.already_cleaned_up + c.not_found > 0 {
            text.push_str(&format!(
                ", {} already cleaned up, {} not found",
                c.already_cleaned_up, c.not_found
            ));
        }
        parts.push(text);
    }
    for (key, n) in [
        ("Instances", instances),
        ("Done", c.done),
        ("Refused", c.refused),
        ("MayHaveRun", c.may_have_run),
        ("NotSent", c.not_sent),
        ("AlreadyCleanedUp", c.already_cleaned_up),
        ("NotFound", c.not_found),
    ] {
        object.insert(key.into(), n.into());
    }
    object.insert("Tasks".into(), serde_json::Value::Null);
    if let Some(waited) = waited {
        status = waited.iter().fold(status, |s, (_, e)| s.worst(e.status()));
        let [ok, failed, running, poll_failed, not_waited] = wait::counts(waited);
        let mut text = format!(
            "tasks: {ok} succeeded, {failed} failed, {running} still running, {poll_failed} polling failed"
        );
        if not_waited > 0 {
            text.push_str(&format!(", {not_waited} not waited for"));
        }
        parts.push(text);
        object.insert(
            "Tasks".into(),
            json!({
                "Succeeded": ok, "Failed": failed, "StillRunning": running,
                "PollFailed": poll_failed, "NotWaited": not_waited,
            }),
        );
    }
    let interrupted = interrupt::interrupted();
    if interrupted {
        status = status.worst(Status::Interrupted);
        parts.push("interrupted: nothing more was sent".to_owned());
    }
    object.insert("Interrupted".into(), interrupted.into());
    object.insert("ExitStatus".into(), status.code().into());
    let line = format!("summary: {}", parts.join("; "));
    out.text(&line);
    out.json(&object.into());
    if out.failure().is_some() {
        // Standard output is gone: the operator still gets the summary.
        out.note(&line);
    }
    status
}
