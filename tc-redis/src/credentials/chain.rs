//! [`DefaultChain`]: environment, then the credentials file, then tccli's profile, then TKE
//! workload identity, then the CVM role.

use super::{
    Credentials, CredentialsError, CvmRoleProvider, EnvProvider, ProfileProvider,
    ProvideCredentials, TccliProvider,
};
use std::fmt;
use std::sync::OnceLock;

/// Tries, in this order: [`EnvProvider`], [`ProfileProvider`], [`TccliProvider`], TKE workload
/// identity ([`WebIdentityProvider::from_env`](super::WebIdentityProvider::from_env), only when
/// the `TKE_*` variables are set), [`CvmRoleProvider`].
///
/// Explicit configuration comes before the machine's own identity: a source a person
/// configured (variables, files) beats an ambient one (the instance role), like in the AWS SDKs.
///
/// * A provider whose source is absent ([`CredentialsError::NotConfigured`], an unreachable
///   metadata service, a tccli profile that says "use the CVM role") is skipped.
/// * Any other error stops the chain and is returned: a misconfigured source (a variable that
///   is not UTF-8, a file that is a FIFO, a broken tccli profile, expired credentials) is
///   reported, never silently replaced by another identity.
/// * With a profile named explicitly ([`with_profile`](Self::with_profile)), the profile is the
///   identity asked for: the environment variables are not used (as with tccli's and the AWS
///   CLI's `--profile`), and one of the file sources must have the profile, otherwise the chain
///   stops with [`CredentialsError::ProfileNotFound`] before the ambient sources.
/// * The first provider that succeeds is remembered and asked alone from then on.
/// * When none applies the error is [`CredentialsError::NoneApplied`], listing each provider
///   and why it did not apply.
///
/// TKE workload identity goes before the CVM role: the pod's explicit configuration beats its
/// node's ambient role (the official Python SDK asks the CVM role first, which hands a pod its
/// node's identity; the Go SDK has no OIDC step in its default chain).
pub struct DefaultChain {
    links: Vec<Link>,
    /// A profile named explicitly: found in a file source, or the chain stops.
    named_profile: Option<String>,
    winner: OnceLock<usize>,
}

/// A provider of the chain and its kind.
struct Link {
    provider: Box<dyn ProvideCredentials>,
    kind: Kind,
}

/// How a named profile treats a link.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// The environment: not used when a profile is named.
    Environment,
    /// A source a person configured (a file): used.
    Configured,
    /// The machine's own identity (CVM role, TKE workload identity): used only once a file
    /// source has the named profile (a tccli profile that says "use the CVM role").
    Ambient,
}

impl Link {
    fn new(kind: Kind, provider: impl ProvideCredentials + 'static) -> Link {
        Link {
            provider: Box::new(provider),
            kind,
        }
    }

    fn environment(provider: impl ProvideCredentials + 'static) -> Link {
        Link::new(Kind::Environment, provider)
    }

    fn configured(provider: impl ProvideCredentials + 'static) -> Link {
        Link::new(Kind::Configured, provider)
    }

    fn ambient(provider: impl ProvideCredentials + 'static) -> Link {
        Link::new(Kind::Ambient, provider)
    }
}

impl DefaultChain {
    /// The default chain for the `default` profile, with default timeouts.
    pub fn new() -> Self {
        DefaultChain::build(ProfileProvider::DEFAULT_PROFILE, None)
    }

    /// The default chain for a profile named explicitly: section `[profile]` of the credentials
    /// file, and tccli's `~/.tccli/<profile>.credential`. The environment variables are not
    /// used, and the machine's own identity is never used in place of a profile that is not
    /// found (see the type's documentation).
    pub fn with_profile(profile: impl Into<String>) -> Self {
        let profile = profile.into();
        DefaultChain::build(&profile.clone(), Some(profile))
    }

    fn build(profile: &str, named_profile: Option<String>) -> Self {
        DefaultChain {
            links: vec![
                Link::environment(EnvProvider::new()),
                Link::configured(ProfileProvider::new().with_profile(profile)),
                Link::configured(TccliProvider::new().with_profile(profile)),
                // Only when the TKE_* variables are set; before the CVM role, so that a pod's
                // workload identity wins over its node's instance role.
                Link::ambient(super::WebIdentityProvider::from_env()),
                Link::ambient(CvmRoleProvider::new()),
            ],
            named_profile,
            winner: OnceLock::new(),
        }
    }

