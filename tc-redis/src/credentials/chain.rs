//! [`DefaultChain`]: environment, then the credentials file, then tccli's profile, then TKE
//! workload identity, then the CVM role (each source whose feature is on).

#[cfg(feature = "credentials-cvm")]
use super::CvmRoleProvider;
#[cfg(feature = "credentials-sts")]
use super::WebIdentityProvider;
use super::{
    Credentials, CredentialsError, CredentialsErrorKind, EnvProvider, ProvideCredentials,
    ProviderContext,
};
#[cfg(feature = "credentials-profile")]
use super::{ProfileProvider, TccliProvider};
use crate::network::Network;
use std::fmt;
#[cfg(feature = "credentials-cvm")]
use std::sync::Arc;
use std::sync::OnceLock;

/// The provider's name in messages.
const NAME: &str = "default-chain";

/// Tries, in this order: [`EnvProvider`], `ProfileProvider` and `TccliProvider` (feature
/// `credentials-profile`), TKE workload identity (`WebIdentityProvider::from_env`, only when the
/// `TKE_*` variables are set; feature `credentials-sts`), `CvmRoleProvider` (feature
/// `credentials-cvm`). Each reads the chain's [`ProviderContext`].
///
/// Explicit configuration comes before the machine's own identity: a source a person
/// configured (variables, files) beats an ambient one (the pod's or the instance's role), like
/// in the AWS SDKs.
///
/// * A source that is not there ([`CredentialsErrorKind::NotLoaded`]) is skipped.
/// * Any other error stops the chain and is returned: a misconfigured source (a variable that
///   is not UTF-8, a file that is a FIFO, a broken tccli profile, expired credentials) is
///   reported, never silently replaced by another identity.
/// * A tccli profile set to use the CVM role signs with the CVM role, and nothing else: not the
///   TKE workload identity, even in a pod that has one.
/// * With a profile named explicitly (`with_profile`, feature `credentials-profile`), the profile is the
///   identity asked for: the environment variables are not used (as with tccli's and the AWS
///   CLI's `--profile`), and one of the file sources must have the profile, otherwise the chain
///   stops with an [`InvalidConfiguration`](CredentialsErrorKind::InvalidConfiguration) ("profile
///   not found") before the ambient sources.
/// * The first source that succeeds is remembered and asked alone from then on.
/// * When none applies the error is [`NotLoaded`](CredentialsErrorKind::NotLoaded), its
///   [`attempts`](CredentialsError::attempts) listing each source and why it did not apply.
///
/// TKE workload identity goes before the CVM role: the pod's explicit configuration beats its
/// node's ambient role (the official Python SDK asks the CVM role first, which hands a pod its
/// node's identity; the Go SDK has no OIDC step in its default chain).
pub struct DefaultChain {
    environment: EnvProvider,
    #[cfg(feature = "credentials-profile")]
    profile_file: ProfileProvider,
    #[cfg(feature = "credentials-profile")]
    tccli: TccliProvider,
    #[cfg(feature = "credentials-sts")]
    web_identity: WebIdentityProvider,
    /// Shared with `tccli`, for a profile that says "use the CVM role".
    #[cfg(feature = "credentials-cvm")]
    cvm_role: Arc<CvmRoleProvider>,
    /// A profile named explicitly: found in a file source, or the chain stops.
    #[cfg(feature = "credentials-profile")]
    named_profile: Option<String>,
    winner: OnceLock<usize>,
}

/// Where the file sources stand among the [`links`](DefaultChain::links): the ones a named
/// profile is looked for in.
#[cfg(feature = "credentials-profile")]
const FILE_SOURCES: std::ops::Range<usize> = 1..3;

impl DefaultChain {
    /// The default chain of the process (its environment, home directory and clock), for the
    /// `default` profile.
    pub fn new() -> Self {
        DefaultChain::with_context(ProviderContext::new())
    }

