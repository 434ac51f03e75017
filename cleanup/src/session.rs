//! From the command line to a client: credentials, region, network settings, timeouts, or the
//! sandbox. Everything that can be checked before a request is sent is checked here.

use crate::cli::Connection;
use crate::exit::Status;
use crate::failure::{self, Failure};
use crate::network;
use crate::output::Out;
use crate::sandbox;
use crate::settings::{self, ProfileEndpoint};
use std::time::Duration;
use tc_redis::credentials::{
    AssumeRoleProvider, Credentials, CredentialsError, DefaultChain, TccliProvider,
    WebIdentityProvider,
};
use tc_redis::env::Env;
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

/// Builds the client for `connection`.
pub(crate) fn connect(connection: &Connection, out: &Out) -> Result<Session, Failure> {
    let env = Env::process();
    let language: Language = settings::language(connection, &env)?
        .parse()
        .map_err(|e: ConfigError| Failure::usage(failure::config_lines(&e)))?;
    let timeout = connection.timeout.unwrap_or(DEFAULT_TIMEOUT);
    // Ctrl-C fires it once the destructive part has begun (see `interrupt`).
    let mut builder = Client::builder()
        .language(language)
        .timeout(timeout)
        .cancel(crate::interrupt::cancel().clone());
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
        let added = crate::ids::checked(&connection.sandbox_add, "--sandbox-add")?;
        let (server, with_sandbox) = sandbox_builder(builder, &region, &added, out)?;
        builder = with_sandbox;
        sandbox_server = Some(server);
        Ok(region)
    } else {
        if let Some(profile) = connection.profile.as_deref() {
            builder = builder.profile(profile);
        }
        ca = network::ca_bundle(connection, &env);
        builder = network::apply(builder, connection, ca.as_ref())?;
        builder = match settings::profile_endpoint(connection)? {
            Some(ProfileEndpoint::RootDomain(domain)) => builder.root_domain(domain),
            Some(ProfileEndpoint::Endpoint(url)) => builder.endpoint(url),
            None => builder,
        };
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        if let Some(role) = settings::role(connection, &env, now)? {
            builder = builder.credentials_provider(assumed_role(connection, role));
        }
        region_of(connection)
    };
    if let Ok(region) = &region {
        builder = builder.region(region);
    }
    let client = builder
        .build()
        .map_err(|e| network::config_failure(&e, ca.as_ref()))?;
    // Asked once before anything is sent, so that "none found" or "no such profile" is its own
    // failure (status 3), and before the region: a --profile that does not exist is the error
    // to report, not the region it would have supplied. Asked of the client, so that an STS
    // exchange (TKE workload identity) goes out on its network: its CA bundle, proxy, domain.
    client
        .credentials()
        .map_err(|e| credentials_failure(&e, connection.profile.as_deref()))?;
    let region = region?;
    Ok(Session {
        client,
        region,
        timeout_secs: timeout.as_secs(),
        _sandbox: sandbox_server,
    })
}

/// The role, assumed with the credentials the run would use otherwise (the profile's, else the
/// default chain's) as the source, on the client's network, as tccli's `--role-arn` does.
fn assumed_role(connection: &Connection, role: settings::Role) -> AssumeRoleProvider {
    let mut source = DefaultChain::new();
    if let Some(profile) = connection.profile.as_deref() {
        source = source.with_profile(profile);
    }
    let provider = AssumeRoleProvider::new(source, role.arn, role.session_name);
    match role.duration {
        Some(d) => provider.with_duration(d),
        None => provider,
    }
}

fn credentials_failure(e: &CredentialsError, profile: Option<&str>) -> Failure {
    Failure::local(
        Status::Credentials,
        "ClientError.Credentials",
        failure::credentials_lines(e, profile),
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
/// TKE pod with the pod's workload identity, exchanged at the sandbox's STS.
fn sandbox_builder(
    builder: ClientBuilder,
    region: &str,
    added: &[String],
    out: &Out,
) -> Result<(FakeServer, ClientBuilder), Failure> {
    let pod = sandbox::pod_identity();
    let server = sandbox::start(region, added, pod.as_ref()).map_err(|e| {
        Failure::local(
            Status::NotSent,
            "ClientError.Sandbox",
            vec![format!("Cannot start the sandbox endpoint: {e}.")],
        )
    })?;
    out.note(&format!(
        "sandbox: a local fake of the Tencent Cloud Redis API at {}, with test credentials,\n  started afresh for this run; nothing is sent to Tencent Cloud",
        server.endpoint()
    ));
    let builder = builder.endpoint(server.endpoint()).allow_plain_http(true);
    let builder = match &pod {
        Some(pod) => {
            out.note(&format!(
                "sandbox: credentials from TKE workload identity (role {}),\n  exchanged at the sandbox's STS",
                tc_redis::escaped(&pod.role_arn)
            ));
            let provider = WebIdentityProvider::from_env()
                .with_endpoint(server.endpoint())
                .allow_plain_http(true);
            builder.credentials_provider(provider)
        }
        None => {
            let credentials = Credentials::new(DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY)
                .map_err(|e| credentials_failure(&e, None))?;
            builder.credentials(credentials)
        }
    };
    Ok((server, builder))
}
