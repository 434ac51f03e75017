//! Where requests go: the endpoint override, the financial-zone rule, the root domain.
//!
//! The official SDKs build the host the same way: `<service>.<root domain>`, the root domain
//! `tencentcloudapi.com` unless the profile sets another (TencentCloud/tencentcloud-sdk-go,
//! `tencentcloud/common/http/request.go` `GetServiceDomain` and `RootDomain`;
//! `tencentcloud/common/profile/http_profile.go` `HttpProfile.RootDomain`; the endpoint, when
//! set, wins: `tencentcloud/common/client.go` `completeRequest`). The international site's SDK
//! (`tencentcloud-sdk-python-intl-en`) defaults the root domain to `intl.tencentcloudapi.com`.
//! The SDKs have no financial-zone rule: Tencent's API pages ask for a host carrying the
//! financial region (`redis.ap-shanghai-fsi.tencentcloudapi.com`), which this module derives.

use crate::error::ConfigError;

/// The root domain of the API 3.0 endpoints of the Chinese site.
pub const DEFAULT_ROOT_DOMAIN: &str = "tencentcloudapi.com";

/// The root domain of the international site's endpoints.
pub const INTL_ROOT_DOMAIN: &str = "intl.tencentcloudapi.com";

/// A resolved endpoint: the URL requests are POSTed to and the `Host` value that is signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Endpoint {
    /// `scheme://host[:port]/`.
    pub(crate) url: String,
    /// `host[:port]`, exactly as the HTTP stack sends it in `Host` (default ports omitted).
    pub(crate) host: String,
}

/// The default endpoint of `service` under the root domain `root`:
/// `<service>.<region>.<root>` for a financial-zone region (`*-fsi`, isolated from the others, so
/// the nearest-region host cannot serve it), else `<service>.<root>`.
pub(crate) fn default_for(service: &str, region: Option<&str>, root: &str) -> Endpoint {
    let host = match region {
        Some(r) if r.ends_with("-fsi") => format!("{service}.{r}.{root}"),
        _ => format!("{service}.{root}"),
    };
    Endpoint {
        url: format!("https://{host}/"),
        host,
    }
}

/// Picks the endpoint as the client does: an explicit override, else the service's default
/// under the root domain ([`DEFAULT_ROOT_DOMAIN`] unless set). The root domain is checked even
/// when an explicit endpoint wins: a typo is reported, not silently unused.
#[cfg(test)]
fn resolve(
    service: &str,
    region: Option<&str>,
    root_domain: Option<&str>,
    explicit: Option<&str>,
    allow_http: bool,
) -> Result<Endpoint, ConfigError> {
    let root = match root_domain {
        Some(d) => check_root_domain(d)?,
        None => DEFAULT_ROOT_DOMAIN.to_owned(),
    };
    match explicit {
        Some(endpoint) => parse(endpoint, allow_http),
        None => Ok(default_for(service, region, &root)),
    }
}

/// A root domain: dot-separated labels of letters, digits and `-`, such as
/// `intl.tencentcloudapi.com`; returned in lower case.
pub(crate) fn check_root_domain(domain: &str) -> Result<String, ConfigError> {
    let valid = !domain.is_empty()
        && domain.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    if !valid {
        return Err(ConfigError::InvalidSetting {
            setting: "root_domain",
            reason: format!(
                "{domain:?} is not a domain name such as \"{INTL_ROOT_DOMAIN}\" (no scheme, port, path or leading dot)"
            ),
        });
    }
    Ok(domain.to_ascii_lowercase())
}