    /// The default chain reading `context`.
    pub fn with_context(context: ProviderContext) -> Self {
        #[cfg(feature = "credentials-cvm")]
        let cvm_role = Arc::new(CvmRoleProvider::with_context(context.clone()));
        DefaultChain {
            environment: EnvProvider::with_context(context.clone()),
            #[cfg(feature = "credentials-profile")]
            profile_file: ProfileProvider::with_context(context.clone()),
            #[cfg(feature = "credentials-profile")]
            tccli: {
                let tccli = TccliProvider::with_context(context.clone());
                #[cfg(feature = "credentials-cvm")]
                let tccli = tccli.with_cvm_role(Arc::clone(&cvm_role));
                tccli
            },
            #[cfg(feature = "credentials-sts")]
            web_identity: WebIdentityProvider::from_env().with_context(context),
            #[cfg(feature = "credentials-cvm")]
            cvm_role,
            #[cfg(feature = "credentials-profile")]
            named_profile: None,
            winner: OnceLock::new(),
        }
    }

    /// The chain for a profile named explicitly: section `[profile]` of the credentials file,
    /// and tccli's `~/.tccli/<profile>.credential`. The environment variables are not used, and
    /// the machine's own identity is never used in place of a profile that is not found (see the
    /// type's documentation).
    #[cfg(feature = "credentials-profile")]
    pub fn with_profile(mut self, profile: impl Into<String>) -> Self {
        let profile = profile.into();
        self.profile_file = self.profile_file.with_profile(&profile);
        self.tccli = self.tccli.with_profile(&profile);
        self.named_profile = Some(profile);
        self.winner = OnceLock::new();
        self
    }

    /// Asks this TKE workload identity provider (another STS endpoint, a session name, a
    /// lifetime) instead of the default `WebIdentityProvider::from_env`.
    #[cfg(feature = "credentials-sts")]
    pub fn with_web_identity(mut self, provider: WebIdentityProvider) -> Self {
        self.web_identity = provider;
        self.winner = OnceLock::new();
        self
    }

    /// Asks this CVM role provider (another metadata address, other timeouts) instead of the
    /// default one, for the chain's last source and for a tccli profile that says "use the CVM
    /// role".
    #[cfg(feature = "credentials-cvm")]
    pub fn with_cvm_role(mut self, provider: CvmRoleProvider) -> Self {
        self.cvm_role = Arc::new(provider);
        #[cfg(feature = "credentials-profile")]
        {
            self.tccli = self.tccli.with_cvm_role(Arc::clone(&self.cvm_role));
        }
        self.winner = OnceLock::new();
        self
    }

    /// The sources, in order: the environment, the files ([`FILE_SOURCES`]), the machine's own
    /// identity.
    fn links(&self) -> Vec<&dyn ProvideCredentials> {
        #[allow(unused_mut)] // with no optional source, the environment alone
        let mut links: Vec<&dyn ProvideCredentials> = vec![&self.environment];
        #[cfg(feature = "credentials-profile")]
        links.extend([&self.profile_file as &dyn ProvideCredentials, &self.tccli]);
        // Only when the TKE_* variables are set; before the CVM role, so that a pod's workload
        // identity wins over its node's instance role.
        #[cfg(feature = "credentials-sts")]
        links.push(&self.web_identity);
        #[cfg(feature = "credentials-cvm")]
        links.push(&*self.cvm_role);
        links
    }

    /// The credentials of the first of `links[range]` that has some, remembered as the winner;
    /// a source that is not there adds its line to `attempts`, any other error is the answer.
    /// `None` when no source applied.
    fn first_of(
        &self,
        links: &[&dyn ProvideCredentials],
        range: std::ops::Range<usize>,
        attempts: &mut Vec<String>,
    ) -> Option<Result<Credentials, CredentialsError>> {
        for index in range {
            match links.get(index)?.provide() {
                Ok(credentials) => {
                    let _ = self.winner.set(index);
                    return Some(Ok(credentials));
                }
                Err(e) if e.kind() == CredentialsErrorKind::NotLoaded => {
                    attempts.push(e.to_string());
                }
                Err(e) => return Some(Err(e)),
            }
        }
        None
    }
}

