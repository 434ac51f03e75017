//! From the command line to a client: credentials, region, network settings, timeouts, or the
//! sandbox. Everything that can be checked before a request is sent is checked here.

use crate::cli::Connection;
use crate::exit::Status;
use crate::failure::{self, Failure};
use crate::network;
use crate::output::Out;
use crate::sandbox;
use std::time::Duration;
use tc_redis::credentials::{
    Credentials, CredentialsError, DefaultChain, ProvideCredentials, TccliProvider,
    WebIdentityProvider,
};
use tc_redis::{Client, ClientBuilder, ConfigError, Language};
use tc_redis_fake::{DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, FakeServer};

/// The client's per-request timeout when --timeout is not given (the library's default).
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// The sandbox's region when --region is not given.
const SANDBOX_REGION: &str = "ap-guangzhou";

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
    let mut sandbox_server = None;
    let mut ca = None;
    let region = if connection.sandbox {
        let region = connection
            .region
            .clone()
            .unwrap_or_else(|| SANDBOX_REGION.to_owned());
        let (server, with_sandbox) = sandbox_builder(builder, &region, ids, out)?;
        builder = with_sandbox;
        sandbox_server = Some(server);
        region
    } else {
        // Credentials first: a --profile that does not exist is the error to report, not the
        // region it would have supplied.
        let profile = connection.profile.as_deref();
        builder = builder.credentials_provider(checked_chain(profile)?);
        if let Some(profile) = profile {
            builder = builder.profile(profile);
        }
        ca = network::ca_bundle(connection);
        builder = network::apply(builder, connection, ca.as_ref())?;
        region_of(connection)?
    };
    let client = builder
        .region(&region)
        .build()
        .map_err(|e| network::config_failure(&e, ca.as_ref()))?;
    Ok(Session {
        client,
        region,
        timeout_secs: timeout.as_secs(),
        _sandbox: sandbox_server,
    })
}

/// The default chain (for `profile` when one is named), asked once before anything is sent so
/// that "none found" or "no such profile" is its own failure (status 3).
fn checked_chain(profile: Option<&str>) -> Result<DefaultChain, Failure> {
    let chain = profile.map_or_else(DefaultChain::new, DefaultChain::with_profile);
    match chain.provide() {
        Ok(_) => Ok(chain),
        Err(e) => Err(credentials_failure(&e)),
    }
}

fn credentials_failure(e: &CredentialsError) -> Failure {
    Failure::local(
        Status::Credentials,
        "ClientError.Credentials",
        failure::credentials_lines(e),
    )
}

/// `--region` (or `TENCENTCLOUD_REGION`), else the region of the tccli profile (`--profile`,
/// else `default`), as `ClientBuilder::build` would take it. Read here rather than left to
/// `build` because the job names the region in its output.
fn region_of(connection: &Connection) -> Result<String, Failure> {
    if let Some(region) = &connection.region {
        return Ok(region.clone());
    }
    let profile = connection
        .profile
        .as_deref()
        .unwrap_or(TccliProvider::DEFAULT_PROFILE);
    match TccliProvider::new().with_profile(profile).region() {
        Ok(Some(region)) => Ok(region),
        Ok(None) => Err(Failure::usage(failure::config_lines(
            &ConfigError::MissingRegion,
        ))),
        Err(e) => Err(Failure::usage(failure::config_lines(
            &ConfigError::ProfileRegion {
                profile: profile.to_owned(),
                reason: e.to_string(),
            },
        ))),
    }
}

/// Starts the sandbox and points `builder` at it, with the fake's test credentials, or in a
/// TKE pod with the pod's workload identity exchanged at the sandbox's STS.
fn sandbox_builder(
    builder: ClientBuilder,
    region: &str,
    ids: &[String],
    out: &Out,
) -> Result<(FakeServer, ClientBuilder), Failure> {
    let pod = sandbox::pod_identity();
    let server = sandbox::start(region, ids, pod.as_ref()).map_err(|e| {
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
    let builder = builder.endpoint(server.endpoint()).allow_plain_http(true);
    let builder = match &pod {
        Some(pod) => {
            out.note(&format!(
                "sandbox: credentials from TKE workload identity (role {}),\n  exchanged at the sandbox's STS",
                crate::escape::escape(&pod.role_arn)
            ));
            let provider = WebIdentityProvider::from_env()
                .with_endpoint(server.endpoint())
                .allow_plain_http(true);
            // Exchanged now, as the default chain is asked up front outside the sandbox.
            provider.provide().map_err(|e| credentials_failure(&e))?;
            builder.credentials_provider(provider)
        }
        None => {
            let credentials = Credentials::new(DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY)
                .map_err(|e| credentials_failure(&e))?;
            builder.credentials(credentials)
        }
    };
    Ok((server, builder))
}
