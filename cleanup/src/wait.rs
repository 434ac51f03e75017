//! Waiting for cleanup tasks with the library's task waiting (its backoff, its status parsing,
//! its cancellation by Ctrl-C), one task after the other, live progress all along.

use crate::exit::Status;
use crate::failure::{self, Failure};
use crate::interrupt;
use crate::output::{self, Out};
use crate::session::Session;
use serde_json::{Value, json};
use std::io::IsTerminal;
use std::time::{Duration, Instant};
use tc_redis::escaped;
use tc_redis::{DescribeTaskInfoErrorCode, DescribeTaskInfoResponse, WaitError};

/// A task to wait for: its id, and its instance when known.
#[derive(Debug, Clone)]
pub(crate) struct Task {
    /// `None` when the accepted cleanup's reply had no TaskId: nothing to poll (never task 0).
    pub(crate) id: Option<u64>,
    pub(crate) instance: Option<String>,
}

/// How the wait for one task ended.
#[derive(Debug)]
pub(crate) enum TaskEnd {
    Succeeded {
        status: String,
        request_id: String,
    },
    Failed {
        status: String,
        message: String,
        request_id: String,
    },
    StillRunning {
        status: String,
        request_id: String,
    },
    PollFailed(Failure),
    /// `--wait-task`: the API does not know the task.
    Unknown(Failure),
    /// The run stopped (Ctrl-C, or standard output failed) before the task ended.
    NotWaited,
}

impl TaskEnd {
    /// The exit status this end calls for.
    pub(crate) fn status(&self) -> Status {
        match self {
            TaskEnd::Succeeded { .. } | TaskEnd::NotWaited => Status::Done,
            TaskEnd::Failed { .. } => Status::TaskFailed,
            TaskEnd::StillRunning { .. } => Status::StillRunning,
            TaskEnd::PollFailed(f) | TaskEnd::Unknown(f) => f.status,
        }
    }

    fn key(&self) -> &'static str {
        match self {
            TaskEnd::Succeeded { .. } => "Succeeded",
            TaskEnd::Failed { .. } => "Failed",
            TaskEnd::StillRunning { .. } => "StillRunning",
            TaskEnd::PollFailed(_) => "PollFailed",
            TaskEnd::Unknown(_) => "UnknownTask",
            TaskEnd::NotWaited => "NotWaited",
        }
    }
}

/// Waits for `tasks`, at most `limit` in all, one after the other with the library's task
/// waiting (`Client::wait_for_task_with`: its backoff, its cancellation by Ctrl-C). The tasks
/// run on the server together, so waiting for them in turn takes as long as the slowest; each
/// is polled at least once. `standalone`: `--wait-task`, where no cleanup was sent by this run,
/// so a failed poll is a read-only failure and a task the API does not know has its own status.
pub(crate) fn wait(
    session: &Session,
    tasks: Vec<Task>,
    limit: Duration,
    standalone: bool,
    out: &mut Out,
) -> Vec<(Task, TaskEnd)> {
    let start = Instant::now();
    let deadline = start + limit;
    let bar = output::progress_bar(tasks.len(), "waiting for tasks");
    out.set_bar(Some(bar.clone()));
    let lines_on_stderr = !out.json && !std::io::stderr().is_terminal();
    let mut results = Vec::with_capacity(tasks.len());
    for mut task in tasks {
        let end = match task.id {
            _ if stopped(out) => TaskEnd::NotWaited,
            None => TaskEnd::PollFailed(no_task_id()),
            Some(task_id) => {
                let remaining = deadline.saturating_duration_since(Instant::now());
                let mut last_status: Option<String> = None;
                let waited =
                    session
                        .client
                        .wait_for_task_with(task_id as i64, remaining, |reply| {
                            if task.instance.is_none() {
                                task.instance = reply.instance_id.clone();
                            }
                            let elapsed = start.elapsed().as_secs_f64();
                            let mut object = output::about_instance(
                                "Progress",
                                task.instance.as_deref(),
                                "Waiting",
                                !standalone,
                                Some(&reply.request_id),
                            );
                            object.insert("TaskId".into(), json!(task_id));
                            object.insert("TaskStatus".into(), json!(reply.status));
                            object.insert(
                                "ElapsedSeconds".into(),
                                json!((elapsed * 10.0).round() / 10.0),
                            );
                            out.json(&object.into());
                            if lines_on_stderr && last_status.as_deref() != Some(&reply.status) {
                                // A note keeps its line breaks: the server's text is escaped here.
                                out.note(&format!(
                                    "task {task_id} ({}): {} ({elapsed:.0} s)",
                                    escaped(task.instance.as_deref().unwrap_or("?")),
                                    escaped(&reply.status)
                                ));
                            }
                            last_status = Some(reply.status.clone());
                        });
                end_of(waited, task_id, standalone, session)
            }
        };
        bar.inc(1);
        results.push((task, end));
    }
    out.set_bar(None);
    for (task, end) in &results {
        report(task, end, limit, standalone, out);
    }
    results
}

