//! [`Cancel`]: one handle that stops a client's waiting and its new requests, for Ctrl-C.
//!
//! A client waits in three places: the retry wait after a failed attempt, the rate limiter's
//! wait before an attempt, and the pause between two polls of a task. Each returns at once when
//! the handle fires, and the client checks the handle again right before each attempt is
//! sent, so no request starts after it. A request already on the wire is not interrupted: its
//! reply says whether it ran, which is worth more than the time saved.

use crate::clock::Clock;
use std::fmt;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// A cancellation handle: clone it, give one clone to the client
/// ([`ClientBuilder::cancel`](crate::ClientBuilder::cancel)), and call [`cancel`](Cancel::cancel)
/// on another (from a signal-handling thread, say). Once cancelled it stays cancelled.
///
/// ```
/// use std::time::Duration;
/// use tc_redis::{Cancel, CleanUpInstanceRequest, Client, Credentials, Error, Outcome};
///
/// let cancel = Cancel::new();
/// let client = Client::builder()
///     .region("ap-guangzhou")
///     .credentials(Credentials::new("AKIDexample", "example-secret-key")?)
///     .cancel(cancel.clone())
///     .build()?;
/// cancel.cancel();
/// let err = client.clean_up_instance(&CleanUpInstanceRequest::new("crs-5a4py64p")).unwrap_err();
/// assert!(matches!(err, Error::Cancelled { .. }));
/// assert_eq!(err.outcome(), Outcome::NotSent);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Default)]
pub struct Cancel {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    cancelled: Mutex<bool>,
    wake: Condvar,
}

impl fmt::Debug for Cancel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cancel")
            .field("cancelled", &self.is_cancelled())
            .finish()
    }
}

impl Cancel {
    /// A handle that has not fired.
    pub fn new() -> Cancel {
        Cancel::default()
    }

    /// Fires the handle: every wait of every client holding a clone returns now, and no new
    /// request starts. Not for a signal handler itself (it takes a lock): call it from a thread
    /// that waits for the signal, as `signal-hook`'s iterator does.
    pub fn cancel(&self) {
        *self.lock() = true;
        self.inner.wake.notify_all();
    }

    /// Whether [`cancel`](Cancel::cancel) was called.
    pub fn is_cancelled(&self) -> bool {
        *self.lock()
    }

    /// Waits for `duration` on `clock`, or less if the handle fires. Returns `false` when the
    /// handle has fired (before or during the wait).
    ///
    /// The system clock's wait is the handle's own condition variable, woken by `cancel`; a
    /// replaced clock ([`Clock::sleep`], a test's) sleeps its way and the handle is checked
    /// after it.
    pub(crate) fn sleep(&self, clock: &dyn Clock, duration: Duration) -> bool {
        if self.is_cancelled() {
            return false;
        }
        if !clock.is_system() {
            clock.sleep(duration);
            return !self.is_cancelled();
        }
        let deadline = Instant::now() + duration;
        let mut cancelled = self.lock();
        while !*cancelled {
            let now = Instant::now();
            if now >= deadline {
                return true;
            }
            cancelled = self
                .inner
                .wake
                .wait_timeout(cancelled, deadline - now)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
        false
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, bool> {
        self.inner
            .cancelled
            .lock()
            .unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::SystemClock;

    #[test]
    fn a_wait_on_the_system_clock_returns_as_soon_as_another_thread_cancels() {
        let cancel = Cancel::new();
        let other = cancel.clone();
        let started = Instant::now();
        let canceller = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            other.cancel();
        });
        assert!(!cancel.sleep(&SystemClock, Duration::from_secs(30)));
        let waited = started.elapsed();
        assert!(waited < Duration::from_secs(5), "waited {waited:?}");
        canceller.join().unwrap();
        // Fired stays fired: the next wait returns at once.
        let started = Instant::now();
        assert!(!cancel.sleep(&SystemClock, Duration::from_secs(30)));
        assert!(started.elapsed() < Duration::from_millis(100));
        assert!(cancel.is_cancelled());
    }

    #[test]
    fn a_wait_that_is_not_cancelled_lasts_its_duration() {
        let started = Instant::now();
        assert!(Cancel::new().sleep(&SystemClock, Duration::from_millis(30)));
        assert!(started.elapsed() >= Duration::from_millis(30));
    }
}
