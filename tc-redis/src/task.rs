//! Waiting for an asynchronous task, such as the one CleanUpInstance starts, to end: polls
//! DescribeTaskInfo with backoff until the task succeeds, fails, or the time is up.

use crate::client::Client;
use crate::error::Error;
use crate::escape::Escaped;
use crate::{DescribeTaskInfoErrorCode, DescribeTaskInfoRequest, DescribeTaskInfoResponse};
use std::fmt;
use std::time::Duration;

/// The first pause between two polls; it grows by half each time up to [`MAX_POLL_INTERVAL`].
const FIRST_POLL_INTERVAL: Duration = Duration::from_millis(500);
/// The longest pause between two polls.
const MAX_POLL_INTERVAL: Duration = Duration::from_secs(10);

/// A task's state, from DescribeTaskInfo's `Status`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TaskStatus {
    /// `preparing`: queued.
    Preparing,
    /// `running`.
    Running,
    /// `succeed`: done.
    Succeeded,
    /// `failed`.
    Failed,
    /// `error` (Tencent documents it as `Error`): the task broke while running.
    Error,
    /// A status this crate does not know, kept verbatim (treated as still running).
    Other(String),
}

impl TaskStatus {
    /// Reads DescribeTaskInfo's `Status` (case-insensitively: the docs spell `Error`).
    pub fn parse(status: &str) -> TaskStatus {
        match status.to_ascii_lowercase().as_str() {
            "preparing" => TaskStatus::Preparing,
            "running" => TaskStatus::Running,
            "succeed" | "succeeded" | "success" => TaskStatus::Succeeded,
            "failed" => TaskStatus::Failed,
            "error" => TaskStatus::Error,
            _ => TaskStatus::Other(status.to_owned()),
        }
    }

    /// Whether the task has ended (succeeded, failed or broke).
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            TaskStatus::Succeeded | TaskStatus::Failed | TaskStatus::Error
        )
    }
}

/// Why [`Client::wait_for_task`] did not return a success.
#[derive(Debug)]
#[non_exhaustive]
pub enum WaitError {
    /// The task ended `failed` or `error`; the reply holds its `TaskMessage`.
    TaskFailed(Box<DescribeTaskInfoResponse>),
    /// The task had not ended when the time was up; it may still end later.
    Timeout {
        /// The time waited.
        waited: Duration,
        /// The last reply.
        last: Box<DescribeTaskInfoResponse>,
    },
    /// A poll failed (after the client's own retries; DescribeTaskInfo is idempotent).
    Poll(Error<DescribeTaskInfoErrorCode>),
    /// The client's [`Cancel`](crate::Cancel) handle fired: waiting stopped, and no poll was
    /// sent after it. The task itself goes on.
    Cancelled {
        /// The last reply before the cancel, if any.
        last: Option<Box<DescribeTaskInfoResponse>>,
    },
    /// The task id is zero or negative, which no task has; nothing was sent. (A reply that lacks
    /// its `TaskId` reads as `None`, never 0: identifiers are not filled in.)
    InvalidTaskId(i64),
}

impl fmt::Display for WaitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WaitError::TaskFailed(r) => write!(
                f,
                "task for {} ended {:?}: {} (request id {})",
                Escaped(r.instance_id.as_deref().unwrap_or("(instance not named)")),
                r.status,
                Escaped(&r.task_message),
                Escaped(&r.request_id)
            ),
            WaitError::Timeout { waited, last } => {
                write!(
                    f,
                    "the task had not ended after {:.1} s (last status {:?}); it may still end: wait longer, or check it in the console",
                    waited.as_secs_f64(),
                    last.status
                )
            }
            WaitError::Poll(e) => write!(f, "polling the task failed: {e}"),
            WaitError::Cancelled { last } => {
                f.write_str("waiting for the task was cancelled; the task goes on")?;
                match last {
                    Some(last) => write!(f, " (last status {:?})", Escaped(&last.status)),
                    None => Ok(()),
                }
            }
            WaitError::InvalidTaskId(id) => {
                write!(f, "{id} is not a task id (task ids are positive)")
            }
        }
    }
}

