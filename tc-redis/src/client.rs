//! The blocking client and its builder: the settings are checked once, then a [`Client`] sends
//! through its request pipeline (`pipeline.rs`) on its [`Network`]. The builder is where the
//! default credentials chain is made and where every provider gets the client's network.

use crate::action::Action;
use crate::clock::{Clock, SystemClock};
#[cfg(feature = "credentials-profile")]
use crate::credentials::TccliProvider;
use crate::credentials::{
    Credentials, CredentialsError, DefaultChain, ProvideCredentials, ProviderContext,
};
use crate::error::{ConfigError, Error};
pub use crate::network::{
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT, MAX_TIMEOUT,
};
use crate::network::{Network, NetworkSettings};
pub use crate::pipeline::Language;
use crate::pipeline::Pipeline;
use crate::rate_limit::RateLimit;
use crate::retry::RetryPolicy;
#[cfg(feature = "ca-bundle")]
use crate::tls::CaSource;
use crate::tls::TlsRoots;
use crate::transport::Transport;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// The longest region name [`ClientBuilder::build`] accepts. Region names are short
/// (`ap-shanghai-fsi`, `na-siliconvalley`); a longer value is a mistake, and beyond some size
/// the HTTP stack would refuse the header at the first call.
pub const MAX_REGION_LEN: usize = 64;

/// A blocking Tencent Cloud Redis API client.
///
/// Cheap to clone and to share between threads: clones share one connection pool, one
/// rate limiter, one clock-skew correction and one signing-key cache.
///
/// ```no_run
/// use tc_redis::{Client, CleanUpInstanceRequest};
///
/// // Credentials from the environment, ~/.tencentcloud/credentials or the CVM role.
/// let client = Client::builder().region("ap-guangzhou").build()?;
/// let reply = client.clean_up_instance(&CleanUpInstanceRequest::new("crs-5a4py64p"))?;
/// println!("task {:?} (request {})", reply.task_id, reply.request_id);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Client {
    pipeline: Arc<Pipeline>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Client").field(&self.pipeline).finish()
    }
}

impl Client {
    /// A builder with the documented defaults.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The endpoint URL action `A` is sent to: its service's endpoint given to the builder
    /// ([`ClientBuilder::service_endpoint`]), else the one given for every service
    /// ([`ClientBuilder::endpoint`]), else `TENCENTCLOUD_ENDPOINT_URL_<SERVICE>`, else its
    /// service's host (`https://<service>.tencentcloudapi.com/`, or
    /// `https://<service>.<region>.tencentcloudapi.com/` in a financial-zone region).
    pub fn endpoint_for<A: Action>(&self) -> String {
        self.pipeline.route(A::SERVICE).url.clone()
    }

    /// How this client reaches hosts, which its credentials provider's own requests share.
    pub fn network(&self) -> &Network {
        self.pipeline.network()
    }

    /// The credentials the next request would be signed with, asked of the client's provider
    /// now, as a call asks it (a provider that fetches them, STS or the CVM role, does so over
    /// this client's network). A program can ask this up front to report missing credentials
    /// before it sends anything.
    pub fn credentials(&self) -> Result<Credentials, CredentialsError> {
        self.pipeline.credentials().provide()
    }

    /// The clock and sleep the client waits with.
    #[cfg(feature = "task-wait")]
    pub(crate) fn clock(&self) -> &dyn Clock {
        self.pipeline.clock()
    }

    /// The clock offset learnt from the server, in seconds (server minus local).
    pub fn clock_skew(&self) -> i64 {
        self.pipeline.clock_skew()
    }

    /// Sends any action. The generated methods (such as
    /// [`clean_up_instance`](Client::clean_up_instance)) call this.
    ///
    /// The request is serialised once and the exact bytes are signed and sent; each attempt is
    /// signed again with a fresh timestamp.
    pub fn call<A: Action>(&self, request: &A) -> Result<A::Response, Error<A::ErrorCode>> {
        self.pipeline.call(request)
    }
}

