//! Where requests go and whom to trust: `--endpoint`, `--intl` / `--root-domain`, and
//! `--ca-bundle` / `SSL_CERT_FILE`.

use crate::cli::Connection;
use crate::failure::{self, Failure};
use std::ffi::OsString;
use std::path::PathBuf;
use tc_redis::{ClientBuilder, ConfigError};

/// The CA bundle in force and the name that set it, for messages.
#[derive(Debug, Clone)]
pub(crate) struct CaBundle {
    pub(crate) path: PathBuf,
    pub(crate) set_by: &'static str,
}

/// `--ca-bundle`, else `SSL_CERT_FILE` when set and not empty (as OpenSSL and curl read it).
pub(crate) fn ca_bundle(connection: &Connection) -> Option<CaBundle> {
    ca_bundle_from(connection, std::env::var_os("SSL_CERT_FILE"))
}

fn ca_bundle_from(connection: &Connection, variable: Option<OsString>) -> Option<CaBundle> {
    match &connection.ca_bundle {
        Some(path) => Some(CaBundle {
            path: path.clone(),
            set_by: "--ca-bundle",
        }),
        None => variable.filter(|v| !v.is_empty()).map(|v| CaBundle {
            path: PathBuf::from(v),
            set_by: "SSL_CERT_FILE",
        }),
    }
}

/// Applies the endpoint, root domain and CA bundle of `connection` (not the sandbox's).
pub(crate) fn apply(
    mut builder: ClientBuilder,
    connection: &Connection,
    ca: Option<&CaBundle>,
) -> Result<ClientBuilder, Failure> {
    if let Some(endpoint) = &connection.endpoint {
        let plain = endpoint
            .get(..7)
            .is_some_and(|s| s.eq_ignore_ascii_case("http://"));
        if plain && !is_loopback(endpoint) {
            return Err(Failure::usage(vec![
                "--endpoint: plain http:// is only for a loopback address".to_owned(),
                "(127.0.0.0/8, localhost, [::1]); use https://.".to_owned(),
            ]));
        }
        builder = builder.endpoint(endpoint).allow_plain_http(plain);
    }
    if connection.intl {
        builder = builder.root_domain(tc_redis::INTL_ROOT_DOMAIN);
    } else if let Some(domain) = &connection.root_domain {
        builder = builder.root_domain(domain);
    }
    if let Some(ca) = ca {
        builder = builder.ca_bundle(&ca.path);
    }
    Ok(builder)
}

/// A setting `build()` refused, named by the option or variable that set it.
pub(crate) fn config_failure(e: &ConfigError, ca: Option<&CaBundle>) -> Failure {
    let renamed = match e {
        ConfigError::InvalidSetting { setting, reason } => {
            let option = match *setting {
                "ca_certificates" => ca.map_or("--ca-bundle", |ca| ca.set_by),
                "root_domain" => "--root-domain",
                "profile" => "--profile",
                "timeout" | "connect_timeout" => "--timeout",
                _ => setting,
            };
            Some(ConfigError::InvalidSetting {
                setting: option,
                reason: reason.clone(),
            })
        }
        _ => None,
    };
    Failure::usage(failure::config_lines(renamed.as_ref().unwrap_or(e)))
}

/// Whether the endpoint's host is a loopback address: `localhost`, 127.0.0.0/8 or `::1`.
fn is_loopback(endpoint: &str) -> bool {
    let rest = endpoint.split_once("://").map_or(endpoint, |(_, r)| r);
    let authority = rest.split('/').next().unwrap_or("");
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => authority.split(':').next().unwrap_or(""),
    };
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::{ca_bundle_from, is_loopback};
    use crate::cli::Cli;
    use clap::Parser;

    #[test]
    fn loopback_hosts() {
        for yes in [
            "http://127.0.0.1:8080",
            "http://127.0.0.2:8080",
            "http://localhost",
            "http://[::1]:9",
            "http://127.1.2.3/",
        ] {
            assert!(is_loopback(yes), "{yes}");
        }
        for no in [
            "http://example.com",
            "http://127.0.0.1.example.com",
            "http://128.0.0.1",
            "http://[::2]",
            "http://user@127.0.0.1",
        ] {
            assert!(!is_loopback(no), "{no}");
        }
    }

    #[test]
    fn the_flag_wins_over_ssl_cert_file_and_an_empty_variable_is_ignored() {
        let parse =
            |args: &[&str]| Cli::parse_from([&["tc-redis-cleanup", "--list"], args].concat());
        let flag = parse(&["--ca-bundle", "/a.pem"]);
        let ca = ca_bundle_from(&flag.connection, Some("/b.pem".into())).unwrap();
        assert_eq!(
            (ca.path.to_str(), ca.set_by),
            (Some("/a.pem"), "--ca-bundle")
        );
        let none = parse(&[]);
        let ca = ca_bundle_from(&none.connection, Some("/b.pem".into())).unwrap();
        assert_eq!(
            (ca.path.to_str(), ca.set_by),
            (Some("/b.pem"), "SSL_CERT_FILE")
        );
        assert!(ca_bundle_from(&none.connection, Some("".into())).is_none());
        assert!(ca_bundle_from(&none.connection, None).is_none());
    }
}
