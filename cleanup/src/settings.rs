//! Settings a tccli user keeps outside the command line, and their precedence: the flag, then
//! the environment, then the tccli profile (`--profile`, else `default`), then the default.
//!
//! * language: `--language`, `TENCENTCLOUD_LANGUAGE`, the profile's `language`, `zh-CN`;
//! * the Redis endpoint: `--endpoint` / `--intl` / `--root-domain`, then the profile's
//!   `redis.endpoint` (tccli writes `redis.tencentcloudapi.com`; `redis.<domain>` means the root
//!   domain `<domain>`, which keeps the financial-zone hosts and sends STS there too; another
//!   host is the endpoint itself), then `redis.tencentcloudapi.com`;
//! * an assumed role: `--role-arn` / `TENCENTCLOUD_ROLE_ARN`, `--role-session-name` /
//!   `TENCENTCLOUD_ROLE_SESSION_NAME` (else `tc-redis-cleanup-<unix time>`), `--role-duration`.
//!
//! Variables are read as bytes (`tc_redis::env::Env`): a set variable that is not UTF-8 is a
//! usage error naming it, never "unset".

use crate::cli::Connection;
use crate::failure::Failure;
use std::time::Duration;
use tc_redis::credentials::TccliProvider;
use tc_redis::env::Env;

/// The Redis service's name in tccli's configuration.
const SERVICE: &str = "redis";

/// Where the profile says Redis is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ProfileEndpoint {
    /// `redis.<domain>`: the root domain.
    RootDomain(String),
    /// Another host: the endpoint, `https://<host>`.
    Endpoint(String),
}

/// The role to assume.
#[derive(Debug, Clone)]
pub(crate) struct Role {
    pub(crate) arn: String,
    pub(crate) session_name: String,
    pub(crate) duration: Option<Duration>,
}

fn var(env: &Env, name: &str) -> Result<Option<String>, Failure> {
    env.get(name)
        .map_err(|e| Failure::usage(vec![format!("{e}: fix or unset it; nothing was sent.")]))
}

fn profile(connection: &Connection) -> TccliProvider {
    TccliProvider::new().with_profile(
        connection
            .profile
            .as_deref()
            .unwrap_or(TccliProvider::DEFAULT_PROFILE),
    )
}

/// A profile file that cannot be read is the same failure as for its region: usage, naming it.
fn profile_failure(e: &tc_redis::credentials::CredentialsError) -> Failure {
    Failure::usage(vec![format!("{}.", tc_redis::escaped(&e.to_string()))])
}

/// The language of server messages, by the precedence of the module.
pub(crate) fn language(connection: &Connection, env: &Env) -> Result<String, Failure> {
    if let Some(flag) = &connection.language {
        return Ok(flag.clone());
    }
    if let Some(value) = var(env, "TENCENTCLOUD_LANGUAGE")? {
        return Ok(value);
    }
    if connection.sandbox {
        return Ok("zh-CN".to_owned());
    }
    Ok(profile(connection)
        .language()
        .map_err(|e| profile_failure(&e))?
        .unwrap_or_else(|| "zh-CN".to_owned()))
}

/// The profile's Redis endpoint, when no flag chose one.
pub(crate) fn profile_endpoint(
    connection: &Connection,
) -> Result<Option<ProfileEndpoint>, Failure> {
    if connection.endpoint.is_some() || connection.intl || connection.root_domain.is_some() {
        return Ok(None);
    }
    let Some(host) = profile(connection)
        .endpoint(SERVICE)
        .map_err(|e| profile_failure(&e))?
    else {
        return Ok(None);
    };
    let host = host.trim_end_matches('/');
    let host = host
        .strip_prefix("https://")
        .unwrap_or(host)
        .to_ascii_lowercase();
    Ok(Some(match host.strip_prefix("redis.") {
        Some(domain) if !domain.contains(':') => ProfileEndpoint::RootDomain(domain.to_owned()),
        _ => ProfileEndpoint::Endpoint(format!("https://{host}")),
    }))
}

/// The role to assume, if one was asked for.
pub(crate) fn role(
    connection: &Connection,
    env: &Env,
    now_unix: u64,
) -> Result<Option<Role>, Failure> {
    let arn = match &connection.role_arn {
        Some(arn) => arn.clone(),
        None => match var(env, "TENCENTCLOUD_ROLE_ARN")? {
            Some(arn) if !connection.sandbox => arn,
            _ => return Ok(None),
        },
    };
    let session_name = match &connection.role_session_name {
        Some(name) => name.clone(),
        None => var(env, "TENCENTCLOUD_ROLE_SESSION_NAME")?
            .unwrap_or_else(|| format!("tc-redis-cleanup-{now_unix}")),
    };
    Ok(Some(Role {
        arn,
        session_name,
        duration: connection.role_duration,
    }))
}
