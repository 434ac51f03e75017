//! Which proxy, if any, requests go through: the builder's setting, else the environment, read
//! by tc-redis itself so that a value it cannot use is an error instead of a direct connection.
//!
//! The rules are curl's (<https://everything.curl.dev/usingcurl/proxies/env.html>):
//!
//! 1. [`ClientBuilder::proxy`](crate::ClientBuilder::proxy), when set, is used for every request
//!    and the environment is not read.
//! 2. Otherwise, an endpoint on loopback (`localhost`, `127.0.0.0/8`, `::1`) is reached directly.
//! 3. Otherwise `no_proxy`, then `NO_PROXY`: a comma-separated list of `*` (every host), host
//!    names (`example.com` matches it and its subdomains; a leading `.` or `*.` is allowed),
//!    IP addresses and CIDR blocks (`10.0.0.0/8`), each with an optional `:port`. A match means
//!    a direct connection.
//! 4. Otherwise, for an `https` endpoint: `https_proxy`, `HTTPS_PROXY`, `all_proxy`,
//!    `ALL_PROXY`, the first one set and non-empty. For a plain-`http` endpoint: `http_proxy`
//!    (lower case only), `all_proxy`, `ALL_PROXY`. `HTTP_PROXY` in upper case is never read: a
//!    CGI server sets it from a request's `Proxy:` header ("httpoxy", CVE-2016-5385).
//!
//! A proxy is `http://[user:password@]host[:port]` (port 1080 by default, as curl), or
//! `https://...`; no scheme means `http`. A value that is not one of these, and a `NO_PROXY`
//! entry that is not a host, address or block, is a [`ConfigError`] naming the variable.

use crate::endpoint::Endpoint;
use crate::error::ConfigError;
use std::net::IpAddr;

/// The chosen proxy.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct ProxyChoice {
    /// The proxy URL, normalised to `scheme://[userinfo@]host:port` (it may hold a password:
    /// never print it, print [`ProxyChoice::redacted`]).
    pub(crate) url: String,
    /// Where it came from: `proxy` (the builder's setting) or the environment variable's name.
    pub(crate) source: &'static str,
    /// `host:port` of the proxy, for logs.
    pub(crate) address: String,
}

impl std::fmt::Debug for ProxyChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProxyChoice")
            .field("url", &self.redacted())
            .field("source", &self.source)
            .finish()
    }
}

impl ProxyChoice {
    /// The URL with any user and password replaced.
    pub(crate) fn redacted(&self) -> String {
        redact(&self.url)
    }
}

/// The name [`ProxyChoice::source`] has for the builder's setting.
pub(crate) const EXPLICIT: &str = "proxy";

/// Chooses the proxy for an endpoint (`https` or not, `host[:port]` as signed), by the rules of
/// the module documentation. `env` reads a variable (`std::env::var` in the client; a map in
/// tests, which must not race on the process environment).
pub(crate) fn choose(
    explicit: Option<&str>,
    https: bool,
    endpoint_host: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<ProxyChoice>, ConfigError> {
    if let Some(url) = explicit {
        return parse_proxy(url, EXPLICIT).map(Some);
    }
    let (host, port) = split_host_port(endpoint_host, if https { 443 } else { 80 });
    if is_loopback(host) {
        return Ok(None);
    }
    let read = |name: &'static str| {
        env(name)
            .filter(|v| !v.trim().is_empty())
            .map(|v| (name, v))
    };
    if let Some((name, list)) = read("no_proxy").or_else(|| read("NO_PROXY"))
        && no_proxy_matches(&list, host, port, name)?
    {
        return Ok(None);
    }
    let order: &[&'static str] = if https {
        &["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"]
    } else {
        &["http_proxy", "all_proxy", "ALL_PROXY"]
    };
    match order.iter().find_map(|name| read(name)) {
        Some((name, value)) => parse_proxy(value.trim(), name).map(Some),
        None => Ok(None),
    }
}

/// [`choose`] for a client's endpoint, from the process environment; logs the choice.
pub(crate) fn from_builder_or_env(
    explicit: Option<&str>,
    endpoint: &Endpoint,
) -> Result<Option<ProxyChoice>, ConfigError> {
    let https = endpoint.url.starts_with("https://");
    let choice = choose(explicit, https, &endpoint.host, &|name| {
        std::env::var(name).ok()
    })?;
    crate::events::proxy_chosen(
        &endpoint.host,
        choice.as_ref().map(|c| (c.source, c.address.as_str())),
    );
    Ok(choice)
}

