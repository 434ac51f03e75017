//! What the providers' unit tests share: the test secrets and a check that none leaked, and a
//! context over a fixed environment. Temporary directories and test servers come from the
//! workspace's `tc-redis-test-support`.

use super::{EnvProvider, ProviderContext};
use crate::env::Env;

pub(super) const ID: &str = "AKIDtestSecretId0001";
pub(super) const KEY: &str = "DistinctiveSecretKeyZq9";
pub(super) const TOKEN: &str = "DistinctiveTokenXy7";

/// The path of the CVM metadata service's credentials listing.
#[cfg(feature = "credentials-cvm")]
pub(super) const ROLE_PATH: &str = "/latest/meta-data/cam/security-credentials/";

pub(super) fn assert_no_secret(text: &str) {
    assert!(!text.contains(KEY), "secret key leaked: {text}");
    assert!(!text.contains(TOKEN), "token leaked: {text}");
    assert!(!text.contains("TmpKeyQw8"), "temporary key leaked: {text}");
    assert!(
        !text.contains("TmpTokenPo5"),
        "temporary token leaked: {text}"
    );
}

/// A context whose environment is exactly `vars`, and whose system-wide directory is `dir`/etc
/// when given (never the machine's `/etc/tencentcloud`).
pub(super) fn context(vars: &[(&str, &str)]) -> ProviderContext {
    let pairs: Vec<(String, String)> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    ProviderContext::new()
        .with_env(Env::from_pairs(pairs))
        .with_system_config_dir("/nonexistent/tc-redis-test/etc")
}

pub(super) fn env(vars: &[(&str, &str)]) -> EnvProvider {
    EnvProvider::with_context(context(vars))
}

/// A clock that stands still until told otherwise, shared by its clones.
#[cfg(any(feature = "credentials-profile", feature = "credentials-cvm"))]
#[derive(Clone, Debug, Default)]
pub(super) struct TestClock(std::sync::Arc<std::sync::atomic::AtomicU64>);

#[cfg(any(feature = "credentials-profile", feature = "credentials-cvm"))]
impl TestClock {
    pub(super) fn at(unix_seconds: u64) -> TestClock {
        let clock = TestClock::default();
        clock.set(unix_seconds);
        clock
    }

    pub(super) fn set(&self, unix_seconds: u64) {
        self.0
            .store(unix_seconds, std::sync::atomic::Ordering::SeqCst);
    }
}

#[cfg(any(feature = "credentials-profile", feature = "credentials-cvm"))]
impl crate::clock::Clock for TestClock {
    fn now(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.0.load(std::sync::atomic::Ordering::SeqCst))
    }

    fn sleep(&self, _: std::time::Duration) {}
}

/// A context whose home is `home` (and nothing else in its environment).
#[cfg(feature = "credentials-profile")]
pub(super) fn home_context(home: &std::path::Path) -> ProviderContext {
    let home = home.display().to_string();
    context(&[("HOME", &home)])
}

/// A CVM metadata service on 127.0.0.1 answering `route(path) -> (status, body)`.
#[cfg(feature = "credentials-cvm")]
pub(super) struct Metadata(tc_redis_test_support::TestServer);

#[cfg(feature = "credentials-cvm")]
impl Metadata {
    pub(super) fn start(route: impl Fn(&str) -> (u16, String) + Send + Sync + 'static) -> Self {
        use tc_redis_test_support::{Response, TestServer};
        Metadata(TestServer::start(move |request| {
            let (status, body) = route(&request.target);
            Response::new(status).with_body(body).into()
        }))
    }

    /// The credentials listing's URL.
    pub(super) fn base(&self) -> String {
        format!("{}{ROLE_PATH}", self.0.url())
    }

    /// The requests read so far.
    pub(super) fn requests(&self) -> Vec<tc_redis_test_support::Request> {
        self.0.requests()
    }

    /// The paths asked so far.
    pub(super) fn hits(&self) -> Vec<String> {
        self.0.requests().into_iter().map(|r| r.target).collect()
    }

    /// The credentials requests (not the listing) so far.
    pub(super) fn credential_fetches(&self) -> usize {
        self.hits().iter().filter(|h| *h != ROLE_PATH).count()
    }
}

/// The credentials listing's URL on a port nothing listens on.
#[cfg(feature = "credentials-cvm")]
pub(super) fn closed_port_base() -> String {
    format!(
        "http://127.0.0.1:{}{ROLE_PATH}",
        tc_redis_test_support::closed_port()
    )
}
