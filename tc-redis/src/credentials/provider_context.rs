//! [`ProviderContext`]: what every provider reads from the world (the environment, where files
//! are, the time, the network), in one value that tests replace, as aws-config's
//! `ProviderConfig`; and [`HandedNetwork`], the network a client hands its provider.

use crate::clock::{Clock, SystemClock};
use crate::env::Env;
use crate::network::Network;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
#[cfg(any(feature = "credentials-sts", feature = "credentials-cvm"))]
use std::sync::OnceLock;

/// The world a credentials provider reads: the environment ([`Env`]), where its files are found
/// (the home directory, from `HOME`, and the system-wide directory), the clock, and the
/// [`Network`] its own requests use.
///
/// Every provider takes one (`with_context`); the default, [`ProviderContext::new`], is the
/// process's. Tests replace it whole instead of hooking each provider:
///
/// ```
/// use tc_redis::credentials::{EnvProvider, ProvideCredentials, ProviderContext};
/// use tc_redis::env::Env;
///
/// let context = ProviderContext::new().with_env(Env::from_pairs([
///     ("TENCENTCLOUD_SECRET_ID", "AKIDexample"),
///     ("TENCENTCLOUD_SECRET_KEY", "example-secret-key"),
/// ]));
/// let credentials = EnvProvider::with_context(context).provide()?;
/// assert_eq!(credentials.secret_id(), "AKIDexample");
/// # Ok::<(), tc_redis::credentials::CredentialsError>(())
/// ```
///
/// The network: a provider asked by a client uses the client's (the client hands it over when
/// it is built, [`ProvideCredentials::use_network`](super::ProvideCredentials::use_network)); one
/// set here wins over it. A provider used alone with none sends with the defaults of
/// [`Client::builder`](crate::Client::builder).
#[derive(Clone)]
pub struct ProviderContext {
    env: Env,
    system_config_dir: PathBuf,
    clock: Arc<dyn Clock>,
    network: Option<Network>,
}

impl ProviderContext {
    /// The system-wide directory of Tencent Cloud's credentials file, read last.
    pub const SYSTEM_CONFIG_DIR: &'static str = "/etc/tencentcloud";

    /// The process's: its environment (read at each lookup), `HOME`, [`Self::SYSTEM_CONFIG_DIR`],
    /// the system clock, and no network of its own.
    pub fn new() -> Self {
        ProviderContext {
            env: Env::process(),
            system_config_dir: PathBuf::from(Self::SYSTEM_CONFIG_DIR),
            clock: Arc::new(SystemClock),
            network: None,
        }
    }

    /// Reads variables from `env` (and the home directory from its `HOME`).
    pub fn with_env(mut self, env: Env) -> Self {
        self.env = env;
        self
    }

    /// Looks for the system-wide credentials file in `dir` instead of
    /// [`Self::SYSTEM_CONFIG_DIR`].
    pub fn with_system_config_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.system_config_dir = dir.into();
        self
    }

    /// Reads the time (expiry, request timestamps) from `clock`.
    pub fn with_clock(self, clock: impl Clock + 'static) -> Self {
        self.with_shared_clock(Arc::new(clock))
    }

    pub(crate) fn with_shared_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Sends the providers' own requests on `network` (a client's, [`Client::network`](crate::Client::network)),
    /// whatever client they are later given to.
    pub fn with_network(mut self, network: Network) -> Self {
        self.network = Some(network);
        self
    }

    /// The environment.
    pub fn env(&self) -> &Env {
        &self.env
    }

    /// The home directory: the environment's `HOME` (`USERPROFILE` on Windows).
    pub fn home(&self) -> Option<PathBuf> {
        self.env.home()
    }

    /// The system-wide configuration directory.
    pub fn system_config_dir(&self) -> &Path {
        &self.system_config_dir
    }

    /// The clock.
    pub fn clock(&self) -> &dyn Clock {
        &*self.clock
    }

    #[cfg(feature = "credentials-sts")]
    pub(crate) fn shared_clock(&self) -> Arc<dyn Clock> {
        Arc::clone(&self.clock)
    }

    /// Unix seconds now, by the clock.
    #[cfg(any(
        feature = "credentials-profile",
        feature = "credentials-sts",
        feature = "credentials-cvm"
    ))]
    pub(crate) fn unix_now(&self) -> i64 {
        i64::try_from(self.clock.now().as_secs()).unwrap_or(i64::MAX)
    }

    /// The network set here, if any.
    pub fn network(&self) -> Option<&Network> {
        self.network.as_ref()
    }
}

impl Default for ProviderContext {
    fn default() -> Self {
        ProviderContext::new()
    }
}

impl fmt::Debug for ProviderContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProviderContext")
            .field("env", &self.env)
            .field("system_config_dir", &self.system_config_dir)
            .field("clock", &self.clock)
            .field("network", &self.network)
            .finish()
    }
}

/// The network a provider's own requests use: its context's, else the first one a client handed
/// it ([`ProvideCredentials::use_network`](super::ProvideCredentials::use_network)).
#[cfg(any(feature = "credentials-sts", feature = "credentials-cvm"))]
#[derive(Debug, Default)]
pub(crate) struct HandedNetwork(OnceLock<Network>);

#[cfg(any(feature = "credentials-sts", feature = "credentials-cvm"))]
impl HandedNetwork {
    /// Keeps `network` unless one was kept before.
    pub(crate) fn hand(&self, network: &Network) {
        let _ = self.0.set(network.clone());
    }

    /// The context's network, else the handed one.
    pub(crate) fn get<'a>(&'a self, context: &'a ProviderContext) -> Option<&'a Network> {
        context.network().or_else(|| self.0.get())
    }

    /// [`get`](Self::get), else the network of a default client, made once by `standalone` and
    /// kept (its connection pool is reused at the next refresh).
    #[cfg(feature = "credentials-sts")]
    pub(crate) fn get_or_make<'a, E>(
        &'a self,
        context: &'a ProviderContext,
        standalone: impl FnOnce() -> Result<Network, E>,
    ) -> Result<&'a Network, E> {
        if let Some(network) = self.get(context) {
            return Ok(network);
        }
        let made = standalone()?;
        Ok(self.0.get_or_init(|| made))
    }
}
