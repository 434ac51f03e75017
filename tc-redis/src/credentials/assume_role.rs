//! [`AssumeRoleProvider`]: temporary credentials of a CAM role, assumed with STS `AssumeRole` by
//! any source credentials.

use super::refresh::{Expiring, RefreshingCache};
use super::sts_client::StsClient;
use super::{CredentialSource, Credentials, CredentialsError, ProvideCredentials, ProviderContext};
use crate::action::Action;
use crate::network::Network;
use crate::sts::AssumeRoleRequest;
use std::fmt;
use std::sync::Arc;

/// The provider's name in messages.
const NAME: &str = "assume-role";
/// The region the official SDKs send STS calls with when none is given.
const DEFAULT_REGION: &str = "ap-guangzhou";

/// Temporary credentials of a CAM role, assumed with `AssumeRole` by any source credentials.
///
/// ```no_run
/// use tc_redis::credentials::{AssumeRoleProvider, EnvProvider};
/// use tc_redis::Client;
///
/// let role = AssumeRoleProvider::new(
///     EnvProvider::new(),
///     "qcs::cam::uin/100000000001:roleName/deployer",
///     "nightly-cleanup",
/// );
/// // The STS call goes out on the client's network: its proxy, CAs, root domain, timeouts and
/// // STS endpoint.
/// let client = Client::builder()
///     .region("ap-guangzhou")
///     .service_endpoint("sts", "https://sts.internal.example")
///     .credentials_provider(role)
///     .build()?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// The credentials are cached and assumed again when a tenth of their lifetime remains
/// (default lifetime 7200 s, as in the official SDKs): one caller does it while the others
/// keep using the still-valid ones. Sent to `sts.<root domain>` in region `ap-guangzhou` (the
/// official SDKs' choice), on the network of the client the provider signs for (its
/// `service_endpoint("sts", ..)` or `TENCENTCLOUD_ENDPOINT_URL_STS` included), unless
/// [`with_endpoint`](Self::with_endpoint) / [`with_region`](Self::with_region) say otherwise,
/// signed by the source with service `sts`. The source is handed the same network.
pub struct AssumeRoleProvider {
    source: Arc<dyn ProvideCredentials>,
    role_arn: String,
    session_name: String,
    region: String,
    sts: StsClient,
    cache: RefreshingCache,
}

impl AssumeRoleProvider {
    /// Assumes `role_arn` (`qcs::cam::uin/<uin>:roleName/<name>`) as session `session_name`,
    /// signing with `source`'s credentials.
    pub fn new(
        source: impl ProvideCredentials + 'static,
        role_arn: impl Into<String>,
        session_name: impl Into<String>,
    ) -> Self {
        AssumeRoleProvider {
            source: Arc::new(source),
            role_arn: role_arn.into(),
            session_name: session_name.into(),
            region: DEFAULT_REGION.to_owned(),
            sts: StsClient::new(NAME, ProviderContext::new()),
            cache: RefreshingCache::new(),
        }
    }

    /// Times expiry and requests by the clock of `context`, and sends on its network if it has
    /// one (else on the network of the client the provider signs for).
    pub fn with_context(mut self, context: ProviderContext) -> Self {
        self.sts.context = context;
        self
    }

    super::sts_client::sts_settings!();

    /// The `X-TC-Region` of the STS call (default `ap-guangzhou`).
    pub fn with_region(mut self, region: impl Into<String>) -> Self {
        self.region = region.into();
        self
    }

    fn fetch(&self) -> Result<Expiring, CredentialsError> {
        let duration = self.sts.duration_seconds()?;
        let pipeline = self.sts.pipeline(&self.region, Arc::clone(&self.source))?;
        let request = AssumeRoleRequest::new(self.role_arn.as_str(), self.session_name.as_str())
            .with_duration_seconds(duration);
        let reply = pipeline
            .call(&request)
            .map(|r| (r.credentials, r.expired_time));
        self.sts.issued(
            <AssumeRoleRequest as Action>::NAME,
            &self.role_arn,
            CredentialSource::AssumedRole {
                role_arn: self.role_arn.clone(),
            },
            duration,
            reply,
        )
    }
}

impl fmt::Debug for AssumeRoleProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AssumeRoleProvider")
            .field("source", &self.source)
            .field("role_arn", &self.role_arn)
            .field("session_name", &self.session_name)
            .field("region", &self.region)
            .field("sts", &self.sts)
            .field(
                "cached_until",
                &format_args!("{}", self.cache.cached_until()),
            )
            .finish()
    }
}

impl ProvideCredentials for AssumeRoleProvider {
    fn provide(&self) -> Result<Credentials, CredentialsError> {
        let now = self.sts.context.unix_now();
        self.cache
            .get(now, self.sts.refresh_window(), || self.fetch())
    }

    fn name(&self) -> &'static str {
        NAME
    }

    fn use_network(&self, network: &Network) {
        self.sts.hand(network);
        self.source.use_network(network);
    }
}