/// Builds a [`Client`]. Every setting is checked by [`build`](ClientBuilder::build), before any
/// request is sent.
#[derive(Default)]
pub struct ClientBuilder {
    region: Option<String>,
    credentials: Option<Arc<dyn ProvideCredentials>>,
    language: Language,
    network: NetworkSettings,
    retry: Option<RetryPolicy>,
    rate_limit: RateLimit,
    clock: Option<Arc<dyn Clock>>,
    #[cfg(feature = "credentials-profile")]
    profile: Option<String>,
    context: Option<ProviderContext>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("ClientBuilder");
        d.field("region", &self.region)
            .field("credentials", &self.credentials)
            .field("language", &self.language)
            .field("network", &self.network)
            .field("retry", &self.retry)
            .field("rate_limit", &self.rate_limit)
            .field("clock", &self.clock);
        #[cfg(feature = "credentials-profile")]
        d.field("profile", &self.profile);
        d.field("context", &self.context).finish()
    }
}

impl ClientBuilder {
    /// The region (`X-TC-Region`), such as `ap-guangzhou`. Required by every regional action,
    /// CleanUpInstance included. A financial-zone region (`ap-shanghai-fsi`, ...) also selects
    /// its own endpoint, `<service>.<region>.tencentcloudapi.com`.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Static credentials. Without this, [`DefaultChain`] is used: environment, then the
    /// credentials file, then tccli's profile, then TKE workload identity (when the `TKE_*`
    /// variables are set), then the CVM role (the sources the crate's features include).
    pub fn credentials(self, credentials: Credentials) -> Self {
        self.credentials_provider(credentials)
    }

    /// Any credentials provider. [`build`](ClientBuilder::build) hands it this client's
    /// [`Network`] ([`ProvideCredentials::use_network`]), so that the requests it sends itself
    /// (STS, the metadata service) go out as the client's do.
    pub fn credentials_provider(mut self, provider: impl ProvideCredentials + 'static) -> Self {
        self.credentials = Some(Arc::new(provider));
        self
    }

    /// Where the default chain and the profile's region read the environment, the home
    /// directory and the time from (default: the process's, and the builder's
    /// [`clock`](Self::clock)). For tests, or a program that keeps its configuration elsewhere
    /// than in the process environment.
    pub fn provider_context(mut self, context: ProviderContext) -> Self {
        self.context = Some(context);
        self
    }

    /// The profile (default `default`): the section of the credentials file and the tccli
    /// profile (`~/.tccli/<profile>.credential`) that the default chain reads, and, when no
    /// [`region`](Self::region) is set, the tccli profile whose region is used
    /// (`~/.tccli/<profile>.configure`).
    ///
    /// A profile named here is the identity asked for ([`DefaultChain::with_profile`]): the
    /// `TENCENTCLOUD_SECRET_*` variables are not used, and it must exist in one of the two
    /// files, the chain never falling back to the machine's own identity (CVM role) in its
    /// place. Names are letters, digits, `-`, `_` and `.`.
    #[cfg(feature = "credentials-profile")]
    pub fn profile(mut self, profile: impl Into<String>) -> Self {
        self.profile = Some(profile.into());
        self
    }

