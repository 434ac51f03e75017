//! The one expiry rule of temporary credentials (CVM role, STS, tccli logins): credentials
//! already expired when received are an error, and an expiry is clamped to a sane horizon.

use super::CredentialsError;

/// The longest lifetime believed for temporary credentials: 12 hours, the longest that Tencent
/// Cloud issues (STS `AssumeRole` accepts `DurationSeconds` up to 43200). A later `ExpiredTime`
/// (a broken or hostile metadata service, `i64::MAX`) is treated as now + 12 h, so that refresh
/// still happens.
pub const MAX_LIFETIME_SECS: i64 = 12 * 60 * 60;

/// The expiry to cache for credentials that say they expire at `expired_time` (Unix seconds),
/// received at `now`: `expired_time` no later than `now + max_lifetime` (an absurd expiry, such
/// as centuries ahead, would otherwise disable refresh), or a
/// [`ProviderError`](super::CredentialsErrorKind::ProviderError) when it is not after `now`.
/// `origin` (a URL, a path, an STS call) says where they came from, for the error.
pub(crate) fn checked_expiry(
    provider: &'static str,
    origin: &str,
    now: i64,
    expired_time: i64,
    max_lifetime: i64,
) -> Result<i64, CredentialsError> {
    if expired_time > now {
        return Ok(expired_time.min(now.saturating_add(max_lifetime)));
    }
    Err(CredentialsError::provider_error(
        provider,
        format!(
            "the credentials from {origin} expired {} s before they were received (ExpiredTime \
             {expired_time}, now {now}); check the clock of this machine, or the source",
            now.saturating_sub(expired_time)
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::CredentialsErrorKind;

    #[test]
    fn expiry_rules() {
        let now = 1_000_000;
        let check = |expired| checked_expiry("p", "o", now, expired, MAX_LIFETIME_SECS);
        assert_eq!(check(now + 60).unwrap(), now + 60);
        assert_eq!(
            check(now + MAX_LIFETIME_SECS).unwrap(),
            now + MAX_LIFETIME_SECS
        );
        for absurd in [now + MAX_LIFETIME_SECS + 1, i64::MAX] {
            assert_eq!(
                check(absurd).unwrap(),
                now + MAX_LIFETIME_SECS,
                "ExpiredTime {absurd} at now {now}"
            );
        }
        // A shorter horizon: what STS was asked for.
        assert_eq!(
            checked_expiry("p", "o", 1_000, i64::MAX, 7200).unwrap(),
            8_200
        );
        for past in [now, now - 1, 0, i64::MIN] {
            let e = check(past).unwrap_err();
            assert_eq!(e.kind(), CredentialsErrorKind::ProviderError, "{e:?}");
            assert!(
                e.to_string()
                    .contains(&format!("(ExpiredTime {past}, now {now})")),
                "{e}"
            );
        }
        let e =
            checked_expiry("cvm-role", "http://x/role", 100, 40, MAX_LIFETIME_SECS).unwrap_err();
        assert_eq!(
            e.to_string(),
            "cvm-role: the credentials from http://x/role expired 60 s before they were received \
             (ExpiredTime 40, now 100); check the clock of this machine, or the source"
        );
    }
}
