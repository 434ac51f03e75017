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
//!
//! The environment is read once, when the client is built ([`ProxyRules`]); the rules are then
//! applied to each endpoint host at its first request.

use crate::endpoint::is_loopback;
use crate::env::Env;
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
        crate::redact::redact_url(&self.url)
    }
}

/// The name [`ProxyChoice::source`] has for the builder's setting.
pub(crate) const EXPLICIT: &str = "proxy";

/// A client's proxy rules: the builder's proxy, or the environment as it was when the client
/// was built, read and checked whole (every variable that can choose a proxy, and every
/// `NO_PROXY` entry), so that a value it cannot use fails
/// [`ClientBuilder::build`](crate::ClientBuilder::build) whatever host is called later.
/// [`ProxyRules::choose`] then decides per endpoint host, without reading the environment again:
/// a client's services have hosts of their own (`redis.<root>`, `sts.<root>`), which `NO_PROXY`
/// may treat differently.
#[derive(Debug, Clone)]
pub(crate) struct ProxyRules {
    /// The builder's proxy: every host goes through it.
    explicit: Option<ProxyChoice>,
    /// `no_proxy`, else `NO_PROXY`, parsed.
    no_proxy: Vec<NoProxyRule>,
    /// The proxy of `https` endpoints.
    https: Option<ProxyChoice>,
    /// The proxy of plain-`http` endpoints.
    http: Option<ProxyChoice>,
}

impl ProxyRules {
    /// Reads the rules. `plain_http`: whether plain-`http` endpoints can be called at all; when
    /// not, their variable (`http_proxy`) is not read. `env` is the client's environment (the
    /// process's unless its provider context says otherwise): a variable set to a value that is
    /// not UTF-8 is an error naming it, never "unset", since unset would mean "connect
    /// directly" where the operator meant a proxy.
    pub(crate) fn read(
        explicit: Option<&str>,
        plain_http: bool,
        env: &Env,
    ) -> Result<ProxyRules, ConfigError> {
        if let Some(url) = explicit {
            return Ok(ProxyRules {
                explicit: Some(parse_proxy(url, EXPLICIT)?),
                no_proxy: Vec::new(),
                https: None,
                http: None,
            });
        }
        let read = |name: &'static str| -> Result<Option<(&'static str, String)>, ConfigError> {
            let value = env.get(name).map_err(|e| ConfigError::InvalidSetting {
                setting: name,
                reason: format!("{e}; a proxy setting is never taken as unset (that would connect directly): percent-encode the value, or unset the variable"),
            })?;
            Ok(value.filter(|v| !v.trim().is_empty()).map(|v| (name, v)))
        };
        let first =
            |order: &[&'static str]| -> Result<Option<(&'static str, String)>, ConfigError> {
                for name in order {
                    if let Some(found) = read(name)? {
                        return Ok(Some(found));
                    }
                }
                Ok(None)
            };
        let no_proxy = match first(&["no_proxy", "NO_PROXY"])? {
            Some((name, list)) => parse_no_proxy(&list, name)?,
            None => Vec::new(),
        };
        let first_proxy = |order: &[&'static str]| match first(order)? {
            Some((name, value)) => parse_proxy(value.trim(), name).map(Some),
            None => Ok(None),
        };
        let https = first_proxy(&["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"])?;
        let http = if plain_http {
            first_proxy(&["http_proxy", "all_proxy", "ALL_PROXY"])?
        } else {
            None
        };
        Ok(ProxyRules {
            explicit: None,
            no_proxy,
            https,
            http,
        })
    }

    /// The proxy for an endpoint (`https` or not, `host[:port]` as signed), by the rules of the
    /// module documentation; `None`: direct.
    pub(crate) fn choose(&self, https: bool, endpoint_host: &str) -> Option<&ProxyChoice> {
        if let Some(explicit) = &self.explicit {
            return Some(explicit);
        }
        let (host, port) = split_host_port(endpoint_host, if https { 443 } else { 80 });
        if is_loopback(host) {
            return None;
        }
        let host = host.to_ascii_lowercase();
        let host = host.trim_end_matches('.');
        if self.no_proxy.iter().any(|rule| rule.matches(host, port)) {
            return None;
        }
        if https {
            self.https.as_ref()
        } else {
            self.http.as_ref()
        }
    }

    /// Every proxy [`choose`](ProxyRules::choose) can return.
    pub(crate) fn proxies(&self) -> impl Iterator<Item = &ProxyChoice> {
        [&self.explicit, &self.https, &self.http]
            .into_iter()
            .flatten()
    }
}

