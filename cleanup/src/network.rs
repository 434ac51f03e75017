//! Where requests go and whom to trust: `--endpoint`, `--sts-endpoint`, `--intl` /
//! `--root-domain`, and `--ca-bundle` / `SSL_CERT_FILE`. Which hosts plain http may reach is
//! the library's rule (loopback only), not repeated here.

use crate::cli::Connection;
use crate::failure::{self, Failure};
use std::ffi::OsString;
use std::path::PathBuf;
use tc_redis::env::Env;
use tc_redis::{ClientBuilder, ConfigError};

/// The CA bundle in force and the name that set it, for messages.
#[derive(Debug, Clone)]
pub(crate) struct CaBundle {
    pub(crate) path: PathBuf,
    pub(crate) set_by: &'static str,
}

/// `--ca-bundle`, else `SSL_CERT_FILE` when set and not empty (as OpenSSL and curl read it).
pub(crate) fn ca_bundle(connection: &Connection, env: &Env) -> Option<CaBundle> {
    ca_bundle_from(connection, env.get_os("SSL_CERT_FILE"))
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
    let plain = |url: &str| {
        url.get(..7)
            .is_some_and(|s| s.eq_ignore_ascii_case("http://"))
    };
    // Plain http is allowed when asked for; the library refuses it but for a loopback host.
    if let Some(endpoint) = &connection.endpoint {
        builder = builder.endpoint(endpoint).allow_plain_http(plain(endpoint));
    }
    if let Some(endpoint) = &connection.sts_endpoint {
        builder = builder.service_endpoint("sts", endpoint);
        if plain(endpoint) {
            builder = builder.allow_plain_http(true);
        }
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
                "service_endpoint" => "--sts-endpoint",
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

#[cfg(test)]
mod tests {
    use super::ca_bundle_from;
    use crate::cli::Cli;
    use clap::Parser;

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
