//! The exit statuses: an interface for scripts. `--help` prints [`help_table`], built from the
//! same list, so the help and the code cannot disagree.

use std::fmt::Write as _;

/// How a run ended, as its exit status says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    /// Everything asked for was done.
    Done,
    /// The API refused a request: nothing ran.
    Refused,
    /// Bad usage or input, or the confirmation was not given: nothing was sent.
    Usage,
    /// No usable credentials: nothing was sent.
    Credentials,
    /// A request failed before any byte of it left (network, TLS, proxy, configuration).
    NotSent,
    /// A cleanup may have run: check the instance before trying again.
    MayHaveRun,
    /// A waited task ended failed.
    TaskFailed,
    /// A waited task was still running when the wait timed out.
    StillRunning,
    /// A cleanup was accepted, but polling its task failed.
    PollFailed,
    /// The results could not be written to standard output.
    OutputFailed,
    /// Interrupted (Ctrl-C): the request in flight finished, no new one was sent.
    Interrupted,
    /// A read-only request failed (`--list`, `--dry-run`, `--wait-task`, the look before the
    /// prompt): nothing destructive was sent.
    CheckFailed,
    /// `--dry-run`: some instance would be refused, or was not found.
    WouldBeRefused,
    /// `--wait-task`: the API does not know the task.
    UnknownTask,
}

/// Every status, worst first: a run with several outcomes exits with the first of them here.
/// What may have run comes first (a human must look before anything is sent again), then
/// results nobody could read, then tasks that ran but whose end is bad or unknown; then an
/// interrupted run; then outcomes a re-run settles safely (still running, not sent, refused).
pub(crate) const WORST_FIRST: [Status; 14] = [
    Status::MayHaveRun,
    Status::OutputFailed,
    Status::PollFailed,
    Status::TaskFailed,
    Status::Interrupted,
    Status::StillRunning,
    Status::UnknownTask,
    Status::CheckFailed,
    Status::NotSent,
    Status::Credentials,
    Status::Refused,
    Status::WouldBeRefused,
    Status::Usage,
    Status::Done,
];

impl Status {
    /// The process exit status.
    pub(crate) fn code(self) -> u8 {
        match self {
            Status::Done => 0,
            Status::Refused => 1,
            Status::Usage => 2,
            Status::Credentials => 3,
            Status::NotSent => 4,
            Status::MayHaveRun => 5,
            Status::TaskFailed => 6,
            Status::StillRunning => 7,
            Status::PollFailed => 8,
            Status::OutputFailed => 9,
            // 128 + SIGINT, as shells report a program Ctrl-C ended.
            Status::CheckFailed => 10,
            Status::WouldBeRefused => 11,
            Status::UnknownTask => 12,
            Status::Interrupted => 130,
        }
    }

    /// One line for `--help` and the README.
    pub(crate) fn meaning(self) -> &'static str {
        match self {
            Status::Done => "all done",
            Status::Refused => "the API refused a request (nothing ran)",
            Status::Usage => "bad usage or input, or the confirmation was not given (nothing sent)",
            Status::Credentials => "no usable credentials (nothing sent)",
            Status::NotSent => {
                "not sent: network, TLS, proxy or configuration failure before any byte left"
            }
            Status::MayHaveRun => "may have run: check the instance before trying again",
            Status::TaskFailed => "a waited task failed",
            Status::StillRunning => "a waited task was still running when the wait timed out",
            Status::PollFailed => "the cleanup was accepted but polling its task failed",
            Status::OutputFailed => "the results could not be written to standard output",
            Status::Interrupted => {
                "interrupted (Ctrl-C): the request in flight finished, no new one was sent"
            }
            Status::CheckFailed => {
                "a read-only request (a look-up or a task poll) failed: nothing destructive was sent"
            }
            Status::WouldBeRefused => "--dry-run: some instance would be refused or was not found",
            Status::UnknownTask => "--wait-task: the API does not know the task",
        }
    }

    /// The worse of two statuses (see [`WORST_FIRST`]).
    pub(crate) fn worst(self, other: Status) -> Status {
        let rank = |s: Status| WORST_FIRST.iter().position(|w| *w == s);
        if rank(self) <= rank(other) {
            self
        } else {
            other
        }
    }
}

/// The exit-status table of `--help`, in numeric order, then the rule for a batch.
pub(crate) fn help_table() -> String {
    let mut all = WORST_FIRST;
    all.sort_by_key(|s| s.code());
    let mut text = String::from("Exit status:\n");
    for status in all {
        let _ = writeln!(text, "  {:>3}  {}", status.code(), status.meaning());
    }
    let order: Vec<String> = WORST_FIRST[..WORST_FIRST.len() - 1]
        .iter()
        .map(|s| s.code().to_string())
        .collect();
    let _ = write!(
        text,
        "A run with several outcomes exits with the worst, in this order: {}.",
        order.join(" > ")
    );
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_and_the_order_is_total() {
        let mut codes: Vec<u8> = WORST_FIRST.iter().map(|s| s.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(
            codes.len(),
            WORST_FIRST.len(),
            "{} distinct codes for {} statuses",
            codes.len(),
            WORST_FIRST.len()
        );
        assert_eq!(Status::Done.worst(Status::Refused), Status::Refused);
        assert_eq!(
            Status::MayHaveRun.worst(Status::Interrupted),
            Status::MayHaveRun
        );
        assert_eq!(
            Status::StillRunning.worst(Status::TaskFailed),
            Status::TaskFailed
        );
    }

    #[test]
    fn the_help_lists_every_status() {
        let table = help_table();
        for status in WORST_FIRST {
            let row = format!("{:>3}  {}", status.code(), status.meaning());
            assert!(table.contains(&row), "{row:?} missing from:\n{table}");
        }
    }
}