    /// Sends requests to this endpoint instead of the default one: `https://host[:port]`
    /// (a bare `host[:port]` means https).
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.network.endpoint = Some(endpoint.into());
        self
    }

    /// Sends the actions of one service (`"sts"`, `"redis"`: the service of the spec, as in its
    /// host name) to this endpoint, ahead of [`endpoint`](ClientBuilder::endpoint): STS to a VPC
    /// endpoint or a local server, say, while Redis goes where it would. Same rules as
    /// `endpoint`. The credential providers that call STS use the client's STS endpoint.
    ///
    /// Without it, `TENCENTCLOUD_ENDPOINT_URL_<SERVICE>` (`TENCENTCLOUD_ENDPOINT_URL_STS`), read
    /// by `build`, sets a service's endpoint behind `endpoint`, as `AWS_ENDPOINT_URL_<SERVICE>`
    /// does in the AWS SDKs. In all: this setting, then `endpoint`, then the variable, then
    /// `<service>.<root domain>`.
    ///
    /// ```
    /// use tc_redis::{Client, Credentials};
    ///
    /// let client = Client::builder()
    ///     .region("ap-guangzhou")
    ///     .credentials(Credentials::new("AKIDexample", "example-secret-key")?)
    ///     .service_endpoint("redis", "https://redis.internal.example:8443")
    ///     .build()?;
    /// assert_eq!(
    ///     client.endpoint_for::<tc_redis::CleanUpInstanceRequest>(),
    ///     "https://redis.internal.example:8443/"
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn service_endpoint(
        mut self,
        service: impl Into<String>,
        endpoint: impl Into<String>,
    ) -> Self {
        self.network
            .service_endpoints
            .push((service.into(), endpoint.into()));
        self
    }

    /// Allows an `http://` endpoint. Off by default: only for a local fake endpoint on loopback.
    pub fn allow_plain_http(mut self, allow: bool) -> Self {
        self.network.allow_plain_http = allow;
        self
    }

    /// The language of server messages. Default `zh-CN`.
    pub fn language(mut self, language: Language) -> Self {
        self.language = language;
        self
    }

    /// The connect timeout. Default [`DEFAULT_CONNECT_TIMEOUT`] (10 s); at most
    /// [`MAX_TIMEOUT`].
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.network.connect_timeout = Some(timeout);
        self
    }

    /// The timeout of one whole attempt: connect, send, and receive the full response.
    /// Default [`DEFAULT_TIMEOUT`] (60 s, as in the official SDKs); at most [`MAX_TIMEOUT`].
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.network.timeout = Some(timeout);
        self
    }

    /// The largest response body read. Default [`DEFAULT_MAX_RESPONSE_BYTES`] (8 MiB).
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.network.max_response_bytes = Some(limit);
        self
    }

    /// A proxy for every request: `http://[user:password@]host[:port]` (or `https://`; no
    /// scheme means `http`, no port 1080). A value that is not such a URL is refused by
    /// [`build`](ClientBuilder::build); the password is never printed.
    ///
    /// Without it, the environment is read once, by `build`, and a malformed value is refused
    /// naming the variable (never a silent direct connection); each endpoint host (each
    /// service has its own) is then decided by curl's rules at its first request:
    ///
    /// * an endpoint on loopback (`localhost`, `127.0.0.0/8`, `::1`) is reached directly;
    /// * `no_proxy`, else `NO_PROXY`: `*`, or comma-separated host names (matching the host and
    ///   its subdomains; a leading `.` or `*.` allowed), IP addresses and CIDR blocks, each with
    ///   an optional `:port`; a match means a direct connection;
    /// * an `https` endpoint uses the first set of `https_proxy`, `HTTPS_PROXY`, `all_proxy`,
    ///   `ALL_PROXY`; a plain-`http` one `http_proxy`, `all_proxy`, `ALL_PROXY`. Upper-case
    ///   `HTTP_PROXY` is never read (a CGI server sets it from a request header: "httpoxy").
    ///
    /// The proxy settings belong to the default transport: with
    /// [`transport`](ClientBuilder::transport) they are not read.
    ///
    /// Feature `proxy` (on by default). Without it, no proxy is ever used, and `build` refuses a
    /// set proxy variable that would apply (an explicit loopback endpoint and `NO_PROXY=*`
    /// excepted), naming it: a proxy the operator set is never silently bypassed.
    #[cfg(feature = "proxy")]
    pub fn proxy(mut self, proxy: impl Into<String>) -> Self {
        self.network.proxy = Some(proxy.into());
        self
    }

    /// The root domain of the default endpoint: `<service>.<root domain>`, and
    /// `<service>.<region>.<root domain>` for a financial-zone region. Default
    /// [`DEFAULT_ROOT_DOMAIN`](crate::DEFAULT_ROOT_DOMAIN) (`tencentcloudapi.com`); accounts of
    /// Tencent Cloud's international site use [`INTL_ROOT_DOMAIN`](crate::INTL_ROOT_DOMAIN)
    /// (`intl.tencentcloudapi.com`), as the official SDKs' `RootDomain` setting. An
    /// [`endpoint`](ClientBuilder::endpoint) wins over it.
    pub fn root_domain(mut self, domain: impl Into<String>) -> Self {
        self.network.root_domain = Some(domain.into());
        self
    }

    /// The trust store that verifies the endpoint's certificate. Default [`TlsRoots::Webpki`],
    /// Mozilla's roots compiled in; `TlsRoots::Platform` (cargo feature `platform-roots`) uses
    /// the operating system's. Verification cannot be turned off. Refused by
    /// [`build`](ClientBuilder::build) together with CA certificates, which replace the roots.
    pub fn tls_roots(mut self, roots: TlsRoots) -> Self {
        self.network.tls_roots = Some(roots);
        self
    }

    /// Trusts the CA certificates of this PEM (one or more `BEGIN CERTIFICATE` blocks), such
    /// as a company's TLS-inspecting proxy's. Given CA certificates *replace* the default roots
    /// (as curl's `--cacert`, Python requests' `REQUESTS_CA_BUNDLE` and `SSL_CERT_FILE` do);
    /// calls add up. [`build`](ClientBuilder::build) refuses a PEM with no certificate or with
    /// one that cannot be a CA. Feature `ca-bundle` (on by default).
    #[cfg(feature = "ca-bundle")]
    pub fn add_ca_certificates_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.network.ca_certificates.push(CaSource::Pem(pem.into()));
        self
    }

    /// Trusts the CA certificates of a PEM file, read by [`build`](ClientBuilder::build) (an
    /// unreadable file or bad PEM is a [`ConfigError`] naming it; a FIFO, a device or a file
    /// over [`MAX_CA_BUNDLE_BYTES`](crate::tls::MAX_CA_BUNDLE_BYTES) is refused unread). Same
    /// rules as [`add_ca_certificates_pem`](ClientBuilder::add_ca_certificates_pem). Feature
    /// `ca-bundle` (on by default).
    #[cfg(feature = "ca-bundle")]
    pub fn ca_bundle(mut self, path: impl Into<std::path::PathBuf>) -> Self {
        self.network
            .ca_certificates
            .push(CaSource::File(path.into()));
        self
    }

    /// The retry policy. Default [`RetryPolicy::default`]; [`RetryPolicy::none`] turns retries off.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Client-side rate limiting. Default [`RateLimit::FromSpec`].
    pub fn rate_limit(mut self, rate_limit: RateLimit) -> Self {
        self.rate_limit = rate_limit;
        self
    }

    /// Replaces the HTTP transport (tests, benchmarks, another HTTP stack). The timeout, proxy
    /// and size settings then belong to that transport.
    pub fn transport(mut self, transport: impl Transport + 'static) -> Self {
        self.network.transport = Some(Arc::new(transport));
        self
    }

    /// A cancellation handle: when it fires, the client's waits (the retry wait, the rate
    /// limiter's, task polling) return at once and no new request starts, the STS exchange of
    /// its credentials provider included; a call ends with [`Error::Cancelled`](crate::Error),
    /// whose outcome says whether an earlier attempt may have run. A request already sent is
    /// not interrupted. Default: a handle nothing fires.
    pub fn cancel(mut self, cancel: crate::Cancel) -> Self {
        self.network.cancel = cancel;
        self
    }

    /// Replaces the clock and sleep (tests).
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Some(Arc::new(clock));
        self
    }

    /// Checks every setting and builds the client. Sends nothing.
    ///
    /// The credentials provider (the given one, else the [`DefaultChain`] for the
    /// `profile`, feature `credentials-profile`) is handed the client's [`Network`].
    pub fn build(mut self) -> Result<Client, ConfigError> {
        let clock = self.clock.take().unwrap_or_else(|| Arc::new(SystemClock));
        let context = match self.context.take() {
            Some(context) => context,
            None => ProviderContext::new().with_shared_clock(Arc::clone(&clock)),
        };
        let named_profile = self.profile_and_region(&context)?;
        if let Some(r) = &self.region
            && r.len() > MAX_REGION_LEN
        {
            return Err(ConfigError::InvalidSetting {
                setting: "region",
                reason: format!(
                    "{} bytes long; region names are at most {MAX_REGION_LEN} (e.g. \"ap-guangzhou\")",
                    r.len()
                ),
            });
        }
        if let Some(r) = &self.region {
            let valid = !r.is_empty()
                && r.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
            if !valid {
                return Err(ConfigError::InvalidRegion(r.clone()));
            }
        }
        if let RateLimit::PerSecond(0) = self.rate_limit {
            return Err(ConfigError::InvalidSetting {
                setting: "rate_limit",
                reason: "0 requests per second would never send; use RateLimit::Off for no limit"
                    .to_owned(),
            });
        }
        let network = self.network.build(context.env())?;
        let credentials = self
            .credentials
            .unwrap_or_else(|| Arc::new(default_chain(context, named_profile)));
        credentials.use_network(&network);
        let pipeline = Pipeline::new(network, self.region, credentials, clock)
            .with_language(self.language)
            .with_retry(self.retry.unwrap_or_default())
            .with_rate_limit(self.rate_limit);
        Ok(Client {
            pipeline: Arc::new(pipeline),
        })
    }

    /// Checks the profile's name and, when no region is set, takes the one of tccli's profile;
    /// returns the profile, if one was named.
    #[cfg(feature = "credentials-profile")]
    fn profile_and_region(
        &mut self,
        context: &ProviderContext,
    ) -> Result<Option<String>, ConfigError> {
        let named = self.profile.take();
        let profile = named
            .clone()
            .unwrap_or_else(|| TccliProvider::DEFAULT_PROFILE.to_owned());
        if !crate::credentials::valid_profile_name(&profile) {
            return Err(ConfigError::InvalidSetting {
                setting: "profile",
                reason: format!(
                    "{profile:?} is not a profile name (letters, digits, '-', '_' and '.', not \
                     starting with '.')"
                ),
            });
        }
        if self.region.is_none() {
            self.region = TccliProvider::with_context(context.clone())
                .with_profile(&profile)
                .region()
                .map_err(|e| ConfigError::ProfileRegion {
                    profile: profile.clone(),
                    reason: e.to_string(),
                })?;
        }
        Ok(named)
    }

    /// Without profiles (feature `credentials-profile`), there is no profile and no region
    /// but the one set.
    #[cfg(not(feature = "credentials-profile"))]
    fn profile_and_region(
        &mut self,
        _context: &ProviderContext,
    ) -> Result<Option<String>, ConfigError> {
        Ok(None)
    }
}

/// The default chain over `context`, for the profile named, if any.
fn default_chain(context: ProviderContext, named_profile: Option<String>) -> DefaultChain {
    let chain = DefaultChain::with_context(context);
    match named_profile {
        #[cfg(feature = "credentials-profile")]
        Some(profile) => chain.with_profile(profile),
        _ => chain,
    }
}

/// `ClientBuilder::profile` and the region taken from tccli's profile.
#[cfg(all(test, feature = "credentials-profile"))]
#[path = "client_profile_tests.rs"]
mod profile_tests;
