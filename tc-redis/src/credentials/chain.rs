//! [`DefaultChain`]: environment, then profile, then TKE workload identity, then CVM role.

use super::{
    Credentials, CredentialsError, CvmRoleProvider, EnvProvider, ProfileProvider,
    ProvideCredentials,
};
use std::fmt;
use std::sync::OnceLock;

/// Tries [`EnvProvider`], [`ProfileProvider`], TKE workload identity and [`CvmRoleProvider`] in
/// that order.
///
/// A provider whose source is absent ([`CredentialsError::NotConfigured`], or an unreachable
/// metadata service) is skipped; any other error stops the chain and is returned, so that a
/// misconfiguration is reported rather than silently replaced by another identity. The first
/// provider that succeeds is remembered and asked alone from then on. When none applies the
/// error is [`CredentialsError::NoneApplied`], listing each provider and why it did not apply.
///
/// Between the profile and the CVM role, [`WebIdentityProvider::from_env`](super::WebIdentityProvider::from_env)
/// (TKE workload identity) applies when the `TKE_*` variables are set: explicit configuration of
/// the pod beats the ambient role of its node (the official Python SDK asks the CVM role first,
/// which hands a pod its node's identity; Go has no OIDC step).
pub struct DefaultChain {
    providers: Vec<Box<dyn ProvideCredentials>>,
    winner: OnceLock<usize>,
}

impl DefaultChain {
    /// Environment, then the default profile file, then TKE workload identity (the `TKE_*`
    /// variables), then the CVM role (default timeouts).
    pub fn new() -> Self {
        DefaultChain::with_providers(vec![
            Box::new(EnvProvider::new()),
            Box::new(ProfileProvider::new()),
            // Before the CVM role: a TKE pod's own identity wins over its node's.
            Box::new(super::WebIdentityProvider::from_env()),
            Box::new(CvmRoleProvider::new()),
        ])
    }

    /// A chain over other providers, tried in order with the same rules.
    pub fn with_providers(providers: Vec<Box<dyn ProvideCredentials>>) -> Self {
        DefaultChain {
            providers,
            winner: OnceLock::new(),
        }
    }
}

impl Default for DefaultChain {
    fn default() -> Self {
        DefaultChain::new()
    }
}

impl fmt::Debug for DefaultChain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DefaultChain")
            .field("providers", &self.providers)
            .field(
                "winner",
                &self.winner.get().map(|&i| self.providers[i].name()),
            )
            .finish()
    }
}

impl ProvideCredentials for DefaultChain {
    fn provide(&self) -> Result<Credentials, CredentialsError> {
        if let Some(&index) = self.winner.get() {
            return self.providers[index].provide();
        }
        let mut attempts = Vec::with_capacity(self.providers.len());
        for (index, provider) in self.providers.iter().enumerate() {
            match provider.provide() {
                Ok(credentials) => {
                    let _ = self.winner.set(index);
                    return Ok(credentials);
                }
                Err(e) if e.does_not_apply() => attempts.push(e.to_string()),
                Err(e) => return Err(e),
            }
        }
        Err(CredentialsError::NoneApplied { attempts })
    }

