//! The batch: CleanUpInstance for each id, in order, on one client (paced by its rate limiter),
//! each result printed as it completes, with a progress bar on a terminal.
//!
//! Where the answer leaves a question, the tool looks (DescribeInstances: it only reads, and the
//! client retries it): after a cleanup that may have run, it reports what it sees beside the
//! outcome it cannot prove; after a refusal because the instance is not in the recycle bin (a
//! rerun after an interrupted batch), it tells an instance already cleaned up (status -3, to be
//! deleted) or not found from one the API refused for another reason.

use crate::exit::Status;
use crate::failure::{self, Failure};
use crate::interrupt;
use crate::lookup;
use crate::output::{self, Out};
use crate::session::Session;
use serde_json::{Value, json};
use tc_redis::{CleanUpInstanceRequest, CleanUpInstanceResponse, Error, Outcome};

/// The refusals that mean "not (or no longer) in the recycle bin".
const NOT_IN_THE_BIN: [&str; 2] = [
    "ResourceUnavailable.InstanceStatusAbnormal",
    "ResourceNotFound.InstanceNotExists",
];

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
    /// The call failed; the failure says whether it may have run. `seen`: what a look after a
    /// cleanup that may have run found.
    Failed {
        failure: Failure,
        seen: Option<Seen>,
    },
    /// Refused as not in the recycle bin, and found cleaned up already (an earlier run did it).
    AlreadyCleanedUp(Failure),
    /// Refused as not in the recycle bin, and not found in the region (cleaned up long ago, or
    /// a typo: the tool cannot tell).
    NotFound(Failure),
    /// Never sent: the run stopped first (Ctrl-C, or standard output failed).
    Skipped,
}

/// What DescribeInstances showed of an instance after its cleanup may have run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Seen {
    /// No longer in the region's list.
    NotFound,
    /// Still isolated, in the recycle bin: the cleanup most likely did not run (yet).
    InRecycleBin,
    /// Cleaned up (to be deleted).
    CleanedUp,
    /// Another status.
    Status(i64),
    /// The look failed.
    CouldNotCheck,
}

impl Seen {
    fn text(self) -> String {
        match self {
            Seen::NotFound => "no longer found in the region".to_owned(),
            Seen::InRecycleBin => {
                format!(
                    "still in the recycle bin (status {}: isolated)",
                    lookup::ISOLATED
                )
            }
            Seen::CleanedUp => "cleaned up (to be deleted)".to_owned(),
            Seen::Status(s) => format!("not in the recycle bin: {}", lookup::status_text(s)),
            Seen::CouldNotCheck => "could not check (the look-up failed)".to_owned(),
        }
    }

    fn key(self) -> &'static str {
        match self {
            Seen::NotFound => "NotFound",
            Seen::InRecycleBin => "InRecycleBin",
            Seen::CleanedUp => "CleanedUp",
            Seen::Status(_) => "OtherStatus",
            Seen::CouldNotCheck => "CouldNotCheck",
        }
    }
}

impl Cleaned {
    /// The exit status this result calls for (a skipped instance is covered by the reason
    /// the run stopped). An instance already cleaned up is done; one not found is a refusal
    /// (status 1): it may be a typo.
    pub(crate) fn status(&self) -> Status {
        match self {
            Cleaned::Done { .. } | Cleaned::Skipped | Cleaned::AlreadyCleanedUp(_) => Status::Done,
            Cleaned::Failed { failure, .. } | Cleaned::NotFound(failure) => failure.status,
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
            clean(session, id)
        };
        report(id, &result, out);
        bar.inc(1);
        results.push((id.clone(), result));
    }
    out.set_bar(None);
    results
}

/// One CleanUpInstance, and the look its answer calls for.
fn clean(session: &Session, id: &str) -> Cleaned {
    let sent = {
        let _in_flight = interrupt::sending(id);
        session
            .client
            .clean_up_instance(&CleanUpInstanceRequest::new(id))
    };
    let failure = match sent {
        Ok(reply) => {
            let (task_id, request_id) = task_of(&reply);
            return Cleaned::Done {
                task_id,
                request_id,
            };
        }
        // Ctrl-C before this instance's request left, or during the wait before a retry
        // after an attempt that did not run (a rate limit): not sent by this run.
        Err(Error::Cancelled { previous })
            if previous
                .as_ref()
                .is_none_or(|p| !p.may_have_been_executed()) =>
        {
            return Cleaned::Skipped;
        }
        // During the wait after an attempt that may have run: that attempt's outcome.
        Err(Error::Cancelled {
            previous: Some(previous),
        }) => failure::from_error(&previous, session.timeout_secs),
        Err(e) => failure::from_error(&e, session.timeout_secs),
    };
    let not_in_the_bin =
        failure.outcome == Outcome::Refused && NOT_IN_THE_BIN.contains(&failure.code.as_str());
    if failure.outcome == Outcome::MayHaveRun {
        let seen = look(session, id);
        return Cleaned::Failed {
            failure,
            seen: Some(seen),
        };
    }
    if not_in_the_bin {
        match look(session, id) {
            Seen::CleanedUp => return Cleaned::AlreadyCleanedUp(failure),
            Seen::NotFound => return Cleaned::NotFound(failure),
            _ => {}
        }
    }
    Cleaned::Failed {
        failure,
        seen: None,
    }
}

