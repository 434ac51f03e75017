//! Waiting for cleanup tasks: polls DescribeTaskInfo for every task of the run together until
//! each ends, the time is up, or the run is interrupted; live progress all along.
//!
//! The library's `Client::wait_for_task` waits for one task and cannot be interrupted; this
//! loop waits for many at once and checks for Ctrl-C between polls and while it sleeps. It
//! reads task statuses with the library's `TaskStatus::parse`.

use crate::exit::Status;
use crate::failure::{self, Failure};
use crate::interrupt;
use crate::output::{self, Out};
use crate::session::Session;
use serde_json::{Value, json};
use std::io::IsTerminal;
use std::time::{Duration, Instant};
use tc_redis::escaped;
use tc_redis::task::TaskStatus;
use tc_redis::{DescribeTaskInfoRequest, DescribeTaskInfoResponse};

/// The first pause between two rounds of polls; it grows by half each round up to
/// [`MAX_INTERVAL`].
const FIRST_INTERVAL: Duration = Duration::from_millis(500);
const MAX_INTERVAL: Duration = Duration::from_secs(5);
/// How often a sleeping wait checks for Ctrl-C.
const SLICE: Duration = Duration::from_millis(100);

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
            TaskEnd::PollFailed(_) => Status::PollFailed,
        }
    }

    fn key(&self) -> &'static str {
        match self {
            TaskEnd::Succeeded { .. } => "Succeeded",
            TaskEnd::Failed { .. } => "Failed",
            TaskEnd::StillRunning { .. } => "StillRunning",
            TaskEnd::PollFailed(_) => "PollFailed",
            TaskEnd::NotWaited => "NotWaited",
        }
    }
}

/// What one DescribeTaskInfo reply says (read in one place: the generated type may change).
struct Poll {
    status: String,
    message: String,
    instance: String,
    request_id: String,
}

impl Poll {
    fn from_reply(r: &DescribeTaskInfoResponse) -> Poll {
        Poll {
            status: r.status.clone(),
            message: r.task_message.clone(),
            instance: r.instance_id.clone().unwrap_or_default(),
            request_id: r.request_id.clone(),
        }
    }
}