    fn name(&self) -> &'static str {
        "default-chain"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::test_support::{
        ID, KEY, TOKEN, TempDir, assert_no_secret, closed_port_base, env,
    };
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    #[test]
    fn chain_lists_every_attempt() {
        let dir = TempDir::new("chain");
        let home = dir.0.join("home");
        let system = dir.0.join("etc-credentials");
        let home_str = home.display().to_string();
        let mut profile =
            ProfileProvider::with_lookup(move |k| (k == "HOME").then(|| home_str.clone()));
        profile.system_path = system.clone();
        let base = closed_port_base();
        let chain = DefaultChain::with_providers(vec![
            Box::new(env(&[])),
            Box::new(profile),
            Box::new(
                CvmRoleProvider::new()
                    .with_base_url(&base)
                    .with_timeout(Duration::from_secs(1)),
            ),
        ]);
        let e = chain.provide().unwrap_err();
        let CredentialsError::NoneApplied { attempts } = &e else {
            panic!("{e:?}")
        };
        assert_eq!(attempts.len(), 3);
        assert_eq!(attempts[0], "environment: TENCENTCLOUD_SECRET_ID not set");
        assert_eq!(
            attempts[1],
            format!(
                "profile: {}, {} not found",
                home.join(".tencentcloud/credentials").display(),
                system.display()
            )
        );
        assert!(
            attempts[2].starts_with(&format!("cvm-role: metadata service unreachable ({base})")),
            "{}",
            attempts[2]
        );
        let text = e.to_string();
        assert!(
            text.starts_with(
                "no credentials found; tried environment: TENCENTCLOUD_SECRET_ID not set; profile: "
            ),
            "{text}"
        );
        assert!(
            text.contains("To proceed: set TENCENTCLOUD_SECRET_ID"),
            "{text}"
        );
    }

    /// Counts calls; succeeds or reports "not configured".
    #[derive(Debug)]
    struct Counting {
        calls: Arc<AtomicUsize>,
        result: Option<Credentials>,
    }

    impl ProvideCredentials for Counting {
        fn provide(&self) -> Result<Credentials, CredentialsError> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            self.result.clone().ok_or(CredentialsError::NotConfigured {
                provider: "counting",
                detail: "nothing".into(),
            })
        }

        fn name(&self) -> &'static str {
            "counting"
        }
    }

    #[test]
    fn chain_caches_the_winner() {
        let first = Arc::new(AtomicUsize::new(0));
        let second = Arc::new(AtomicUsize::new(0));
        let creds = Credentials::new(ID, KEY)
            .unwrap()
            .with_token(TOKEN)
            .unwrap();
        let chain = DefaultChain::with_providers(vec![
            Box::new(Counting {
                calls: Arc::clone(&first),
                result: None,
            }),
            Box::new(Counting {
                calls: Arc::clone(&second),
                result: Some(creds.clone()),
            }),
        ]);
        assert_eq!(chain.provide().unwrap(), creds);
        assert_eq!(chain.provide().unwrap(), creds);
        assert_eq!(
            (first.load(Ordering::SeqCst), second.load(Ordering::SeqCst)),
            (1, 2)
        );
        let debug = format!("{chain:?}");
        assert!(debug.contains("winner: Some(\"counting\")"), "{debug}");
        assert_no_secret(&debug);
        assert_eq!(chain.name(), "default-chain");
    }

    #[test]
    fn chain_stops_at_a_real_error() {
        let later = Arc::new(AtomicUsize::new(0));
        let chain = DefaultChain::with_providers(vec![
            Box::new(env(&[(EnvProvider::SECRET_ID_VAR, ID)])),
            Box::new(Counting {
                calls: Arc::clone(&later),
                result: Some(Credentials::new(ID, KEY).unwrap()),
            }),
        ]);
        let e = chain.provide().unwrap_err();
        assert!(matches!(e, CredentialsError::EnvIncomplete { .. }), "{e:?}");
        assert_eq!(later.load(Ordering::SeqCst), 0);
    }

    #[test]
    fn chain_with_env_credentials_and_debug_of_defaults() {
        let chain = DefaultChain::with_providers(vec![
            Box::new(env(&[
                (EnvProvider::SECRET_ID_VAR, ID),
                (EnvProvider::SECRET_KEY_VAR, KEY),
                (EnvProvider::TOKEN_VAR, TOKEN),
            ])),
            Box::new(ProfileProvider::from_path("/nonexistent")),
        ]);
        assert_eq!(chain.provide().unwrap().token(), Some(TOKEN));
        assert_no_secret(&format!("{chain:?}"));
        let defaults = format!("{:?}", DefaultChain::new());
        assert!(
            defaults.contains("EnvProvider")
                && defaults.contains("ProfileProvider")
                && defaults.contains("CvmRoleProvider"),
            "{defaults}"
        );
    }
}