/// Checks a proxy URL and normalises it to `scheme://[userinfo@]host:port`.
fn parse_proxy(value: &str, source: &'static str) -> Result<ProxyChoice, ConfigError> {
    let invalid = |why: &str| ConfigError::InvalidSetting {
        setting: source,
        reason: format!(
            "{:?} is not a usable proxy: {why}. Expected http://[user:password@]host[:port]; unset the variable to connect directly",
            redact(value)
        ),
    };
    let (scheme, rest) = match value.split_once("://") {
        Some((s, r)) => (s.to_ascii_lowercase(), r),
        None => ("http".to_owned(), value),
    };
    match scheme.as_str() {
        "http" | "https" => {}
        s if s.starts_with("socks") => {
            return Err(invalid(
                "SOCKS proxies are not supported, only HTTP CONNECT ones",
            ));
        }
        _ => return Err(invalid("the scheme must be http or https")),
    }
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    if rest.contains(['/', '?', '#']) || rest.chars().any(char::is_whitespace) {
        return Err(invalid("it has a path, a query or blanks"));
    }
    let (userinfo, authority) = match rest.rsplit_once('@') {
        Some((u, a)) if !u.is_empty() => (Some(u), a),
        Some(_) => return Err(invalid("an empty user before `@`")),
        None => (None, rest),
    };
    let default_port = if scheme == "https" { 443 } else { 1080 };
    let port_of = |p: &str| {
        p.parse::<u16>()
            .ok()
            .filter(|p| *p != 0)
            .ok_or_else(|| invalid("the port is not a number from 1 to 65535"))
    };
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (address, rest) = v6
            .split_once(']')
            .ok_or_else(|| invalid("an IPv6 address must be closed with `]`"))?;
        let host = &authority[..address.len() + 2];
        match rest {
            "" => (host, default_port),
            r => match r.strip_prefix(':') {
                Some(p) => (host, port_of(p)?),
                None => return Err(invalid("only `:port` may follow an IPv6 address")),
            },
        }
    } else if authority.matches(':').count() > 1 {
        return Err(invalid("an IPv6 address must be written in brackets"));
    } else {
        match authority.split_once(':') {
            Some((h, p)) => (h, port_of(p)?),
            None => (authority, default_port),
        }
    };
    let host_ok = match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        Some(v6) => v6.parse::<std::net::Ipv6Addr>().is_ok(),
        None => {
            !host.is_empty()
                && host
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        }
    };
    if !host_ok {
        return Err(invalid(
            "no host, or a host name with characters a host cannot have",
        ));
    }
    let address = format!("{}:{port}", host.to_ascii_lowercase());
    let url = match userinfo {
        Some(u) => format!("{scheme}://{u}@{address}"),
        None => format!("{scheme}://{address}"),
    };
    Ok(ProxyChoice {
        url,
        source,
        address,
    })
}

/// `host[:port]` (a `[v6]` host keeps its brackets off) and the port, `default` when absent.
fn split_host_port(host_port: &str, default: u16) -> (&str, u16) {
    if let Some(v6) = host_port.strip_prefix('[') {
        let (address, rest) = v6.split_once(']').unwrap_or((v6, ""));
        let port = rest.strip_prefix(':').and_then(|p| p.parse().ok());
        return (address, port.unwrap_or(default));
    }
    match host_port.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') => (h, p.parse().unwrap_or(default)),
        _ => (host_port, default),
    }
}

