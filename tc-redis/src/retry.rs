//! When to send a request again, and how long to wait first.
//!
//! Only what was certainly not executed is retried for every action: `RequestLimitExceeded*`,
//! and transport failures before any byte was sent. Failures after the request may have reached
//! the server (a read timeout, a reset, a 5xx from a gateway) are retried only for actions the
//! spec marks idempotent. Unlike the official Python retryer, there is no sleep after the last
//! attempt, and a retry that succeeds returns its success.

use std::time::Duration;

/// The retry settings. [`RetryPolicy::default`] makes 3 attempts, waiting about 0.5 s then 1 s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
        }
    }
}

impl RetryPolicy {
    /// No retries: every call is sent at most once (the clock-skew correction excepted, which
    /// re-sends a request the server refused unread).
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// Sets the total number of attempts (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Sets the wait before the first retry; it doubles for each further one.
    pub fn initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// Sets the longest wait between two attempts.
    pub fn max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// The total number of attempts.
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The wait after failed attempt `attempt` (1-based): exponential, capped, with jitter in
    /// `[d/2, d]` drawn from `random` (a value in `[0, 1)`) so that clients do not retry in step.
    pub fn backoff(&self, attempt: u32, random: f64) -> Duration {
        let exp = self
            .initial_backoff
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(20));
        let capped = exp.min(self.max_backoff);
        // `mul_f64` panics when the product rounds past `Duration::MAX` (a backoff set to it).
        let factor = 0.5 + 0.5 * random.clamp(0.0, 1.0);
        Duration::try_from_secs_f64(capped.as_secs_f64() * factor).unwrap_or(capped)
    }
}

/// Whether an API error code says the request was refused for its rate, unexecuted.
pub(crate) fn is_rate_limited(code: &str) -> bool {
    code == "RequestLimitExceeded" || code.starts_with("RequestLimitExceeded.")
}

/// A small xorshift generator for jitter: no dependency, no global state.
#[derive(Debug)]
pub(crate) struct Jitter(std::sync::atomic::AtomicU64);

impl Jitter {
    pub(crate) fn new(seed: u64) -> Self {
        Jitter(std::sync::atomic::AtomicU64::new(seed | 1))
    }

    /// A value in `[0, 1)`.
    pub(crate) fn next(&self) -> f64 {
        use std::sync::atomic::Ordering::Relaxed;
        let mut x = self.0.load(Relaxed);
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0.store(x, Relaxed);
        (x >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_is_capped_and_jittered() {
        let p = RetryPolicy::default()
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_millis(350));
        assert_eq!(p.backoff(1, 0.999_999).as_millis(), 99);
        assert_eq!(p.backoff(1, 0.0), Duration::from_millis(50));
        assert_eq!(p.backoff(2, 0.0), Duration::from_millis(100));
        assert_eq!(p.backoff(3, 0.0), Duration::from_millis(175));
        assert_eq!(p.backoff(30, 0.0), Duration::from_millis(175));
        assert_eq!(RetryPolicy::none().attempts(), 1);
        assert_eq!(RetryPolicy::default().max_attempts(0).attempts(), 1);
    }

    #[test]
    fn jitter_stays_in_range() {
        let j = Jitter::new(42);
        for _ in 0..1000 {
            let x = j.next();
            assert!((0.0..1.0).contains(&x));
        }
    }

    #[test]
    fn rate_limit_codes() {
        assert!(is_rate_limited("RequestLimitExceeded"));
        assert!(is_rate_limited("RequestLimitExceeded.UinLimitExceeded"));
        assert!(is_rate_limited("RequestLimitExceeded.IPLimitExceeded"));
        assert!(!is_rate_limited("RequestLimitExceededX"));
        assert!(!is_rate_limited("LimitExceeded"));
    }
}