impl Default for DefaultChain {
    fn default() -> Self {
        DefaultChain::new()
    }
}

impl fmt::Debug for DefaultChain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let providers = self.links();
        let mut d = f.debug_struct("DefaultChain");
        d.field("providers", &providers);
        #[cfg(feature = "credentials-profile")]
        d.field("named_profile", &self.named_profile);
        d.field(
            "winner",
            &self
                .winner
                .get()
                .and_then(|&i| providers.get(i))
                .map(|p| p.name()),
        )
        .finish()
    }
}

impl ProvideCredentials for DefaultChain {
    fn provide(&self) -> Result<Credentials, CredentialsError> {
        let links = self.links();
        if let Some(winner) = self.winner.get().and_then(|&i| links.get(i)) {
            return winner.provide();
        }
        let mut attempts = Vec::with_capacity(links.len());
        // A named profile: not the environment, and not the machine's own identity in its
        // place; a tccli profile that says "use the CVM role" is found, and signs with it.
        #[cfg(feature = "credentials-profile")]
        if let Some(profile) = &self.named_profile {
            attempts.push(format!(
                "{}: not used, profile `{profile}` was named",
                self.environment.name()
            ));
            return self
                .first_of(&links, FILE_SOURCES, &mut attempts)
                .unwrap_or_else(|| Err(profile_not_found(profile, attempts)));
        }
        self.first_of(&links, 0..links.len(), &mut attempts)
            .unwrap_or_else(|| Err(none_found(attempts)))
    }

    fn name(&self) -> &'static str {
        NAME
    }

    fn use_network(&self, network: &Network) {
        for provider in self.links() {
            provider.use_network(network);
        }
    }
}

/// No source applied: what was tried, and how to provide credentials.
fn none_found(attempts: Vec<String>) -> CredentialsError {
    let mut ways = vec![
        "set TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY",
        #[cfg(feature = "credentials-profile")]
        "put secret_id and secret_key under [default] in ~/.tencentcloud/credentials",
        #[cfg(feature = "credentials-profile")]
        "run `tccli configure`",
        #[cfg(feature = "credentials-sts")]
        "set the TKE_* variables of TKE workload identity",
        #[cfg(feature = "credentials-cvm")]
        "run on a CVM instance with a CAM role bound",
    ];
    ways.push("pass credentials explicitly with ClientBuilder::credentials");
    CredentialsError::not_loaded(
        NAME,
        format!(
            "no credentials found; tried {}. To proceed: {}",
            attempts.join("; "),
            ways.join(", or ")
        ),
    )
    .with_attempts(attempts)
}

