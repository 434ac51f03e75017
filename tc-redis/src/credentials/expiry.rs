//! The expiry rules of temporary credentials (CVM role today, STS providers too): credentials
//! already expired are an error, and an expiry is clamped to a sane horizon.

use super::CredentialsError;

/// The longest lifetime believed for temporary credentials: 12 hours, the longest that Tencent
/// Cloud issues (STS `AssumeRole` accepts `DurationSeconds` up to 43200). A later `ExpiredTime`
/// (a broken or hostile metadata service, `i64::MAX`) is treated as now + 12 h, so that refresh
/// still happens.
pub const MAX_LIFETIME_SECS: i64 = 12 * 60 * 60;

/// The expiry to cache for credentials that say they expire at `expired_time` (Unix seconds),
/// fetched at `now`: `expired_time` clamped to `now + MAX_LIFETIME_SECS`, or
/// [`CredentialsError::Expired`] when it is not after `now`. `origin` (a URL, a path) says where
/// they came from, for the error.
pub(crate) fn checked_expiry(
    provider: &'static str,
    origin: &str,
    now: i64,
    expired_time: i64,
) -> Result<i64, CredentialsError> {
    clamped_expiry(now, expired_time, MAX_LIFETIME_SECS).ok_or_else(|| CredentialsError::Expired {
        provider,
        origin: origin.to_owned(),
        expired_time,
        now,
    })
}

/// The one rule every source of temporary credentials follows: `None` when `expired_time` is
/// not after `now` (already expired), else `expired_time` no later than `now + max_lifetime`
/// (an absurd expiry, such as centuries ahead, would otherwise disable refresh).
pub(crate) fn clamped_expiry(now: i64, expired_time: i64, max_lifetime: i64) -> Option<i64> {
    (expired_time > now).then(|| expired_time.min(now.saturating_add(max_lifetime)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_rules() {
        let now = 1_000_000;
        assert_eq!(checked_expiry("p", "o", now, now + 60).unwrap(), now + 60);
        assert_eq!(
            checked_expiry("p", "o", now, now + MAX_LIFETIME_SECS).unwrap(),
            now + MAX_LIFETIME_SECS
        );
        for absurd in [now + MAX_LIFETIME_SECS + 1, i64::MAX] {
            assert_eq!(
                checked_expiry("p", "o", now, absurd).unwrap(),
                now + MAX_LIFETIME_SECS,
                "ExpiredTime {absurd} at now {now}"
            );
        }
        for past in [now, now - 1, 0, i64::MIN] {
            let e = checked_expiry("cvm-role", "http://x/role", now, past).unwrap_err();
            assert!(
                matches!(e, CredentialsError::Expired { expired_time, now: n, .. } if expired_time == past && n == now),
                "{e:?}"
            );
        }
        let e = checked_expiry("cvm-role", "http://x/role", 100, 40).unwrap_err();
        assert_eq!(
            e.to_string(),
            "cvm-role: the credentials from http://x/role expired 60 s before they were received \
             (ExpiredTime 40, now 100); check the clock of this machine, or the source"
        );
    }
}