/// Waits for `tasks`, at most `limit` in all.
pub(crate) fn wait(
    session: &Session,
    mut tasks: Vec<Task>,
    limit: Duration,
    out: &mut Out,
) -> Vec<(Task, TaskEnd)> {
    let start = Instant::now();
    let deadline = start + limit;
    let bar = output::progress_bar(tasks.len(), "waiting for tasks");
    out.set_bar(Some(bar.clone()));
    let lines_on_stderr = !out.json && !std::io::stderr().is_terminal();
    let mut last: Vec<Option<Poll>> = tasks.iter().map(|_| None).collect();
    let mut ends: Vec<Option<TaskEnd>> = tasks.iter().map(|_| None).collect();
    let mut interval = FIRST_INTERVAL;
    loop {
        for (i, task) in tasks.iter_mut().enumerate() {
            if ends[i].is_some() || stopped(out) {
                continue;
            }
            let Some(task_id) = task.id else {
                ends[i] = Some(TaskEnd::PollFailed(no_task_id()));
                bar.inc(1);
                continue;
            };
            let request = DescribeTaskInfoRequest::new(task_id);
            let poll = match session.client.describe_task_info(&request) {
                Ok(reply) => Poll::from_reply(&reply),
                Err(e) => {
                    ends[i] = Some(TaskEnd::PollFailed(poll_failure(
                        failure::from_error(&e, session.timeout_secs),
                        task_id,
                    )));
                    bar.inc(1);
                    continue;
                }
            };
            if task.instance.is_none() && !poll.instance.is_empty() {
                task.instance = Some(poll.instance.clone());
            }
            let elapsed = start.elapsed().as_secs_f64();
            out.json(&json!({
                "Type": "Progress", "TaskId": task.id, "InstanceId": task.instance,
                "TaskStatus": poll.status, "ElapsedSeconds": (elapsed * 10.0).round() / 10.0,
            }));
            let changed = last[i].as_ref().is_none_or(|l| l.status != poll.status);
            if lines_on_stderr && changed {
                out.note(&format!(
                    "task {task_id} ({}): {} ({elapsed:.0} s)",
                    escaped(task.instance.as_deref().unwrap_or("?")),
                    escaped(&poll.status)
                ));
            }
            match TaskStatus::parse(&poll.status) {
                TaskStatus::Succeeded => {
                    ends[i] = Some(TaskEnd::Succeeded {
                        status: poll.status.clone(),
                        request_id: poll.request_id.clone(),
                    });
                    bar.inc(1);
                }
                TaskStatus::Failed | TaskStatus::Error => {
                    ends[i] = Some(TaskEnd::Failed {
                        status: poll.status.clone(),
                        message: poll.message.clone(),
                        request_id: poll.request_id.clone(),
                    });
                    bar.inc(1);
                }
                _ => {}
            }
            last[i] = Some(poll);
        }
        let pending = ends.iter().filter(|e| e.is_none()).count();
        bar.set_message(format!("ended, {pending} running"));
        if pending == 0 || stopped(out) || Instant::now() >= deadline {
            break;
        }
        // Sleep in slices, so that Ctrl-C is noticed at once.
        let until = (Instant::now() + interval).min(deadline);
        while Instant::now() < until && !stopped(out) {
            std::thread::sleep(SLICE.min(until.saturating_duration_since(Instant::now())));
        }
        interval = (interval * 3 / 2).min(MAX_INTERVAL);
    }
    out.set_bar(None);
    let interrupted = stopped(out);
    let results: Vec<(Task, TaskEnd)> = tasks
        .into_iter()
        .zip(ends)
        .zip(last)
        .map(|((task, end), last)| {
            let end = end.unwrap_or(match last {
                Some(poll) if !interrupted => TaskEnd::StillRunning {
                    status: poll.status,
                    request_id: poll.request_id,
                },
                _ => TaskEnd::NotWaited,
            });
            (task, end)
        })
        .collect();
    for (task, end) in &results {
        report(task, end, limit, out);
    }
    results
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
fn report(task: &Task, end: &TaskEnd, limit: Duration, out: &mut Out) {
    // The instance may come from the server's reply (--wait-task): escaped like its other text.
    let who = escaped(task.instance.as_deref().unwrap_or("?"));
    let id = task
        .id
        .map_or_else(|| "(no TaskId)".to_owned(), |id| id.to_string());
    match end {
        TaskEnd::Succeeded { status, .. } => {
            out.text(&format!("{who}: task {id} {}", escaped(status)));
        }
        TaskEnd::Failed {
            status,
            message,
            request_id,
        } => {
            out.text(&format!("{who}: task {id} ended {}", escaped(status)));
            out.text(&format!("    {}", escaped(message)));
            out.text(&format!("    RequestId: {}", escaped(request_id)));
            out.text("    The cleanup ran and its task failed: check the instance in the console.");
        }
        TaskEnd::StillRunning { status, .. } => {
            out.text(&format!(
                "{who}: task {id} still {} after {} s",
                escaped(status),
                limit.as_secs()
            ));
            out.text(&format!(
                "    Wait longer with --wait-task {id} --wait-timeout SECS (sends no new cleanup)."
            ));
        }
        TaskEnd::PollFailed(f) => {
            out.text(&format!("{who}: task {id}: polling failed"));
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
    let mut object = serde_json::Map::new();
    object.insert("Type".into(), "Task".into());
    object.insert("InstanceId".into(), json!(task.instance));
    object.insert("TaskId".into(), id.into());
    object.insert("Outcome".into(), end.key().into());
    // A task exists: the cleanup ran.
    object.insert("MayHaveBeenExecuted".into(), true.into());
    let (status, request_id): (Value, Value) = match end {
        TaskEnd::Succeeded { status, request_id }
        | TaskEnd::StillRunning { status, request_id } => {
            (status.as_str().into(), request_id.as_str().into())
        }
        TaskEnd::Failed {
            status,
            message,
            request_id,
        } => {
            object.insert("TaskMessage".into(), message.as_str().into());
            (status.as_str().into(), request_id.as_str().into())
        }
        TaskEnd::PollFailed(f) => {
            let members = f.json_members();
            object.insert("Error".into(), members["Error"].clone());
            (Value::Null, json!(f.request_id))
        }
        TaskEnd::NotWaited => (Value::Null, Value::Null),
    };
    object.insert("TaskStatus".into(), status);
    object.insert("RequestId".into(), request_id);
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
            TaskEnd::PollFailed(_) => 3,
            TaskEnd::NotWaited => 4,
        };
        c[i] += 1;
    }
    c
}
