//! Removing the user information (`user:password@`) of a URL before it reaches a message, a
//! `Debug` or an event: the one redaction rule for proxy and endpoint URLs.
//!
//! A URL parser ends the authority at the first `/`, `?` or `#`, so a password holding one of
//! them (`http://alice:S3cr/et@proxy:3128`, as people write them) would leave its tail after the
//! "authority" and in the message. The rule here does not depend on where a parser would stop:
//! everything from the scheme to the *last* `@` of the text is user information and is replaced.
//! A URL with an `@` in its path loses its host in the message too: a message that says too
//! little is the price of one that never says the password.

/// The text shown in place of user information.
pub(crate) const REDACTED: &str = "<redacted>";

/// `url` with everything between `scheme://` (or the start) and its last `@` replaced by
/// [`REDACTED`]; unchanged when it has no `@`. Only a scheme a proxy or an endpoint can have
/// (`http`, `https`, `socks*`) is kept: in `alice://pw@proxy` without a scheme, `alice` is the
/// user.
pub(crate) fn redact_url(url: &str) -> String {
    let (scheme, rest) = match url.split_once("://") {
        Some((s, r))
            if ["http", "https", "socks4", "socks4a", "socks5", "socks5h"]
                .iter()
                .any(|known| s.eq_ignore_ascii_case(known)) =>
        {
            (Some(s), r)
        }
        _ => (None, url),
    };
    let redacted = match rest.rfind('@') {
        Some(at) => format!("{REDACTED}@{}", &rest[at + 1..]),
        None => rest.to_owned(),
    };
    match scheme {
        Some(s) => format!("{s}://{redacted}"),
        None => redacted,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tc_redis_test_support::Rng;

    #[test]
    fn user_information_is_replaced_up_to_the_last_at() {
        for (url, expected) in [
            ("http://user:pw@proxy:3128", "http://<redacted>@proxy:3128"),
            ("user:pw@proxy:3128/x", "<redacted>@proxy:3128/x"),
            ("http://proxy:3128", "http://proxy:3128"),
            ("http://u:p@w@proxy:1", "http://<redacted>@proxy:1"),
            (
                "http://alice:S3cr/et@proxy:3128",
                "http://<redacted>@proxy:3128",
            ),
            (
                "http://alice:a?b#c@proxy:3128/",
                "http://<redacted>@proxy:3128/",
            ),
            ("https://x.com/", "https://x.com/"),
        ] {
            assert_eq!(redact_url(url), expected, "{url}");
        }
    }

    /// The property of the fuzzer that found `S3cr/et`: whatever the password holds (`/`, `?`,
    /// `#`, `@`, `:`, `%`, ...), the redacted URL is exactly the scheme, the placeholder and
    /// what follows the user information: not one character of the user or password.
    #[test]
    fn no_password_survives_redaction() {
        const ALPHABET: &[u8] = b"abcXYZ019/?#@:%[]!$&'()*+,;= .-_~";
        let mut rng = Rng::new(0x7265_6461_6374);
        for _ in 0..20_000 {
            let len = 1 + rng.below(24);
            let password: String = (0..len)
                .map(|_| ALPHABET[rng.below(ALPHABET.len())] as char)
                .collect();
            for (scheme, user, after) in [
                ("http://", "alice:", "proxy.corp:3128"),
                ("https://", "alice:", "[::1]:3128/"),
                ("", "alice:", "proxy"),
                ("http://", "", "proxy:1"),
            ] {
                let url = format!("{scheme}{user}{password}@{after}");
                assert_eq!(
                    redact_url(&url),
                    format!("{scheme}{REDACTED}@{after}"),
                    "{url:?}"
                );
            }
        }
    }
}