/// Checks a proxy URL and normalises it to `scheme://[userinfo@]host:port`.
fn parse_proxy(value: &str, source: &'static str) -> Result<ProxyChoice, ConfigError> {
    let invalid = |why: &str| ConfigError::InvalidSetting {
        setting: source,
        reason: format!(
            "{:?} is not a usable proxy: {why}. Expected http://[user:password@]host[:port]; unset the variable to connect directly",
            crate::redact::redact_url(value)
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
    // The user information runs to the last `@`, whatever it holds: a password with `/`, `?`
    // or `#` is taken as written (and percent-encoded for the proxy's `Proxy-Authorization`),
    // never cut where a URL parser would end the authority.
    let (userinfo, authority) = match rest.rsplit_once('@') {
        Some((u, a)) if !u.is_empty() => (Some(encode_userinfo(u)), a),
        Some(_) => return Err(invalid("an empty user before `@`")),
        None => (None, rest),
    };
    let authority = authority.strip_suffix('/').unwrap_or(authority);
    if authority.contains(['/', '?', '#']) || authority.chars().any(char::is_whitespace) {
        return Err(invalid("it has a path, a query or blanks"));
    }
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

/// User information as written, percent-encoded where RFC 3986 does not allow a character in
/// it (ureq decodes it once for `Proxy-Authorization`); a `%` already followed by two hex
/// digits is the writer's own encoding and is kept.
fn encode_userinfo(userinfo: &str) -> String {
    let bytes = userinfo.as_bytes();
    let mut out = String::with_capacity(userinfo.len());
    for (i, &b) in bytes.iter().enumerate() {
        let allowed = b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:".contains(&b);
        let encoded_already = b == b'%'
            && bytes.len() > i + 2
            && bytes[i + 1].is_ascii_hexdigit()
            && bytes[i + 2].is_ascii_hexdigit();
        if allowed || encoded_already {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
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

/// Parses a `NO_PROXY` list; a malformed entry is an error naming `name`.
fn parse_no_proxy(list: &str, name: &'static str) -> Result<Vec<NoProxyRule>, ConfigError> {
    list.split(',')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(|entry| {
            NoProxyRule::parse(entry).ok_or_else(|| ConfigError::InvalidSetting {
                setting: name,
                reason: format!(
                    "entry {entry:?} is not `*`, a host name, an IP address or a CIDR block (each with an optional :port)"
                ),
            })
        })
        .collect()
}

/// One `NO_PROXY` entry.
#[derive(Debug, Clone)]
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

    /// Whether the entry exempts `host` (lower case, no trailing `.`) on `port`.
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn none() -> [(&'static str, &'static str); 0] {
        []
    }

    /// `http://alice:pass\xe9@proxy:3128`: a Latin-1 password, as a shell may hold it.
    fn not_unicode() -> std::ffi::OsString {
        use std::os::unix::ffi::OsStringExt;
        std::ffi::OsString::from_vec(b"http://alice:pass\xe9@proxy:3128".to_vec())
    }

    #[test]
    fn a_variable_that_is_not_utf8_is_an_error_naming_it_never_unset() {
        for name in [
            "https_proxy",
            "HTTPS_PROXY",
            "all_proxy",
            "no_proxy",
            "NO_PROXY",
        ] {
            let env = Env::from_pairs([(name, not_unicode())]);
            let err = ProxyRules::read(None, false, &env).unwrap_err().to_string();
            assert!(err.starts_with(&format!("{name}: ")), "{name}: {err}");
            assert!(
                err.contains("UTF-8") && !err.contains("pass"),
                "{name}: {err}"
            );
        }
    }

    #[test]
    fn passwords_with_url_delimiters_are_taken_whole_and_encoded() {
        for (value, url) in [
            (
                "http://alice:S3cr/et@proxy:3128",
                "http://alice:S3cr%2Fet@proxy:3128",
            ),
            (
                "http://alice:a?b#c@proxy:3128/",
                "http://alice:a%3Fb%23c@proxy:3128",
            ),
            (
                "http://alice:p@ss@proxy:3128",
                "http://alice:p%40ss@proxy:3128",
            ),
            (
                "http://alice:100%25@proxy:3128",
                "http://alice:100%25@proxy:3128",
            ),
            (
                "http://alice:100%@proxy:3128",
                "http://alice:100%25@proxy:3128",
            ),
        ] {
            let rules = ProxyRules::read(Some(value), false, &Env::from_pairs(none())).unwrap();
            let choice = rules.choose(true, "redis.tencentcloudapi.com").unwrap();
            assert_eq!(
                (choice.url.as_str(), choice.address.as_str()),
                (url, "proxy:3128")
            );
            assert_eq!(choice.redacted(), "http://<redacted>@proxy:3128");
        }
        // Refused for its host, the message still hides the password.
        let err = ProxyRules::read(
            Some("http://alice:S3cr/et@pro xy:3128"),
            false,
            &Env::from_pairs(none()),
        )
        .unwrap_err()
        .to_string();
        assert!(!err.contains("S3cr") && !err.contains("et@"), "{err}");
    }

    fn choose_with(
        vars: &[(&str, &str)],
        https: bool,
        host: &str,
    ) -> Result<Option<String>, String> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let rules =
            ProxyRules::read(None, true, &Env::from_pairs(vars)).map_err(|e| e.to_string())?;
        Ok(rules
            .choose(https, host)
            .map(|c| format!("{} {}", c.source, c.url)))
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
        let rules =
            ProxyRules::read(Some("http://u:pw@p:3128"), true, &Env::from_pairs(none())).unwrap();
        let explicit = rules.choose(false, "127.0.0.1:1").unwrap();
        assert_eq!(
            (explicit.source, explicit.address.as_str()),
            (EXPLICIT, "p:3128")
        );
        assert_eq!(explicit.redacted(), "http://<redacted>@p:3128");
        assert!(!format!("{explicit:?}").contains("pw"), "{explicit:?}");
    }

    /// The environment of the snapshot tests: a proxy per scheme and a `NO_PROXY` list that
    /// exempts one service's host only.
    fn snapshot_env() -> HashMap<&'static str, String> {
        HashMap::from([
            ("HTTPS_PROXY", "http://secure-proxy:3128".to_owned()),
            ("http_proxy", "plain-proxy:8080".to_owned()),
            (
                "NO_PROXY",
                "sts.tencentcloudapi.com, 10.0.0.0/8, internal.example:8443".to_owned(),
            ),
        ])
    }

    #[test]
    fn one_snapshot_decides_for_every_host() {
        // `choose` takes no environment: the rules read at build decide for every host.
        let rules = ProxyRules::read(None, true, &Env::from_pairs(snapshot_env())).unwrap();
        // (https, endpoint host, the proxy's address, or None for direct)
        let cases: &[(bool, &str, Option<&str>)] = &[
            (true, "redis.tencentcloudapi.com", Some("secure-proxy:3128")),
            (true, "sts.tencentcloudapi.com", None),
            (true, "STS.tencentcloudapi.com.", None),
            // Not a subdomain of the exempted host.
            (
                true,
                "sts.ap-shanghai-fsi.tencentcloudapi.com",
                Some("secure-proxy:3128"),
            ),
            (true, "cvm.tencentcloudapi.com", Some("secure-proxy:3128")),
            (true, "10.1.2.3:8443", None),
            (true, "internal.example:8443", None),
            (true, "internal.example", Some("secure-proxy:3128")),
            (true, "127.0.0.1:9000", None),
            (false, "fake.example:8080", Some("plain-proxy:8080")),
            (false, "sts.tencentcloudapi.com", None),
            (false, "localhost:8080", None),
        ];
        for (https, host, expect) in cases {
            let got = rules.choose(*https, host).map(|c| c.address.as_str());
            assert_eq!(got, *expect, "https={https} host={host}");
        }
    }

    #[test]
    fn the_whole_environment_is_checked_whatever_host_is_called() {
        let fails = |vars: &[(&'static str, &str)], plain_http: bool| {
            ProxyRules::read(None, plain_http, &Env::from_pairs(vars.iter().copied()))
                .err()
                .map(|e| e.to_string())
        };
        // A malformed proxy is refused even though NO_PROXY would send every host direct.
        let err = fails(&[("NO_PROXY", "*"), ("HTTPS_PROXY", "socks5://p:1")], false);
        assert!(
            err.as_deref()
                .is_some_and(|e| e.starts_with("HTTPS_PROXY: ")),
            "{err:?}"
        );
        // A malformed NO_PROXY entry is refused with no proxy set at all.
        let err = fails(&[("no_proxy", "good.example, bad entry")], false);
        assert!(
            err.as_deref().is_some_and(|e| e.starts_with("no_proxy: ")),
            "{err:?}"
        );
        // http_proxy chooses for plain-http endpoints only: read when they can be called.
        let err = fails(&[("http_proxy", "ftp://p:21")], true);
        assert!(
            err.as_deref()
                .is_some_and(|e| e.starts_with("http_proxy: ")),
            "{err:?}"
        );
        assert_eq!(fails(&[("http_proxy", "ftp://p:21")], false), None);
        // The builder's proxy wins: the environment is not read at all (a variable it would
        // refuse is not seen).
        let unreadable = Env::from_pairs([("HTTPS_PROXY", not_unicode())]);
        let rules = ProxyRules::read(Some("http://p:3128"), true, &unreadable).unwrap();
        for host in ["sts.tencentcloudapi.com", "127.0.0.1:80"] {
            assert_eq!(
                rules.choose(true, host).map(|c| c.source),
                Some(EXPLICIT),
                "{host}"
            );
        }
    }
}
