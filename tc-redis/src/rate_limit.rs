//! Client-side rate limiting: one token bucket per action, shared by every clone of a client
//! and every thread, so that a loop over many instances stays under the server's limit instead
//! of collecting `RequestLimitExceeded`.

use crate::cancel::Cancel;
use crate::clock::Clock;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

/// How the client paces its requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum RateLimit {
    /// Each action at most at the rate its spec gives (20/s for CleanUpInstance); actions
    /// without one are not limited. The default.
    #[default]
    FromSpec,
    /// Every action at most this many requests per second.
    PerSecond(u32),
    /// No client-side limit.
    Off,
}

/// The buckets. Each holds at most one token, refilled every `1/rate` seconds plus a margin:
/// requests are spaced evenly. The margin matters: a request delayed on its way (a first
/// connection, a slow hop) lands closer to the next one, and at exactly `1/rate` the server's
/// one-second window would then count `rate + 1` of them.
#[derive(Debug)]
pub(crate) struct Limiter {
    setting: RateLimit,
    next_free: Mutex<HashMap<&'static str, Duration>>,
}

impl Limiter {
    pub(crate) fn new(setting: RateLimit) -> Self {
        Limiter {
            setting,
            next_free: Mutex::new(HashMap::new()),
        }
    }

    /// Waits until `action` may be sent; `false` when `cancel` fired first (the slot taken is
    /// left unused: the pace of the others does not change).
    pub(crate) fn acquire(
        &self,
        action: &'static str,
        spec_rate: Option<u32>,
        clock: &dyn Clock,
        cancel: &Cancel,
    ) -> bool {
        let rate = match self.setting {
            RateLimit::Off => return true,
            RateLimit::PerSecond(n) => n,
            RateLimit::FromSpec => match spec_rate {
                Some(n) => n,
                None => return true,
            },
        };
        let interval = Duration::from_secs(1) / rate.max(1) * 105 / 100;
        // Reserve the next free slot under the lock, then wait outside it.
        let wait = {
            let mut slots = self.next_free.lock().unwrap_or_else(|p| p.into_inner());
            let now = clock.monotonic();
            let slot = slots.entry(action).or_insert(now);
            let start = (*slot).max(now);
            *slot = start + interval;
            start - now
        };
        wait.is_zero() || cancel.sleep(clock, wait)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};

    /// A clock that only moves when slept on.
    #[derive(Debug, Default)]
    struct FakeClock(AtomicU64);
    impl Clock for FakeClock {
        fn now(&self) -> Duration {
            Duration::from_nanos(self.0.load(Ordering::SeqCst))
        }
        fn sleep(&self, d: Duration) {
            self.0.fetch_add(d.as_nanos() as u64, Ordering::SeqCst);
        }
    }

    #[test]
    fn spaces_requests_at_the_spec_rate() {
        let clock = FakeClock::default();
        let l = Limiter::new(RateLimit::FromSpec);
        for _ in 0..41 {
            l.acquire("CleanUpInstance", Some(20), &clock, &Cancel::new());
        }
        // 41 requests at 20/s: the first immediately, then every 52.5 ms (50 ms + 5 %).
        assert_eq!(clock.now(), Duration::from_millis(2100));
        // Other actions have their own bucket; actions without a rate are not limited.
        l.acquire("Other", Some(20), &clock, &Cancel::new());
        l.acquire("Unlimited", None, &clock, &Cancel::new());
        assert_eq!(clock.now(), Duration::from_millis(2100));
    }

    #[test]
    fn off_and_override() {
        let clock = FakeClock::default();
        Limiter::new(RateLimit::Off).acquire("A", Some(1), &clock, &Cancel::new());
        Limiter::new(RateLimit::Off).acquire("A", Some(1), &clock, &Cancel::new());
        assert_eq!(clock.now(), Duration::ZERO);
        let l = Limiter::new(RateLimit::PerSecond(2));
        for _ in 0..3 {
            l.acquire("A", None, &clock, &Cancel::new());
        }
        assert_eq!(clock.now(), Duration::from_millis(1050));
    }

    /// A clock that never moves: slots are handed out as if every request came at once.
    #[derive(Debug)]
    struct FrozenClock;
    impl Clock for FrozenClock {
        fn now(&self) -> Duration {
            Duration::ZERO
        }
        fn sleep(&self, _: Duration) {}
    }

    #[test]
    fn threads_share_the_bucket() {
        let clock = Arc::new(FrozenClock);
        let l = Arc::new(Limiter::new(RateLimit::FromSpec));
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let (l, clock) = (l.clone(), clock.clone());
                std::thread::spawn(move || {
                    for _ in 0..10 {
                        l.acquire("A", Some(10), &*clock, &Cancel::new());
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        // 40 slots at 10/s (105 ms apart) were handed out: the next free one is at 4.2 s.
        let slots = l.next_free.lock().unwrap();
        assert_eq!(slots["A"], Duration::from_millis(4200));
    }

    /// Wall time that an NTP step moves an hour back after the first reading; monotonic time
    /// that does not move.
    #[derive(Debug, Default)]
    struct SteppedBack(AtomicU64);
    impl Clock for SteppedBack {
        fn now(&self) -> Duration {
            let readings = self.0.fetch_add(1, Ordering::SeqCst);
            Duration::from_secs(if readings == 0 {
                1_700_000_000
            } else {
                1_700_000_000 - 3600
            })
        }
        fn monotonic(&self) -> Duration {
            Duration::from_secs(100)
        }
        fn sleep(&self, d: Duration) {
            assert!(d < Duration::from_secs(1), "slept {d:?}");
        }
    }

    #[test]
    fn a_wall_clock_stepped_back_does_not_stall_the_limiter() {
        let l = Limiter::new(RateLimit::FromSpec);
        let clock = SteppedBack::default();
        for _ in 0..3 {
            l.acquire("A", Some(20), &clock, &Cancel::new());
        }
    }

    #[test]
    fn a_cancel_ends_the_wait_at_once_and_says_so() {
        use crate::clock::SystemClock;
        let l = Limiter::new(RateLimit::PerSecond(1));
        let cancel = Cancel::new();
        assert!(
            l.acquire("A", None, &SystemClock, &cancel),
            "the first slot is free"
        );
        let other = cancel.clone();
        let canceller = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            other.cancel();
        });
        let started = std::time::Instant::now();
        // The next slot is a second away; the cancel comes after 50 ms.
        assert!(!l.acquire("A", None, &SystemClock, &cancel));
        assert!(
            started.elapsed() < Duration::from_millis(800),
            "{:?}",
            started.elapsed()
        );
        canceller.join().unwrap();
    }
}