/// A named profile that no file source has.
#[cfg(feature = "credentials-profile")]
fn profile_not_found(profile: &str, attempts: Vec<String>) -> CredentialsError {
    CredentialsError::invalid(
        NAME,
        format!(
            "profile `{profile}` not found; tried {}. A named profile is not replaced by the \
             machine's own identity: create the profile (`tccli configure --profile NAME`, or a \
             [NAME] section in ~/.tencentcloud/credentials) or fix its name",
            attempts.join("; ")
        ),
    )
    .with_attempts(attempts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::CredentialsErrorKind::InvalidConfiguration;
    use crate::credentials::test_support::{ID, KEY, TOKEN, assert_no_secret, context};

    #[test]
    fn chain_with_env_credentials_and_debug_of_defaults() {
        let chain = DefaultChain::with_context(context(&[
            (EnvProvider::SECRET_ID_VAR, ID),
            (EnvProvider::SECRET_KEY_VAR, KEY),
            (EnvProvider::TOKEN_VAR, TOKEN),
        ]));
        assert_eq!(chain.provide().unwrap().token(), Some(TOKEN));
        let debug = format!("{chain:?}");
        assert!(debug.contains("winner: Some(\"environment\")"), "{debug}");
        assert_no_secret(&debug);
        assert_eq!(chain.name(), "default-chain");
        let defaults = format!("{:?}", DefaultChain::new());
        let expected = [
            ("EnvProvider", true),
            ("ProfileProvider", cfg!(feature = "credentials-profile")),
            ("TccliProvider", cfg!(feature = "credentials-profile")),
            ("WebIdentityProvider", cfg!(feature = "credentials-sts")),
            ("CvmRoleProvider", cfg!(feature = "credentials-cvm")),
        ];
        for (provider, present) in expected {
            assert_eq!(
                defaults.contains(provider),
                present,
                "{provider}: {defaults}"
            );
        }
    }

    #[test]
    fn chain_stops_at_a_real_error() {
        let chain = DefaultChain::with_context(context(&[(EnvProvider::SECRET_ID_VAR, ID)]));
        let e = chain.provide().unwrap_err();
        assert_eq!(e.kind(), InvalidConfiguration);
        assert_eq!(e.provider(), Some("environment"));
        assert!(e.attempts().is_empty());
    }

    /// Every source of every feature, on a machine with nothing configured.
    #[test]
    #[cfg(all(
        feature = "credentials-profile",
        feature = "credentials-sts",
        feature = "credentials-cvm"
    ))]
    fn chain_lists_every_attempt() {
        use crate::credentials::test_support::{closed_port_base, home_context};
        use std::time::Duration;
        let dir = tc_redis_test_support::TempDir::new("chain");
        let etc = dir.join("etc");
        let base = closed_port_base();
        let chain =
            DefaultChain::with_context(home_context(dir.path()).with_system_config_dir(&etc))
                .with_cvm_role(
                    CvmRoleProvider::new()
                        .with_base_url(&base)
                        .with_timeout(Duration::from_secs(1)),
                );
        let e = chain.provide().unwrap_err();
        assert_eq!(e.kind(), CredentialsErrorKind::NotLoaded);
        let attempts = e.attempts();
        assert_eq!(attempts.len(), 5, "{attempts:?}");
        assert_eq!(attempts[0], "environment: TENCENTCLOUD_SECRET_ID not set");
        assert_eq!(
            attempts[1],
            format!(
                "profile: {}, {} not found",
                dir.join(".tencentcloud/credentials").display(),
                etc.join("credentials").display()
            )
        );
        assert_eq!(
            attempts[2],
            format!(
                "tccli: {} not found",
                dir.join(".tccli/default.credential").display()
            )
        );
        assert!(
            attempts[3].starts_with("tke-oidc: TKE_REGION"),
            "{}",
            attempts[3]
        );
        assert!(
            attempts[4].starts_with(&format!("cvm-role: metadata service unreachable ({base})")),
            "{}",
            attempts[4]
        );
        let text = e.to_string();
        assert!(
            text.starts_with(
                "default-chain: no credentials found; tried environment: TENCENTCLOUD_SECRET_ID \
                 not set; profile: "
            ),
            "{text}"
        );
        assert!(
            text.contains("To proceed: set TENCENTCLOUD_SECRET_ID"),
            "{text}"
        );
    }

    /// With no optional source, the chain is the environment alone.
    #[test]
    #[cfg(not(any(
        feature = "credentials-profile",
        feature = "credentials-sts",
        feature = "credentials-cvm"
    )))]
    fn chain_of_the_core_is_the_environment() {
        let e = DefaultChain::with_context(context(&[]))
            .provide()
            .unwrap_err();
        assert_eq!(e.kind(), CredentialsErrorKind::NotLoaded);
        assert_eq!(
            e.attempts(),
            ["environment: TENCENTCLOUD_SECRET_ID not set"]
        );
        assert_eq!(
            e.to_string(),
            "default-chain: no credentials found; tried environment: TENCENTCLOUD_SECRET_ID not \
             set. To proceed: set TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY, or pass \
             credentials explicitly with ClientBuilder::credentials"
        );
    }

    /// The machine a chain-order test runs on: a home directory with the SDK credentials file
    /// and tccli's profile, the environment, and a metadata server.
    #[cfg(all(feature = "credentials-profile", feature = "credentials-cvm"))]
    mod machine {
        use super::*;
        use crate::credentials::CredentialSource;
        use crate::credentials::test_support::{Metadata, ROLE_PATH};
        use std::path::PathBuf;
        use std::time::Duration;
        use tc_redis_test_support::TempDir;

        struct Machine {
            home: TempDir,
            metadata: Metadata,
            env: Vec<(&'static str, String)>,
        }

        impl Machine {
            fn new(name: &str) -> Machine {
                let home = TempDir::new(name);
                std::fs::create_dir_all(home.join(".tencentcloud")).unwrap();
                std::fs::create_dir_all(home.join(".tccli")).unwrap();
                let metadata = Metadata::start(|path| {
                    match path.strip_prefix(ROLE_PATH) {
                    Some("") => (200, "node-role".into()),
                    Some("node-role") => (
                        200,
                        r#"{"TmpSecretId":"AKIDcvm","TmpSecretKey":"TmpKeyQw8","Token":"TmpTokenPo5","ExpiredTime":4000000000,"Code":"Success"}"#
                            .into(),
                    ),
                    _ => (404, String::new()),
                }
                });
                Machine {
                    home,
                    metadata,
                    env: Vec::new(),
                }
            }

            fn sdk_file(&self) -> PathBuf {
                self.home.join(".tencentcloud/credentials")
            }

            fn tccli_file(&self, profile: &str) -> PathBuf {
                self.home.join(format!(".tccli/{profile}.credential"))
            }

            /// The context of this machine: its environment and home.
            fn context(&self) -> ProviderContext {
                let home = self.home.path().display().to_string();
                let mut vars: Vec<(&str, &str)> = vec![("HOME", &home)];
                vars.extend(self.env.iter().map(|(k, v)| (*k, v.as_str())));
                context(&vars).with_system_config_dir(self.home.join("no-system-dir"))
            }

            /// The default chain of this machine, for `profile` (named explicitly unless it is
            /// `default`).
            fn chain(&self, profile: &str) -> DefaultChain {
                let chain = DefaultChain::with_context(self.context()).with_cvm_role(
                    CvmRoleProvider::new()
                        .with_base_url(self.metadata.base())
                        .with_timeout(Duration::from_secs(3)),
                );
                match profile {
                    "default" => chain,
                    named => chain.with_profile(named),
                }
            }

            fn cvm_hits(&self) -> usize {
                self.metadata.hits().len()
            }
        }

        #[test]
        fn chain_order_each_source_wins_over_the_later_ones() {
            let mut m = Machine::new("chain-order");
            m.env = vec![
                (EnvProvider::SECRET_ID_VAR, "AKIDenv".into()),
                (EnvProvider::SECRET_KEY_VAR, KEY.into()),
            ];
            std::fs::write(
                m.sdk_file(),
                "[default]\nsecret_id = AKIDfile\nsecret_key = k\n",
            )
            .unwrap();
            std::fs::write(
                m.tccli_file("default"),
                r#"{"secretId": "AKIDtccli", "secretKey": "k", "token": null}"#,
            )
            .unwrap();
            let expected = [
                ("AKIDenv", CredentialSource::Environment),
                (
                    "AKIDfile",
                    CredentialSource::CredentialsFile {
                        path: m.sdk_file(),
                        profile: "default".into(),
                    },
                ),
                (
                    "AKIDtccli",
                    CredentialSource::Tccli {
                        path: m.tccli_file("default"),
                        profile: "default".into(),
                    },
                ),
                (
                    "AKIDcvm",
                    CredentialSource::CvmRole {
                        role: "node-role".into(),
                    },
                ),
            ];
            for (step, (id, source)) in expected.into_iter().enumerate() {
                let c = m.chain("default").provide().unwrap();
                assert_eq!(
                    (c.secret_id(), c.source()),
                    (id, &source),
                    "step {step}: the first configured source signs"
                );
                // Remove the winner; the next source must win.
                match step {
                    0 => m.env.clear(),
                    1 => std::fs::remove_file(m.sdk_file()).unwrap(),
                    2 => std::fs::remove_file(m.tccli_file("default")).unwrap(),
                    _ => {}
                }
            }
            assert_eq!(
                m.cvm_hits(),
                2,
                "the metadata service is asked only in the last step"
            );
        }

        #[test]
        fn chain_caches_the_winner() {
            let m = Machine::new("chain-winner");
            std::fs::write(
                m.tccli_file("default"),
                r#"{"secretId": "AKIDtccli", "secretKey": "k"}"#,
            )
            .unwrap();
            let chain = m.chain("default");
            assert_eq!(chain.provide().unwrap().secret_id(), "AKIDtccli");
            // An earlier source appears: the winner is still asked alone.
            std::fs::write(
                m.sdk_file(),
                "[default]\nsecret_id = AKIDfile\nsecret_key = k\n",
            )
            .unwrap();
            assert_eq!(chain.provide().unwrap().secret_id(), "AKIDtccli");
            let debug = format!("{chain:?}");
            assert!(debug.contains("winner: Some(\"tccli\")"), "{debug}");
            // A new chain sees the file first.
            assert_eq!(
                m.chain("default").provide().unwrap().secret_id(),
                "AKIDfile"
            );
        }

        #[test]
        #[cfg(unix)]
        fn chain_an_explicit_source_error_stops_the_chain() {
            let mut m = Machine::new("chain-stop");
            // A broken tccli profile: not replaced by the node's role.
            std::fs::write(m.tccli_file("default"), "{ not json").unwrap();
            let e = m.chain("default").provide().unwrap_err();
            assert_eq!(e.kind(), InvalidConfiguration);
            assert_eq!(e.provider(), Some("tccli"));
            // A credentials file that is a FIFO: refused at once, not replaced by tccli.
            m.home.fifo(".tencentcloud/credentials");
            std::fs::write(
                m.tccli_file("default"),
                r#"{"secretId": "AKIDtccli", "secretKey": "k"}"#,
            )
            .unwrap();
            let e = m.chain("default").provide().unwrap_err();
            assert_eq!(e.kind(), InvalidConfiguration);
            assert!(
                matches!(
                    std::error::Error::source(&e)
                        .and_then(|s| s.downcast_ref::<crate::input::ReadError>()),
                    Some(crate::input::ReadError::NotRegularFile { kind: "FIFO" })
                ),
                "{e:?}"
            );
            // A non-UTF-8 variable: not replaced by the file.
            std::fs::remove_file(m.sdk_file()).unwrap();
            let home = m.home.path().as_os_str().to_owned();
            let env = crate::env::Env::from_pairs([
                ("HOME", home),
                (EnvProvider::SECRET_ID_VAR, ID.into()),
                (EnvProvider::SECRET_KEY_VAR, {
                    use std::os::unix::ffi::OsStringExt;
                    std::ffi::OsString::from_vec(vec![0xFF])
                }),
            ]);
            let chain = DefaultChain::with_context(ProviderContext::new().with_env(env))
                .with_cvm_role(CvmRoleProvider::new().with_base_url(m.metadata.base()));
            let e = chain.provide().unwrap_err();
            assert_eq!(e.kind(), InvalidConfiguration);
            assert_eq!(e.provider(), Some("environment"));
            m.env.clear();
            assert_eq!(m.cvm_hits(), 0, "the CVM role is never asked");
        }

        #[test]
        fn chain_a_discovered_file_without_the_profile_falls_through_to_tccli() {
            let m = Machine::new("chain-section");
            std::fs::write(
                m.sdk_file(),
                "[other]\nsecret_id = AKIDother\nsecret_key = k\n",
            )
            .unwrap();
            std::fs::write(
                m.tccli_file("default"),
                r#"{"secretId": "AKIDtccli", "secretKey": "k"}"#,
            )
            .unwrap();
            assert_eq!(
                m.chain("default").provide().unwrap().secret_id(),
                "AKIDtccli"
            );
        }

        #[test]
        fn chain_a_named_profile_is_never_replaced_by_the_environment_or_the_instance_role() {
            let mut m = Machine::new("chain-named");
            m.env = vec![
                (EnvProvider::SECRET_ID_VAR, "AKIDenv".into()),
                (EnvProvider::SECRET_KEY_VAR, KEY.into()),
            ];
            std::fs::write(
                m.sdk_file(),
                "[default]\nsecret_id = AKIDfile\nsecret_key = k\n",
            )
            .unwrap();
            let e = m.chain("prod").provide().unwrap_err();
            assert_eq!(e.kind(), InvalidConfiguration);
            assert_eq!(
                e.attempts().len(),
                3,
                "env, file, tccli: {:?}",
                e.attempts()
            );
            assert!(
                e.to_string()
                    .starts_with("default-chain: profile `prod` not found; tried environment:"),
                "{e}"
            );
            assert_eq!(m.cvm_hits(), 0);
            // Found in tccli only: used.
            std::fs::write(
                m.tccli_file("prod"),
                r#"{"secretId": "AKIDprod", "secretKey": "k"}"#,
            )
            .unwrap();
            assert_eq!(m.chain("prod").provide().unwrap().secret_id(), "AKIDprod");
            // A tccli profile that says "use the CVM role": the role is used.
            std::fs::write(m.tccli_file("prod"), r#"{"type": "cvm-role"}"#).unwrap();
            assert_eq!(m.chain("prod").provide().unwrap().secret_id(), "AKIDcvm");
            // Without a named profile the environment comes first, as before; without it, the
            // default profile falls through to the role.
            assert_eq!(m.chain("default").provide().unwrap().secret_id(), "AKIDenv");
            m.env.clear();
            std::fs::remove_file(m.sdk_file()).unwrap();
            assert_eq!(m.chain("default").provide().unwrap().secret_id(), "AKIDcvm");
        }

        /// Issue 18, identity: tccli's `use-cvm-role` means the instance's role, even in a pod
        /// whose TKE_* variables would give it a workload identity.
        #[test]
        #[cfg(feature = "credentials-sts")]
        fn chain_a_cvm_role_tccli_profile_in_a_tke_pod_makes_no_sts_call() {
            use tc_redis_test_support::{Response, TestServer};
            let sts = TestServer::always(Response::json(r#"{"Response":{"RequestId":"r"}}"#));
            let mut m = Machine::new("chain-cvm-role-pod");
            let token = m.home.write("token", "eyJ.pod-token.sig\n");
            m.env = vec![
                ("TKE_REGION", "ap-guangzhou".into()),
                ("TKE_PROVIDER_ID", "tke-oidc-provider".into()),
                ("TKE_WEB_IDENTITY_TOKEN_FILE", token.display().to_string()),
                ("TKE_ROLE_ARN", "qcs::cam::uin/1:roleName/pod".into()),
            ];
            std::fs::write(m.tccli_file("default"), r#"{"type": "cvm-role"}"#).unwrap();
            // Every STS call this chain could make would go to `sts`.
            let pod = |m: &Machine| {
                WebIdentityProvider::from_env()
                    .with_context(m.context())
                    .with_endpoint(sts.url())
                    .allow_plain_http(true)
            };
            for profile in ["default", "named"] {
                if profile == "named" {
                    std::fs::copy(m.tccli_file("default"), m.tccli_file("named")).unwrap();
                }
                let chain = m.chain(profile).with_web_identity(pod(&m));
                let c = chain.provide().unwrap();
                assert_eq!(c.secret_id(), "AKIDcvm", "{profile}");
                assert_eq!(
                    c.source(),
                    &CredentialSource::CvmRole {
                        role: "node-role".into()
                    }
                );
            }
            assert_eq!(sts.requests().len(), 0, "no STS call: {:?}", sts.requests());
            // The pod without the tccli profile: its workload identity is tried (and asks STS).
            std::fs::remove_file(m.tccli_file("default")).unwrap();
            m.chain("default")
                .with_web_identity(pod(&m))
                .provide()
                .unwrap_err();
            assert_eq!(sts.requests().len(), 1, "the pod's exchange went to STS");
        }
    }
}
