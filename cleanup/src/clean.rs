//! The batch: CleanUpInstance for each id, in order, on one client (paced by its rate limiter),
//! each result printed as it completes, with a progress bar on a terminal.

use crate::exit::Status;
use crate::failure::{self, Failure};
use crate::interrupt;
use crate::output::{self, Out};
use crate::session::Session;
use serde_json::json;
use tc_redis::escaped;
use tc_redis::{CleanUpInstanceRequest, CleanUpInstanceResponse, Error, Outcome};

/// What happened to one instance.
#[derive(Debug)]
pub(crate) enum Cleaned {
    /// The API accepted it and started a task.
    /// `task_id` is `None` when the reply had no TaskId (client error correction never invents
    /// one).
    Done {
        task_id: Option<i64>,
        request_id: String,
    },
    /// The call failed; the failure says whether it may have run.
    Failed(Failure),
    /// Never sent: the run stopped first (Ctrl-C, or standard output failed).
    Skipped,
}

impl Cleaned {
    /// The exit status this result calls for (a skipped instance is covered by the reason
    /// the run stopped).
    pub(crate) fn status(&self) -> Status {
        match self {
            Cleaned::Done { .. } | Cleaned::Skipped => Status::Done,
            Cleaned::Failed(f) => f.status,
        }
    }
}

/// The TaskId of an accepted cleanup (read in one place: the generated type may change).
fn task_of(reply: &CleanUpInstanceResponse) -> (Option<i64>, String) {
    (reply.task_id, reply.request_id.clone())
}

/// Sends CleanUpInstance for each of `ids` until done or stopped.
pub(crate) fn run(session: &Session, ids: &[String], out: &mut Out) -> Vec<(String, Cleaned)> {
    let bar = output::progress_bar(ids.len(), "cleaning up");
    out.set_bar(Some(bar.clone()));
    let mut results = Vec::with_capacity(ids.len());
    for id in ids {
        let result = if interrupt::interrupted() || out.broken() {
            Cleaned::Skipped
        } else {
            bar.set_message(id.clone());
            let sent = {
                let _in_flight = interrupt::sending(id);
                session
                    .client
                    .clean_up_instance(&CleanUpInstanceRequest::new(id))
            };
            match sent {
                Ok(reply) => {
                    let (task_id, request_id) = task_of(&reply);
                    Cleaned::Done {
                        task_id,
                        request_id,
                    }
                }
                // Ctrl-C before this instance's request left, or during the wait before a retry
                // after an attempt that did not run (a rate limit): not sent by this run.
                Err(Error::Cancelled { previous })
                    if previous
                        .as_ref()
                        .is_none_or(|p| !p.may_have_been_executed()) =>
                {
                    Cleaned::Skipped
                }
                // During the wait after an attempt that may have run: that attempt's outcome.
                Err(Error::Cancelled {
                    previous: Some(previous),
                }) => Cleaned::Failed(failure::from_error(&previous, session.timeout_secs)),
                Err(e) => Cleaned::Failed(failure::from_error(&e, session.timeout_secs)),
            }
        };
        report(id, &result, out);
        bar.inc(1);
        results.push((id.clone(), result));
    }
    out.set_bar(None);
    results
}

/// One instance's line (text) or object (JSON).
fn report(id: &str, result: &Cleaned, out: &mut Out) {
    match result {
        Cleaned::Done {
            task_id,
            request_id,
        } => {
            out.text(&format!(
                "{id}: done, TaskId {} (RequestId {})",
                task_id.map_or_else(
                    || "none (the reply has no TaskId)".to_owned(),
                    |t| t.to_string()
                ),
                escaped(request_id)
            ));
            out.json(&json!({
                "Type": "Cleanup", "InstanceId": id, "Outcome": "Done",
                "TaskId": task_id, "RequestId": request_id,
            }));
        }
        Cleaned::Failed(f) => {
            out.text(&format!("{id}: {}", outcome_label(f.outcome)));
            for line in &f.lines {
                out.text(&format!("    {line}"));
            }
            let mut object = f.json_members();
            object.insert("Type".into(), "Cleanup".into());
            object.insert("InstanceId".into(), id.into());
            object.insert("Outcome".into(), outcome_key(f.outcome).into());
            out.json(&object.into());
        }
        Cleaned::Skipped => {
            out.text(&format!("{id}: not sent (the run was stopped first)"));
            let skipped = Failure::local(
                Status::Interrupted,
                "ClientError.Stopped",
                vec!["The run was stopped (Ctrl-C, or standard output failed) before this instance's turn.".to_owned()],
            );
            let mut object = skipped.json_members();
            object.insert("Type".into(), "Cleanup".into());
            object.insert("InstanceId".into(), id.into());
            object.insert("Outcome".into(), "NotSent".into());
            out.json(&object.into());
        }
    }
}

/// The text label of a failed instance.
fn outcome_label(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::NotSent => "not sent",
        Outcome::Refused => "refused",
        Outcome::MayHaveRun => "may have run",
    }
}

/// The JSON `Outcome` of a failed instance.
pub(crate) fn outcome_key(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::NotSent => "NotSent",
        Outcome::Refused => "Refused",
        Outcome::MayHaveRun => "MayHaveRun",
    }
}

/// Counts for the summary: (done, refused, may have run, not sent).
pub(crate) fn counts(results: &[(String, Cleaned)]) -> (usize, usize, usize, usize) {
    let mut c = (0, 0, 0, 0);
    for (_, r) in results {
        match r {
            Cleaned::Done { .. } => c.0 += 1,
            Cleaned::Failed(f) => match f.outcome {
                Outcome::Refused => c.1 += 1,
                Outcome::MayHaveRun => c.2 += 1,
                Outcome::NotSent => c.3 += 1,
            },
            Cleaned::Skipped => c.3 += 1,
        }
    }
    c
}