/// `localhost` (and its subdomains, RFC 6761), `127.0.0.0/8`, `::1`.
fn is_loopback(host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    host == "localhost"
        || host.ends_with(".localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Whether a `NO_PROXY` list exempts `host:port`; a malformed entry is an error naming `name`.
fn no_proxy_matches(
    list: &str,
    host: &str,
    port: u16,
    name: &'static str,
) -> Result<bool, ConfigError> {
    let host = host.to_ascii_lowercase();
    let host = host.trim_end_matches('.');
    let mut matched = false;
    for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let rule = NoProxyRule::parse(entry).ok_or_else(|| ConfigError::InvalidSetting {
            setting: name,
            reason: format!(
                "entry {entry:?} is not `*`, a host name, an IP address or a CIDR block (each with an optional :port)"
            ),
        })?;
        matched |= rule.matches(host, port);
    }
    Ok(matched)
}

/// One `NO_PROXY` entry.
enum NoProxyRule {
    All,
    /// A domain: itself and its subdomains.
    Domain(String, Option<u16>),
    Block(IpAddr, u8, Option<u16>),
}

impl NoProxyRule {
    fn parse(entry: &str) -> Option<NoProxyRule> {
        if entry == "*" {
            return Some(NoProxyRule::All);
        }
        // CIDR first: `10.0.0.0/8`, `::1/128` (no port on a block).
        if let Some((address, bits)) = entry.split_once('/') {
            let ip: IpAddr = address
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse()
                .ok()?;
            let bits: u8 = bits.parse().ok()?;
            let max = if ip.is_ipv4() { 32 } else { 128 };
            return (bits <= max).then_some(NoProxyRule::Block(ip, bits, None));
        }
        let (host, port) = match entry.strip_prefix('[') {
            Some(v6) => {
                let (address, rest) = v6.split_once(']')?;
                let port = match rest {
                    "" => None,
                    r => Some(r.strip_prefix(':')?.parse::<u16>().ok()?),
                };
                (address, port)
            }
            // A bare IPv6 address has several `:`.
            None if entry.matches(':').count() > 1 => (entry, None),
            None => match entry.split_once(':') {
                Some((h, p)) => (h, Some(p.parse::<u16>().ok()?)),
                None => (entry, None),
            },
        };
        if let Ok(ip) = host.parse::<IpAddr>() {
            let bits = if ip.is_ipv4() { 32 } else { 128 };
            return Some(NoProxyRule::Block(ip, bits, port));
        }
        let domain = host
            .strip_prefix("*.")
            .or_else(|| host.strip_prefix('.'))
            .unwrap_or(host)
            .trim_end_matches('.')
            .to_ascii_lowercase();
        let valid = !domain.is_empty()
            && domain
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
        valid.then_some(NoProxyRule::Domain(domain, port))
    }

    fn matches(&self, host: &str, port: u16) -> bool {
        let port_ok = |p: &Option<u16>| p.is_none_or(|p| p == port);
        match self {
            NoProxyRule::All => true,
            NoProxyRule::Domain(domain, p) => {
                let in_domain = host == domain
                    || host
                        .strip_suffix(domain.as_str())
                        .is_some_and(|sub| sub.ends_with('.'));
                in_domain && port_ok(p)
            }
            NoProxyRule::Block(block, bits, p) => {
                let Ok(ip) = host.parse::<IpAddr>() else {
                    return false;
                };
                in_block(ip, *block, *bits) && port_ok(p)
            }
        }
    }
}

fn in_block(ip: IpAddr, block: IpAddr, bits: u8) -> bool {
    let (ip, block, width) = match (ip, block) {
        (IpAddr::V4(a), IpAddr::V4(b)) => (u32::from(a) as u128, u32::from(b) as u128, 32),
        (IpAddr::V6(a), IpAddr::V6(b)) => (u128::from(a), u128::from(b), 128),
        _ => return false,
    };
    let shift = width - u32::from(bits);
    if shift >= 128 {
        return true;
    }
    (ip >> shift) == (block >> shift)
}

/// A URL with any `user[:password]@` replaced, for messages and `Debug`.
pub(crate) fn redact(url: &str) -> String {
    let (scheme, rest) = match url.split_once("://") {
        Some((s, r)) => (Some(s), r),
        None => (None, url),
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let redacted = match rest[..authority_end].rfind('@') {
        Some(at) => format!("<redacted>@{}", &rest[at + 1..]),
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
    use std::collections::HashMap;

    fn choose_with(
        vars: &[(&str, &str)],
        https: bool,
        host: &str,
    ) -> Result<Option<String>, String> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        choose(None, https, host, &|name| vars.get(name).cloned())
            .map(|c| c.map(|c| format!("{} {}", c.source, c.url)))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn order_and_precedence_follow_curl() {
        let host = "redis.tencentcloudapi.com";
        let all = [
            ("https_proxy", "http://lower:1"),
            ("HTTPS_PROXY", "http://upper:2"),
            ("all_proxy", "http://all-lower:3"),
            ("ALL_PROXY", "http://all-upper:4"),
            ("HTTP_PROXY", "http://httpoxy:5"),
        ];
        for skip in 0..4 {
            let got = choose_with(&all[skip..], true, host).unwrap();
            let (name, url) = all[skip];
            assert_eq!(
                got,
                Some(format!("{name} {url}")),
                "with {:?}",
                &all[skip..]
            );
        }
        // Upper-case HTTP_PROXY is never read, for https or http.
        assert_eq!(choose_with(&all[4..], true, host), Ok(None));
        assert_eq!(choose_with(&all[4..], false, host), Ok(None));
        // http_proxy in lower case is, for a plain-http endpoint only.
        let vars = [("http_proxy", "proxy:8080"), ("HTTPS_PROXY", "http://s:1")];
        assert_eq!(
            choose_with(&vars, false, "fake.internal:8080"),
            Ok(Some("http_proxy http://proxy:8080".to_owned()))
        );
        // Empty means unset.
        let vars = [("https_proxy", " "), ("HTTPS_PROXY", "http://s:1")];
        assert_eq!(
            choose_with(&vars, true, host),
            Ok(Some("HTTPS_PROXY http://s:1".to_owned()))
        );
        // No scheme: http, port 1080 (curl).
        assert_eq!(
            choose_with(&[("HTTPS_PROXY", "proxy.corp")], true, host),
            Ok(Some("HTTPS_PROXY http://proxy.corp:1080".to_owned()))
        );
    }

    #[test]
    fn malformed_values_name_their_variable_and_hide_the_password() {
        for bad in [
            "socks5://p:1080",
            "ftp://p:21",
            "http://p:99999",
            "http://p:port",
            "http://p/path",
            "http://",
            "http://user:s3cret-pw@",
            "http://user:s3cret-pw@p q:1",
            "http://::1:8080",
        ] {
            let err = choose_with(&[("HTTPS_PROXY", bad)], true, "redis.tencentcloudapi.com")
                .unwrap_err();
            assert!(err.starts_with("HTTPS_PROXY: "), "{bad}: {err}");
            assert!(!err.contains("s3cret-pw"), "{bad}: {err}");
        }
        let err = choose_with(
            &[("NO_PROXY", "a.com, b c"), ("HTTPS_PROXY", "http://p:1")],
            true,
            "redis.tencentcloudapi.com",
        )
        .unwrap_err();
        assert!(
            err.starts_with("NO_PROXY: ") && err.contains("\"b c\""),
            "{err}"
        );
    }

    #[test]
    fn no_proxy_follows_curl_with_ports_and_blocks() {
        let proxied = |no_proxy: &str, host: &str| {
            choose_with(
                &[("no_proxy", no_proxy), ("HTTPS_PROXY", "http://p:1")],
                true,
                host,
            )
            .unwrap()
            .is_some()
        };
        let host = "redis.tencentcloudapi.com";
        for (list, expect_proxy) in [
            ("*", false),
            ("tencentcloudapi.com", false),
            (".tencentcloudapi.com", false),
            ("*.tencentcloudapi.com", false),
            ("redis.tencentcloudapi.com", false),
            ("REDIS.TencentCloudAPI.com.", false),
            ("redis.tencentcloudapi.com:443", false),
            ("redis.tencentcloudapi.com:8443", true),
            ("cloudapi.com", true),
            ("other.com, , example.org", true),
            ("10.0.0.0/8", true),
        ] {
            assert_eq!(proxied(list, host), expect_proxy, "NO_PROXY={list:?}");
        }
        assert!(!proxied("10.0.0.0/8", "10.1.2.3:8443"));
        assert!(proxied("10.0.0.0/16", "10.1.2.3:8443"));
        assert!(!proxied("10.1.2.3", "10.1.2.3"));
        assert!(!proxied("[fd00::1]:8443", "[fd00::1]:8443"));
        assert!(!proxied("fd00::/8", "[fd00::1]"));
        assert!(proxied("fd00::/16", "[fd01::1]"));
    }

    #[test]
    fn loopback_is_never_proxied_from_the_environment() {
        let vars = [
            ("HTTPS_PROXY", "http://p:1"),
            ("all_proxy", "http://p:1"),
            ("http_proxy", "http://p:1"),
        ];
        for host in [
            "127.0.0.1:8080",
            "127.8.9.10",
            "[::1]:8443",
            "localhost:1",
            "fake.localhost",
        ] {
            assert_eq!(choose_with(&vars, true, host), Ok(None), "{host}");
            assert_eq!(choose_with(&vars, false, host), Ok(None), "{host}");
        }
        // The builder's proxy is used whatever the endpoint.
        let explicit = choose(Some("http://u:pw@p:3128"), false, "127.0.0.1:1", &|_| None)
            .unwrap()
            .unwrap();
        assert_eq!(
            (explicit.source, explicit.address.as_str()),
            (EXPLICIT, "p:3128")
        );
        assert_eq!(explicit.redacted(), "http://<redacted>@p:3128");
        assert!(!format!("{explicit:?}").contains("pw"), "{explicit:?}");
    }

    #[test]
    fn credentials_are_redacted() {
        assert_eq!(
            redact("http://user:pw@proxy:3128"),
            "http://<redacted>@proxy:3128"
        );
        assert_eq!(redact("user:pw@proxy:3128/x"), "<redacted>@proxy:3128/x");
        assert_eq!(redact("http://proxy:3128"), "http://proxy:3128");
        assert_eq!(redact("http://u:p@w@proxy:1"), "http://<redacted>@proxy:1");
    }
}