    /// A chain over other providers, tried in order with the same rules (each is treated as
    /// a configured source: there is no named profile).
    pub fn with_providers(providers: Vec<Box<dyn ProvideCredentials>>) -> Self {
        DefaultChain {
            links: providers
                .into_iter()
                .map(|provider| Link {
                    provider,
                    kind: Kind::Configured,
                })
                .collect(),
            named_profile: None,
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
        let providers: Vec<&dyn ProvideCredentials> =
            self.links.iter().map(|l| &*l.provider).collect();
        f.debug_struct("DefaultChain")
            .field("providers", &providers)
            .field("named_profile", &self.named_profile)
            .field(
                "winner",
                &self.winner.get().map(|&i| self.links[i].provider.name()),
            )
            .finish()
    }
}

impl ProvideCredentials for DefaultChain {
    fn provide(&self) -> Result<Credentials, CredentialsError> {
        if let Some(&index) = self.winner.get() {
            return self.links[index].provider.provide();
        }
        let mut attempts = Vec::with_capacity(self.links.len());
        // A tccli profile that says "use the CVM role" counts as finding the named profile.
        let mut delegated_to_role = false;
        for (index, link) in self.links.iter().enumerate() {
            if let Some(profile) = &self.named_profile {
                match link.kind {
                    Kind::Environment => {
                        attempts.push(format!(
                            "{}: not used, profile `{profile}` was named",
                            link.provider.name()
                        ));
                        continue;
                    }
                    Kind::Ambient if !delegated_to_role => {
                        return Err(CredentialsError::ProfileNotFound {
                            profile: profile.clone(),
                            attempts,
                        });
                    }
                    _ => {}
                }
            }
            match link.provider.provide() {
                Ok(credentials) => {
                    let _ = self.winner.set(index);
                    return Ok(credentials);
                }
                Err(e) if e.does_not_apply() => {
                    delegated_to_role |= matches!(e, CredentialsError::TccliUsesCvmRole { .. });
                    attempts.push(e.to_string());
                }
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
    use crate::credentials::CredentialSource;
    use crate::credentials::test_support::{
        ID, KEY, ROLE_PATH, TOKEN, TempDir, assert_no_secret, closed_port_base, env, fake,
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

    /// The machine a chain-order test runs on: a home directory with the SDK credentials file
    /// and tccli's profile, the environment, and a metadata server.
    struct Machine {
        dir: TempDir,
        server: crate::credentials::test_support::Fake,
        env: Vec<(&'static str, &'static str)>,
    }

    impl Machine {
        fn new(name: &str) -> Machine {
            let dir = TempDir::new(name);
            std::fs::create_dir_all(dir.0.join(".tencentcloud")).unwrap();
            std::fs::create_dir_all(dir.0.join(".tccli")).unwrap();
            let server = fake(|path| {
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
                dir,
                server,
                env: Vec::new(),
            }
        }

        fn sdk_file(&self) -> std::path::PathBuf {
            self.dir.0.join(".tencentcloud/credentials")
        }

        fn tccli_file(&self, profile: &str) -> std::path::PathBuf {
            self.dir.0.join(format!(".tccli/{profile}.credential"))
        }

        /// The default chain's links, pointed at this machine, for `profile` (named explicitly
        /// unless it is `default`).
        fn chain(&self, profile: &str) -> DefaultChain {
            let home = self.dir.0.display().to_string();
            let lookup_home = home.clone();
            let mut file =
                ProfileProvider::with_lookup(move |k| (k == "HOME").then(|| lookup_home.clone()))
                    .with_profile(profile);
            file.system_path = self.dir.0.join("no-system-file");
            let tccli = TccliProvider::with_dir(self.dir.0.join(".tccli")).with_profile(profile);
            let cvm = CvmRoleProvider::new()
                .with_base_url(&self.server.base)
                .with_timeout(Duration::from_secs(3));
            DefaultChain {
                links: vec![
                    Link::environment(env(&self.env)),
                    Link::configured(file),
                    Link::configured(tccli),
                    Link::ambient(cvm),
                ],
                named_profile: (profile != "default").then(|| profile.to_owned()),
                winner: OnceLock::new(),
            }
        }

        fn cvm_hits(&self) -> usize {
            self.server.hits().len()
        }
    }

    #[test]
    fn chain_order_each_source_wins_over_the_later_ones() {
        let mut m = Machine::new("chain-order");
        m.env = vec![
            (EnvProvider::SECRET_ID_VAR, "AKIDenv"),
            (EnvProvider::SECRET_KEY_VAR, KEY),
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
    #[cfg(unix)]
    fn chain_an_explicit_source_error_stops_the_chain() {
        let m = Machine::new("chain-stop");
        // A broken tccli profile: not replaced by the node's role.
        std::fs::write(m.tccli_file("default"), "{ not json").unwrap();
        let e = m.chain("default").provide().unwrap_err();
        assert!(
            matches!(e, CredentialsError::TccliMalformed { .. }),
            "{e:?}"
        );
        // A credentials file that is a FIFO: refused at once, not replaced by tccli.
        let fifo = std::ffi::CString::new(m.sdk_file().as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path and a mode.
        assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0);
        std::fs::write(
            m.tccli_file("default"),
            r#"{"secretId": "AKIDtccli", "secretKey": "k"}"#,
        )
        .unwrap();
        let e = m.chain("default").provide().unwrap_err();
        assert!(
            matches!(
                e,
                CredentialsError::FileRead {
                    provider: "profile",
                    source: crate::input::ReadError::NotRegularFile { kind: "FIFO" },
                    ..
                }
            ),
            "{e:?}"
        );
        // A non-UTF-8 variable: not replaced by the file.
        std::fs::remove_file(m.sdk_file()).unwrap();
        let mut chain = m.chain("default");
        chain.links[0] = Link::environment(EnvProvider::with_os_lookup(|name| {
            use std::os::unix::ffi::OsStringExt;
            (name == EnvProvider::SECRET_KEY_VAR).then(|| std::ffi::OsString::from_vec(vec![0xFF]))
        }));
        let e = chain.provide().unwrap_err();
        assert!(matches!(e, CredentialsError::EnvNotUnicode { .. }), "{e:?}");
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
            (EnvProvider::SECRET_ID_VAR, "AKIDenv"),
            (EnvProvider::SECRET_KEY_VAR, KEY),
        ];
        std::fs::write(
            m.sdk_file(),
            "[default]\nsecret_id = AKIDfile\nsecret_key = k\n",
        )
        .unwrap();
        let e = m.chain("prod").provide().unwrap_err();
        let CredentialsError::ProfileNotFound { profile, attempts } = &e else {
            panic!("{e:?}")
        };
        assert_eq!(profile, "prod");
        assert_eq!(attempts.len(), 3, "env, file, tccli: {attempts:?}");
        assert!(
            e.to_string()
                .starts_with("profile `prod` not found; tried environment:"),
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
}
