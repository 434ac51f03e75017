//! From the command line to a client: region, endpoint, credentials, timeouts, or the sandbox.
//! Everything that can be checked before a request is sent is checked here.

use crate::cli::Connection;
use crate::exit::Status;
use crate::failure::{self, Failure};
use crate::output::Out;
use crate::sandbox;
use std::time::Duration;
use tc_redis::credentials::{Credentials, DefaultChain, ProvideCredentials};
use tc_redis::{Client, ConfigError, Language};
use tc_redis_fake::{DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, FakeServer};

/// The client's per-request timeout when --timeout is not given (the library's default).
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// A client ready to send, and what it needs alive.
#[derive(Debug)]
pub(crate) struct Session {
    pub(crate) client: Client,
    pub(crate) region: String,
    /// The per-request timeout, for messages.
    pub(crate) timeout_secs: u64,
    /// The sandbox's fake endpoint, serving on a background thread while the session lives.
    _sandbox: Option<FakeServer>,
}

/// Builds the client for `connection`. `ids` are the instances of the run (the sandbox puts
/// them in its recycle bin).
pub(crate) fn connect(
    connection: &Connection,
    ids: &[String],
    out: &Out,
) -> Result<Session, Failure> {
    let language: Language = connection
        .language
        .parse()
        .map_err(|e: ConfigError| Failure::usage(failure::config_lines(&e)))?;
    let timeout = connection.timeout.unwrap_or(DEFAULT_TIMEOUT);
    let mut builder = Client::builder().language(language).timeout(timeout);
    // The connect timeout never outlasts the whole attempt.
    if timeout < Duration::from_secs(10) {
        builder = builder.connect_timeout(timeout);
    }
    let region = match (&connection.region, connection.sandbox) {
        (Some(r), _) => r.clone(),
        (None, true) => "ap-guangzhou".to_owned(),
        (None, false) => {
            return Err(Failure::usage(failure::config_lines(
                &ConfigError::MissingRegion,
            )));
        }
    };
    builder = builder.region(&region);
    let mut sandbox_server = None;
    if connection.sandbox {
        let server = sandbox::start(&region, ids).map_err(|e| {
            Failure::local(
                Status::NotSent,
                "ClientError.Sandbox",
                vec![format!("Cannot start the sandbox endpoint: {e}.")],
            )
        })?;
        out.note(&format!(
            "sandbox: a local fake of the Tencent Cloud Redis API at {}, with test credentials;\n  nothing is sent to Tencent Cloud",
            server.endpoint()
        ));
        let credentials = Credentials::new(DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY).map_err(|e| {
            Failure::local(
                Status::Credentials,
                "ClientError.Credentials",
                failure::credentials_lines(&e),
            )
        })?;
        builder = builder
            .endpoint(server.endpoint())
            .allow_plain_http(true)
            .credentials(credentials);
        sandbox_server = Some(server);
    } else {
        // Resolve credentials before anything is sent, so that "none found" is its own failure.
        let chain = DefaultChain::new();
        if let Err(e) = chain.provide() {
            return Err(Failure::local(
                Status::Credentials,
                "ClientError.Credentials",
                failure::credentials_lines(&e),
            ));
        }
        builder = builder.credentials_provider(chain);
        if let Some(endpoint) = &connection.endpoint {
            let plain = endpoint
                .get(..7)
                .is_some_and(|s| s.eq_ignore_ascii_case("http://"));
            if plain && !is_loopback(endpoint) {
                return Err(Failure::usage(vec![
                    "--endpoint: plain http:// is only for a loopback address".to_owned(),
                    "(127.0.0.1, localhost, [::1]); use https://.".to_owned(),
                ]));
            }
            builder = builder.endpoint(endpoint).allow_plain_http(plain);
        }
    }
    let client = builder
        .build()
        .map_err(|e| Failure::usage(failure::config_lines(&e)))?;
    Ok(Session {
        client,
        region,
        timeout_secs: timeout.as_secs(),
        _sandbox: sandbox_server,
    })
}

/// Whether the endpoint's host is a loopback address.
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
    use super::is_loopback;

    #[test]
    fn loopback_hosts() {
        for yes in [
            "http://127.0.0.1:8080",
            "http://localhost",
            "http://[::1]:9",
            "http://127.1.2.3/",
        ] {
            assert!(is_loopback(yes), "{yes}");
        }
        for no in [
            "http://example.com",
            "http://127.0.0.1.example.com",
            "http://[::2]",
            "http://user@127.0.0.1",
        ] {
            assert!(!is_loopback(no), "{no}");
        }
    }
}
