//! Where requests go: the endpoint override, the financial-zone rule, the default host.

use crate::error::ConfigError;

/// The root domain of the API 3.0 endpoints.
const ROOT_DOMAIN: &str = "tencentcloudapi.com";

/// A resolved endpoint: the URL requests are POSTed to and the `Host` value that is signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Endpoint {
    /// `scheme://host[:port]/`.
    pub(crate) url: String,
    /// `host[:port]`, exactly as the HTTP stack sends it in `Host` (default ports omitted).
    pub(crate) host: String,
}

/// The default endpoint of `service`: `<service>.<region>.tencentcloudapi.com` for a
/// financial-zone region (`*-fsi`, isolated from the others, so the nearest-region host cannot
/// serve it), else `<service>.tencentcloudapi.com`.
pub(crate) fn default_for(service: &str, region: Option<&str>) -> Endpoint {
    let host = match region {
        Some(r) if r.ends_with("-fsi") => format!("{service}.{r}.{ROOT_DOMAIN}"),
        _ => format!("{service}.{ROOT_DOMAIN}"),
    };
    Endpoint {
        url: format!("https://{host}/"),
        host,
    }
}

/// Picks the endpoint: an explicit override, else the service's default.
#[cfg(test)]
fn resolve(
    service: &str,
    region: Option<&str>,
    explicit: Option<&str>,
    allow_http: bool,
) -> Result<Endpoint, ConfigError> {
    match explicit {
        Some(endpoint) => parse(endpoint, allow_http),
        None => Ok(default_for(service, region)),
    }
}

/// Parses an endpoint override: `https://host[:port]` (a trailing `/` allowed), or `http://...`
/// when plain HTTP was explicitly allowed. A bare `host[:port]` means https.
pub(crate) fn parse(endpoint: &str, allow_http: bool) -> Result<Endpoint, ConfigError> {
    let invalid = |reason: &str| ConfigError::InvalidEndpoint {
        endpoint: endpoint.to_owned(),
        reason: reason.to_owned(),
    };
    if endpoint != endpoint.trim() || endpoint.is_empty() {
        return Err(invalid("empty, or has blanks around it"));
    }
    let (scheme, rest) = match endpoint.split_once("://") {
        Some((s, r)) => (s.to_ascii_lowercase(), r),
        None => ("https".to_owned(), endpoint),
    };
    let default_port = match scheme.as_str() {
        "https" => 443,
        "http" if allow_http => 80,
        "http" => {
            return Err(invalid(
                "plain http sends credentials' signatures in clear; use https, or allow it explicitly with ClientBuilder::allow_plain_http (loopback testing)",
            ));
        }
        _ => return Err(invalid("the scheme must be https (or http when allowed)")),
    };
    let authority = rest.strip_suffix('/').unwrap_or(rest);
    if authority.is_empty() {
        return Err(invalid("no host"));
    }
    if authority.contains(['/', '?', '#', '@', ' ']) {
        return Err(invalid(
            "must be scheme://host[:port] with no path, query or user info",
        ));
    }
    // `[v6 address]` or a name / v4 address, then an optional `:port`.
    let (host, port) = match authority.strip_prefix('[') {
        Some(v6) => {
            let (address, rest) = v6
                .split_once(']')
                .ok_or_else(|| invalid("an IPv6 address must be closed with `]`"))?;
            let valid = !address.is_empty()
                && address
                    .chars()
                    .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.');
            if !valid {
                return Err(invalid("not an IPv6 address between `[` and `]`"));
            }
            let port = match rest {
                "" => None,
                _ => Some(
                    rest.strip_prefix(':')
                        .ok_or_else(|| invalid("only `:port` may follow an IPv6 address"))?,
                ),
            };
            (&authority[..address.len() + 2], port)
        }
        None => match authority.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        },
    };
    let port = match port {
        Some(p) => Some(
            p.parse::<u16>()
                .ok()
                .filter(|p| *p != 0)
                .ok_or_else(|| invalid("the port is not a number from 1 to 65535"))?,
        ),
        None => None,
    };
    let host_ok = !host.is_empty()
        && (host.starts_with('[')
            || host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-'));
    if !host_ok {
        return Err(invalid(
            "the host name has characters a host name cannot have",
        ));
    }
    let host = host.to_ascii_lowercase();
    let host = match port {
        Some(p) if p != default_port => format!("{host}:{p}"),
        _ => host,
    };
    Ok(Endpoint {
        url: format!("{scheme}://{host}/"),
        host,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_and_financial_zone_hosts() {
        let e = resolve("redis", Some("ap-guangzhou"), None, false).unwrap();
        assert_eq!(e.url, "https://redis.tencentcloudapi.com/");
        assert_eq!(e.host, "redis.tencentcloudapi.com");
        let e = resolve("redis", Some("ap-shanghai-fsi"), None, false).unwrap();
        assert_eq!(e.host, "redis.ap-shanghai-fsi.tencentcloudapi.com");
        let e = resolve("redis", Some("ap-shenzhen-fsi"), None, false).unwrap();
        assert_eq!(e.url, "https://redis.ap-shenzhen-fsi.tencentcloudapi.com/");
        let e = resolve("redis", None, None, false).unwrap();
        assert_eq!(e.host, "redis.tencentcloudapi.com");
    }

    #[test]
    fn explicit_endpoint_wins_over_the_fsi_rule() {
        let e = resolve(
            "redis",
            Some("ap-shanghai-fsi"),
            Some("https://redis.ap-guangzhou.tencentcloudapi.com"),
            false,
        )
        .unwrap();
        assert_eq!(e.host, "redis.ap-guangzhou.tencentcloudapi.com");
    }

    #[test]
    fn endpoints_are_parsed_strictly() {
        let ok = |s: &str, http: bool| parse(s, http).unwrap();
        assert_eq!(
            ok("redis.tencentcloudapi.com", false).url,
            "https://redis.tencentcloudapi.com/"
        );
        assert_eq!(ok("https://Example.com:443/", false).host, "example.com");
        assert_eq!(
            ok("https://example.com:8443", false).host,
            "example.com:8443"
        );
        assert_eq!(ok("https://[::1]", false).host, "[::1]");
        assert_eq!(ok("https://[::1]:8443/", false).url, "https://[::1]:8443/");
        assert_eq!(ok("http://[fe80::1]:80", true).host, "[fe80::1]");
        let e = ok("http://127.0.0.1:8080", true);
        assert_eq!(
            (e.url.as_str(), e.host.as_str()),
            ("http://127.0.0.1:8080/", "127.0.0.1:8080")
        );
        for bad in [
            "",
            " https://x.com",
            "http://127.0.0.1:1",
            "ftp://x.com",
            "https://",
            "https://x.com/path",
            "https://x.com?q",
            "https://user@x.com",
            "https://x.com:0",
            "https://x.com:99999",
            "https://x.com:port",
            "https://x_y.com",
            "https://[::1",
            "https://[]",
            "https://[::g]",
            "https://[::1]x",
            "https://x.com:",
            "https://a:1:2",
            "not a url",
        ] {
            assert!(parse(bad, false).is_err(), "{bad:?} accepted");
        }
    }
}