/// Parses an endpoint override: `https://host[:port]` (a trailing `/` allowed), or `http://...`
/// to a loopback host ([`is_loopback`]) when plain HTTP was explicitly allowed: a signed request
/// in clear text never leaves the machine. A bare `host[:port]` means https.
pub(crate) fn parse(endpoint: &str, allow_http: bool) -> Result<Endpoint, ConfigError> {
    // Never the user info (`user:password@`) of a URL in an error.
    let invalid = |reason: &str| ConfigError::InvalidEndpoint {
        endpoint: crate::redact::redact_url(endpoint),
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
    // The longest DNS name (RFC 1035, 253 characters as text).
    if host.len() > 253 {
        return Err(invalid("the host name is longer than 253 characters"));
    }
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
    if scheme == "http" && !is_loopback(host) {
        return Err(invalid(
            // A signed request in clear text must not leave the machine.
            "plain http is only for a loopback host (localhost, 127.0.0.0/8, [::1]); use https",
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

/// Whether `host` (a name or an address, `[v6]` brackets and a `:port` allowed) is loopback:
/// `localhost` and its subdomains (RFC 6761), in any case and with a trailing dot
/// (`localhost.` is the same name written fully qualified), `127.0.0.0/8` and `::1`.
///
/// The one loopback rule of tc-redis: plain `http` endpoints, proxy bypass and the main job's
/// advice all ask it.
///
/// ```
/// use tc_redis::network::is_loopback;
///
/// assert!(is_loopback("LocalHost.") && is_loopback("127.0.0.2:8080") && is_loopback("[::1]:80"));
/// assert!(!is_loopback("localhost.example.com") && !is_loopback("10.0.0.1"));
/// ```
pub fn is_loopback(host: &str) -> bool {
    // `[v6]:port`, `[v6]`, a bare v6 address, or `name[:port]`.
    let name = match host.strip_prefix('[') {
        Some(v6) => v6.split_once(']').map_or(v6, |(address, _)| address),
        None if host.matches(':').count() > 1 => host,
        None => host.split_once(':').map_or(host, |(name, _)| name),
    };
    let name = name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase();
    name == "localhost"
        || name.ends_with(".localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_is_one_rule_with_case_ports_brackets_and_a_trailing_dot() {
        for yes in [
            "localhost",
            "LOCALHOST",
            "localhost.",
            "LocalHost.:8080",
            "a.localhost",
            "127.0.0.1",
            "127.1.2.3:80",
            "::1",
            "[::1]",
            "[::1]:8443",
        ] {
            assert!(is_loopback(yes), "{yes}");
        }
        for no in [
            "localhost.example.com",
            "mylocalhost",
            "10.0.0.1",
            "128.0.0.1",
            "[::2]",
            "example.com",
            "",
            "localhost..",
        ] {
            assert!(!is_loopback(no), "{no}");
        }
    }

    #[test]
    fn plain_http_reaches_loopback_only() {
        for ok in [
            "http://localhost:8080",
            "http://localhost.:8080",
            "http://LOCALHOST",
            "http://127.0.0.1:1234",
            "http://[::1]:1234",
        ] {
            assert!(parse(ok, true).is_ok(), "{ok} refused");
        }
        for bad in [
            "http://example.com",
            "http://10.0.0.1:8080",
            "http://[fe80::1]:80",
            "http://localhost.example.com",
        ] {
            let err = parse(bad, true).unwrap_err().to_string();
            assert!(err.contains("loopback"), "{bad}: {err}");
        }
    }

    #[test]
    fn default_and_financial_zone_hosts() {
        let e = resolve("redis", Some("ap-guangzhou"), None, None, false).unwrap();
        assert_eq!(e.url, "https://redis.tencentcloudapi.com/");
        assert_eq!(e.host, "redis.tencentcloudapi.com");
        let e = resolve("redis", Some("ap-shanghai-fsi"), None, None, false).unwrap();
        assert_eq!(e.host, "redis.ap-shanghai-fsi.tencentcloudapi.com");
        let e = resolve("redis", Some("ap-shenzhen-fsi"), None, None, false).unwrap();
        assert_eq!(e.url, "https://redis.ap-shenzhen-fsi.tencentcloudapi.com/");
        let e = resolve("redis", None, None, None, false).unwrap();
        assert_eq!(e.host, "redis.tencentcloudapi.com");
    }

    #[test]
    fn explicit_endpoint_wins_over_the_fsi_rule() {
        let e = resolve(
            "redis",
            Some("ap-shanghai-fsi"),
            None,
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
        assert_eq!(ok("http://[::1]:80", true).host, "[::1]");
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