/// What DescribeInstances shows of `id` now. Not after Ctrl-C: nothing more is sent then.
fn look(session: &Session, id: &str) -> Seen {
    if interrupt::interrupted() {
        return Seen::CouldNotCheck;
    }
    match lookup::look_up(&session.client, &[id.to_owned()]) {
        Ok(rows) => match rows.first() {
            None => Seen::NotFound,
            Some(r) if r.would_be_accepted() => Seen::InRecycleBin,
            Some(r) if r.status == lookup::CLEANED_UP => Seen::CleanedUp,
            Some(r) => Seen::Status(r.status),
        },
        Err(_) => Seen::CouldNotCheck,
    }
}

/// One instance's line (text) or object (JSON).
fn report(id: &str, result: &Cleaned, out: &mut Out) {
    let (outcome, executed, request_id, task_id, failure, seen) = match result {
        Cleaned::Done {
            task_id,
            request_id,
        } => {
            out.text(&format!(
                "{id}: done, TaskId {} (RequestId {request_id})",
                task_id.map_or_else(
                    || "none (the reply has no TaskId)".to_owned(),
                    |t| t.to_string()
                ),
            ));
            (
                "Done",
                true,
                Some(request_id.as_str()),
                *task_id,
                None,
                None,
            )
        }
        Cleaned::Failed { failure: f, seen } => {
            out.text(&format!("{id}: {}", outcome_label(f.outcome)));
            for line in &f.lines {
                out.text(&format!("    {line}"));
            }
            if let Some(seen) = seen {
                out.text(&format!("    Looked again: {}.", seen.text()));
            }
            let executed = f.outcome.may_have_run();
            (
                outcome_key(f.outcome),
                executed,
                f.request_id.as_deref(),
                None,
                Some(f),
                *seen,
            )
        }
        Cleaned::AlreadyCleanedUp(f) => {
            out.text(&format!(
                "{id}: already cleaned up (by an earlier run: it is to be deleted)"
            ));
            out.text(&format!(
                "    The API refused this one ({}), as for any instance not in the recycle bin.",
                f.code
            ));
            (
                "AlreadyCleanedUp",
                false,
                f.request_id.as_deref(),
                None,
                Some(f),
                Some(Seen::CleanedUp),
            )
        }
        Cleaned::NotFound(f) => {
            out.text(&format!(
                "{id}: not found in the region (cleaned up long ago, or a wrong id: check it)"
            ));
            for line in &f.lines {
                out.text(&format!("    {line}"));
            }
            (
                "NotFound",
                false,
                f.request_id.as_deref(),
                None,
                Some(f),
                Some(Seen::NotFound),
            )
        }
        Cleaned::Skipped => {
            out.text(&format!("{id}: not sent (the run was stopped first)"));
            ("NotSent", false, None, None, None, None)
        }
    };
    let mut object = output::about_instance("Cleanup", Some(id), outcome, executed, request_id);
    object.insert("TaskId".into(), json!(task_id));
    let error = match (failure, result) {
        (Some(f), _) => f.json_members()["Error"].clone(),
        (None, Cleaned::Skipped) => json!({
            "Code": "ClientError.Stopped",
            "Message": "The run was stopped (Ctrl-C, or standard output failed) before this instance's turn.",
        }),
        (None, _) => Value::Null,
    };
    object.insert("Error".into(), error);
    object.insert("Seen".into(), json!(seen.map(Seen::key)));
    out.json(&object.into());
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

/// Counts for the summary.
#[derive(Debug, Default)]
pub(crate) struct Counts {
    pub(crate) done: usize,
    pub(crate) refused: usize,
    pub(crate) may_have_run: usize,
    pub(crate) not_sent: usize,
    pub(crate) already_cleaned_up: usize,
    pub(crate) not_found: usize,
}

pub(crate) fn counts(results: &[(String, Cleaned)]) -> Counts {
    let mut c = Counts::default();
    for (_, r) in results {
        match r {
            Cleaned::Done { .. } => c.done += 1,
            Cleaned::Failed { failure, .. } => match failure.outcome {
                Outcome::Refused => c.refused += 1,
                Outcome::MayHaveRun => c.may_have_run += 1,
                Outcome::NotSent => c.not_sent += 1,
            },
            Cleaned::AlreadyCleanedUp(_) => c.already_cleaned_up += 1,
            Cleaned::NotFound(_) => c.not_found += 1,
            Cleaned::Skipped => c.not_sent += 1,
        }
    }
    c
}