/// How the library's wait for one task ended, in the run's terms.
fn end_of(
    waited: Result<DescribeTaskInfoResponse, WaitError>,
    task_id: u64,
    standalone: bool,
    session: &Session,
) -> TaskEnd {
    match waited {
        Ok(reply) => TaskEnd::Succeeded {
            status: reply.status,
            request_id: reply.request_id,
        },
        Err(WaitError::TaskFailed(reply)) => TaskEnd::Failed {
            status: reply.status,
            message: reply.task_message,
            request_id: reply.request_id,
        },
        Err(WaitError::Timeout { last, .. }) => TaskEnd::StillRunning {
            status: last.status,
            request_id: last.request_id,
        },
        Err(WaitError::Poll(e)) if standalone && is_unknown_task(&e) => {
            let mut f = failure::from_error(&e, session.timeout_secs).read_only();
            f.status = Status::UnknownTask;
            f.lines.insert(
                0,
                format!(
                    "The API does not know task {task_id}: check the TaskId a cleanup printed."
                ),
            );
            TaskEnd::Unknown(f)
        }
        Err(WaitError::Poll(e)) => {
            let f = failure::from_error(&e, session.timeout_secs);
            TaskEnd::PollFailed(if standalone {
                f.read_only()
            } else {
                poll_failure(f, task_id)
            })
        }
        Err(_) => TaskEnd::NotWaited,
    }
}

/// DescribeTaskInfo's answer for a task id it has no task for (the fake and, by its error
/// codes, the API: `InvalidParameter.InvalidParameter`).
fn is_unknown_task(e: &tc_redis::Error<DescribeTaskInfoErrorCode>) -> bool {
    e.code()
        .is_some_and(|c| c.as_str() == "InvalidParameter.InvalidParameter")
}

fn stopped(out: &Out) -> bool {
    interrupt::interrupted() || out.broken()
}

/// An accepted cleanup whose reply had no TaskId: there is no task to follow, and task 0 is
/// never polled in its place.
fn no_task_id() -> Failure {
    Failure::local(
        Status::PollFailed,
        "ClientError.NoTaskId",
        vec![
            "The reply had no TaskId, so there is no task to wait for.".to_owned(),
            "The cleanup was accepted: check the instance in the console.".to_owned(),
        ],
    )
}

/// A failed poll, said as such: the cleanup itself was accepted.
fn poll_failure(mut f: Failure, task: u64) -> Failure {
    // The outcome sentence speaks of DescribeTaskInfo; what matters is the cleanup's task.
    f.lines.pop();
    f.lines.push(format!(
        "Polling the task failed; the cleanup was accepted. Check the task with --wait-task {task}."
    ));
    f.status = Status::PollFailed;
    f
}

/// One task's end: a text line (and detail lines), or a JSON object.
fn report(task: &Task, end: &TaskEnd, limit: Duration, standalone: bool, out: &mut Out) {
    let who = task.instance.as_deref().unwrap_or("?");
    let id = task
        .id
        .map_or_else(|| "(no TaskId)".to_owned(), |id| id.to_string());
    match end {
        TaskEnd::Succeeded { status, .. } => {
            out.text(&format!("{who}: task {id} {status}"));
        }
        TaskEnd::Failed {
            status,
            message,
            request_id,
        } => {
            out.text(&format!("{who}: task {id} ended {status}"));
            out.text(&format!("    {message}"));
            out.text(&format!("    RequestId: {request_id}"));
            out.text("    The cleanup ran and its task failed: check the instance in the console.");
        }
        TaskEnd::StillRunning { status, .. } => {
            out.text(&format!(
                "{who}: task {id} still {status} after {} s",
                limit.as_secs()
            ));
            out.text(&format!(
                "    Wait longer with --wait-task {id} --wait-timeout SECS (sends no new cleanup)."
            ));
        }
        TaskEnd::PollFailed(f) | TaskEnd::Unknown(f) => {
            let what = match end {
                TaskEnd::Unknown(_) => "unknown to the API",
                _ => "polling failed",
            };
            out.text(&format!("{who}: task {id}: {what}"));
            for line in &f.lines {
                out.text(&format!("    {line}"));
            }
        }
        TaskEnd::NotWaited => {
            out.text(&format!(
                "{who}: task {id} not waited for (the run was stopped); --wait-task {id} waits for it"
            ));
        }
    }
    // Whether a cleanup this run sent may have run: with --wait, each task is an accepted
    // cleanup's; --wait-task sent none (and a task it polls need not be a cleanup's).
    let executed = !standalone;
    let (status, message, request_id, error): (Value, Value, Value, Value) = match end {
        TaskEnd::Succeeded { status, request_id }
        | TaskEnd::StillRunning { status, request_id } => {
            (json!(status), Value::Null, json!(request_id), Value::Null)
        }
        TaskEnd::Failed {
            status,
            message,
            request_id,
        } => (
            json!(status),
            json!(message),
            json!(request_id),
            Value::Null,
        ),
        TaskEnd::PollFailed(f) | TaskEnd::Unknown(f) => (
            Value::Null,
            Value::Null,
            json!(f.request_id),
            f.json_members()["Error"].clone(),
        ),
        TaskEnd::NotWaited => (Value::Null, Value::Null, Value::Null, Value::Null),
    };
    let mut object = output::about_instance(
        "Task",
        task.instance.as_deref(),
        end.key(),
        executed,
        request_id.as_str(),
    );
    object.insert("TaskId".into(), json!(task.id));
    object.insert("TaskStatus".into(), status);
    object.insert("TaskMessage".into(), message);
    object.insert("Error".into(), error);
    out.json(&object.into());
}

/// Counts for the summary: (succeeded, failed, still running, polling failed, not waited).
pub(crate) fn counts(results: &[(Task, TaskEnd)]) -> [usize; 5] {
    let mut c = [0; 5];
    for (_, end) in results {
        let i = match end {
            TaskEnd::Succeeded { .. } => 0,
            TaskEnd::Failed { .. } => 1,
            TaskEnd::StillRunning { .. } => 2,
            TaskEnd::PollFailed(_) | TaskEnd::Unknown(_) => 3,
            TaskEnd::NotWaited => 4,
        };
        c[i] += 1;
    }
    c
}
