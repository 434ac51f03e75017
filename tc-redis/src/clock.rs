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
}

/// Parses an HTTP `Date` header (IMF-fixdate, `Sun, 06 Nov 1994 08:49:37 GMT`) to Unix seconds.
///
/// The value comes from the network: anything but a real date from 1970 to 9999 is `None`.
pub(crate) fn parse_http_date(value: &str) -> Option<u64> {
    let mut parts = value.split_ascii_whitespace();
    let _weekday = parts.next()?;
    let day: u64 = parts.next()?.parse().ok()?;
    let month = match parts.next()? {
        "Jan" => 1,
        "Feb" => 2,
        "Mar" => 3,
        "Apr" => 4,
        "May" => 5,
        "Jun" => 6,
        "Jul" => 7,
        "Aug" => 8,
        "Sep" => 9,
        "Oct" => 10,
        "Nov" => 11,
        "Dec" => 12,
        _ => return None,
    };
    let year: u64 = parts.next()?.parse().ok()?;
    let mut hms = parts.next()?.split(':').map(|p| p.parse::<u64>().ok());
    let (h, m, s) = (hms.next()??, hms.next()??, hms.next()??);
    let valid = parts.next()? == "GMT"
        && parts.next().is_none()
        && hms.next().is_none()
        && (1970..=9999).contains(&year)
        && (1..=days_in_month(year, month)).contains(&day)
        && h <= 23
        && m <= 59
        && s <= 60;
    // With the year bounded, the arithmetic below cannot overflow.
    valid.then(|| days_from_civil(year, month, day) * 86_400 + h * 3600 + m * 60 + s)
}

fn days_in_month(year: u64, month: u64) -> u64 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a Gregorian date from 1970 on (Howard Hinnant's `days_from_civil`).
fn days_from_civil(y: u64, m: u64, d: u64) -> u64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
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