impl std::error::Error for WaitError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WaitError::Poll(e) => Some(e),
            _ => None,
        }
    }
}

impl Client {
    /// Waits until task `task_id` ends, polling DescribeTaskInfo with backoff (0.5 s, growing
    /// to 10 s), for at most `timeout`. Returns the final reply when the task succeeded.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use tc_redis::{CleanUpInstanceRequest, Client};
    ///
    /// let client = Client::builder().region("ap-guangzhou").build()?;
    /// let started = client.clean_up_instance(&CleanUpInstanceRequest::new("crs-5a4py64p"))?;
    /// // `None` only if Tencent's reply lacked the id: the cleanup was accepted all the same.
    /// let task_id = started.task_id.ok_or("the reply has no TaskId: check the console")?;
    /// let done = client.wait_for_task(task_id, Duration::from_secs(300))?;
    /// println!("{}", done.status);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn wait_for_task(
        &self,
        task_id: i64,
        timeout: Duration,
    ) -> Result<DescribeTaskInfoResponse, WaitError> {
        self.wait_for_task_with(task_id, timeout, |_| {})
    }

    /// [`wait_for_task`](Client::wait_for_task), calling `progress` with every reply (to show a
    /// status line).
    pub fn wait_for_task_with(
        &self,
        task_id: i64,
        timeout: Duration,
        mut progress: impl FnMut(&DescribeTaskInfoResponse),
    ) -> Result<DescribeTaskInfoResponse, WaitError> {
        // Actions return task ids as int64; DescribeTaskInfo takes a uint64. No task has id 0:
        // polling it would only wait for a task that does not exist.
        let id = u64::try_from(task_id)
            .ok()
            .filter(|id| *id > 0)
            .ok_or(WaitError::InvalidTaskId(task_id))?;
        let clock = self.clock();
        let cancel = self.network().cancel();
        let start = clock.monotonic();
        let mut interval = FIRST_POLL_INTERVAL;
        let mut last: Option<Box<DescribeTaskInfoResponse>> = None;
        loop {
            let reply = match self.describe_task_info(&DescribeTaskInfoRequest::new(id)) {
                Ok(reply) => reply,
                Err(Error::Cancelled { .. }) => return Err(WaitError::Cancelled { last }),
                Err(e) => return Err(WaitError::Poll(e)),
            };
            progress(&reply);
            match TaskStatus::parse(&reply.status) {
                TaskStatus::Succeeded => return Ok(reply),
                TaskStatus::Failed | TaskStatus::Error => {
                    return Err(WaitError::TaskFailed(Box::new(reply)));
                }
                _ => {}
            }
            let waited = clock.monotonic().saturating_sub(start);
            if waited >= timeout {
                let last = Box::new(reply);
                return Err(WaitError::Timeout { waited, last });
            }
            last = Some(Box::new(reply));
            if !cancel.sleep(clock, interval.min(timeout - waited)) {
                return Err(WaitError::Cancelled { last });
            }
            interval = (interval * 3 / 2).min(MAX_POLL_INTERVAL);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::TaskStatus;

    #[test]
    fn statuses_parse() {
        assert_eq!(TaskStatus::parse("succeed"), TaskStatus::Succeeded);
        assert_eq!(TaskStatus::parse("Error"), TaskStatus::Error);
        assert_eq!(TaskStatus::parse("running"), TaskStatus::Running);
        assert_eq!(TaskStatus::parse("preparing"), TaskStatus::Preparing);
        assert_eq!(TaskStatus::parse("failed"), TaskStatus::Failed);
        assert_eq!(
            TaskStatus::parse("paused"),
            TaskStatus::Other("paused".into())
        );
        assert!(TaskStatus::Failed.is_final() && !TaskStatus::Running.is_final());
    }
}
