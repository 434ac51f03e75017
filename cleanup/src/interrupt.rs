//! Ctrl-C (SIGINT, and SIGTERM) during a run that sends cleanups, wired to the library's
//! [`Cancel`]: the client's every wait (retry, rate limit, task polling) ends at once and no new
//! request starts; the request in flight finishes and is reported, then the summary.
//!
//! A second signal ends the process at once, but never hides an outcome: while a CleanUpInstance
//! is on its way, it exits with status 5 (may have run, which outranks 130) after naming the
//! instance on stderr; otherwise with 130.
//!
//! Installed when the prompt or the destructive part starts. At the prompt (and the look-up
//! before it), Ctrl-C ends the run at once with status 130, saying that nothing was sent;
//! before it (`--list`, `--dry-run`), Ctrl-C ends the process as usual, with nothing sent.

use crate::exit::Status;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};
use tc_redis::Cancel;

/// The handle every client of the run is built with.
pub(crate) fn cancel() -> &'static Cancel {
    static CANCEL: OnceLock<Cancel> = OnceLock::new();
    CANCEL.get_or_init(Cancel::new)
}

/// The instance whose CleanUpInstance is on its way, if any.
static IN_FLIGHT: Mutex<Option<String>> = Mutex::new(None);

/// Whether the confirmation prompt (or the look-up before it) is on.
static PROMPTING: AtomicBool = AtomicBool::new(false);

/// Marks the prompt as on (`true`) or over: a signal meanwhile ends the run, nothing sent.
pub(crate) fn prompting(on: bool) {
    PROMPTING.store(on, Ordering::SeqCst);
}

/// Catches SIGINT and SIGTERM from now on, on a thread of its own (the handle takes a lock,
/// which a signal handler must not). If that cannot be done, the run goes on with the default
/// behaviour (the signal ends the process).
pub(crate) fn install() -> std::io::Result<()> {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    if INSTALLED.get().is_some() {
        return Ok(());
    }
    use signal_hook::consts::{SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM])?;
    std::thread::Builder::new()
        .name("ctrl-c".to_owned())
        .spawn(move || {
            for _ in signals.forever() {
                if PROMPTING.load(Ordering::SeqCst) {
                    let _ = writeln!(
                        std::io::stderr(),
                        "\ntc-redis-cleanup: interrupted at the prompt: nothing was sent."
                    );
                    std::process::exit(i32::from(Status::Interrupted.code()));
                }
                if !cancel().is_cancelled() {
                    cancel().cancel();
                    continue;
                }
                second_signal();
            }
        })?;
    let _ = INSTALLED.set(());
    Ok(())
}

/// The second signal: exit now, with the outcome of the request in flight.
fn second_signal() -> ! {
    let in_flight = IN_FLIGHT.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let status = match &in_flight {
        Some(id) => {
            // Instance ids were checked before the run (letters, digits, `-`): nothing to escape.
            let _ = writeln!(
                std::io::stderr(),
                "tc-redis-cleanup: interrupted again while the CleanUpInstance of {id} was on its way.\n  summary: {id} may have run: check it (--dry-run {id}) before trying again; the instances after it were not sent"
            );
            Status::MayHaveRun
        }
        None => Status::Interrupted,
    };
    std::process::exit(i32::from(status.code()))
}

/// Marks `id`'s CleanUpInstance as on its way until the guard is dropped.
pub(crate) fn sending(id: &str) -> InFlight {
    *IN_FLIGHT.lock().unwrap_or_else(|p| p.into_inner()) = Some(id.to_owned());
    InFlight
}

/// See [`sending`].
pub(crate) struct InFlight;

impl Drop for InFlight {
    fn drop(&mut self) {
        *IN_FLIGHT.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }
}

/// Whether the run was interrupted.
pub(crate) fn interrupted() -> bool {
    cancel().is_cancelled()
}
