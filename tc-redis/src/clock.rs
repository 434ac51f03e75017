//! Time: the wall clock that timestamps requests, the monotonic clock that paces them, and the
//! sleep that backoff and rate limiting wait with, behind one trait so that tests replace all
//! three and never wait.

use std::fmt;
use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// A source of time and a way to wait.
pub trait Clock: Send + Sync + fmt::Debug {
    /// Wall-clock time since the Unix epoch: what requests are timestamped with.
    fn now(&self) -> Duration;

    /// Time since some fixed point that never goes back: what rate limiting and waiting are
    /// measured with, so that a wall clock stepped back (NTP correcting a wrong clock) does not
    /// make the client sleep for the size of the step.
    ///
    /// The default is [`now`](Clock::now), which suits test clocks that only move forward; a
    /// clock that follows real time must override it.
    fn monotonic(&self) -> Duration {
        self.now()
    }

    /// Waits for `duration`.
    fn sleep(&self, duration: Duration);

    /// Whether this is [`SystemClock`]: its waits are made on a [`Cancel`](crate::Cancel)
    /// handle's condition variable, so that cancelling wakes them. Other clocks sleep with
    /// [`sleep`](Clock::sleep) and the handle is checked after.
    #[doc(hidden)]
    fn is_system(&self) -> bool {
        false
    }
}

/// The system clock and `std::thread::sleep`.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Duration {
        // A clock before 1970 is treated as 1970; the server's SignatureExpire then corrects it.
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
    }

    fn monotonic(&self) -> Duration {
        static ORIGIN: OnceLock<Instant> = OnceLock::new();
        ORIGIN.get_or_init(Instant::now).elapsed()
    }

    fn sleep(&self, duration: Duration) {
        std::thread::sleep(duration);
    }

    fn is_system(&self) -> bool {
        true
    }
}

/// Parses an HTTP `Date` header (IMF-fixdate, `Sun, 06 Nov 1994 08:49:37 GMT`, and the two
/// obsolete forms RFC 9110 asks recipients to accept) to Unix seconds, with `httpdate`.
///
/// The value comes from the network: anything but a real date from 1970 to 9999 is `None`.
pub(crate) fn parse_http_date(value: &str) -> Option<u64> {
    let time = httpdate::parse_http_date(value).ok()?;
    time.duration_since(std::time::UNIX_EPOCH)
        .ok()
        .map(|d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates_parse() {
        assert_eq!(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
        assert_eq!(
            parse_http_date("Mon, 25 Feb 2019 16:44:25 GMT"),
            Some(1551113065)
        );
        assert_eq!(
            parse_http_date("Thu, 29 Feb 2024 23:59:59 GMT"),
            Some(1709251199)
        );
        assert_eq!(
            parse_http_date("Fri, 31 Dec 9999 23:59:59 GMT"),
            Some(253402300799)
        );
        for bad in [
            "",
            "yesterday",
            "Mon, 25 Foo 2019 16:44:25 GMT",
            "Mon, 25 Feb 2019 16:44:25 PST",
            "Mon, 25 Feb 2019 25:00:00 GMT",
            "Mon, 25 Feb 2019 16:44 GMT",
            "Mon, 01 Jan 18446744073709551615 00:00:00 GMT",
            "Mon, 01 Jan 300000000000 00:00:00 GMT",
            "Mon, 31 Feb 2019 00:00:00 GMT",
            "Mon, 29 Feb 2019 00:00:00 GMT",
            "Mon, 25 Feb 2019 16:44:25 GMT extra",
            "Mon, 25 Feb 2019 16:44:25:01 GMT",
        ] {
            assert_eq!(parse_http_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_system_clock_is_monotonic() {
        let (a, b) = (SystemClock.monotonic(), SystemClock.monotonic());
        assert!(b >= a);
    }
}
