//! Ctrl-C during a run that sends cleanups: the request in flight finishes (and is reported),
//! no new one is sent, the summary is printed. A second Ctrl-C ends the process at once.
//!
//! Installed only once the destructive part starts: before it (the prompt, the look-ups),
//! Ctrl-C ends the process as usual, with nothing sent.

use std::sync::atomic::{AtomicBool, Ordering};

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Catches SIGINT and SIGTERM from now on. If that cannot be done, the run goes on with the
/// default behaviour (the signal ends the process).
pub(crate) fn install() -> std::io::Result<()> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    use signal_hook::flag;
    for signal in [SIGINT, SIGTERM] {
        // First the exit on a second signal (it checks the flag before it is set), then the
        // flag itself.
        flag::register_conditional_shutdown(signal, 130, &INTERRUPTED)?;
        flag::register(signal, &INTERRUPTED)?;
    }
    Ok(())
}

/// Whether the run was interrupted.
pub(crate) fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}
