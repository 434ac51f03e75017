//! [`TccliProvider`]: the credentials and region that `tccli configure` saved.
//!
//! The format, from tccli's own source (PyPI package `tccli`, 3.1.189.1):
//!
//! * the directory is `os.path.join(os.path.expanduser("~"), ".tccli")`, files
//!   `<profile>.credential` and `<profile>.configure` (`tccli/configure.py`,
//!   `BasicConfigure.__init__` and `_profile_existed`; `tccli/credentials.py`,
//!   `cred_path_of_profile`), written as JSON by `Utils.dump_json_msg` (`tccli/utils.py`);
//! * `<profile>.credential` holds `secretId`, `secretKey`, `token` (may be null), optionally
//!   `role-arn` / `role-session-name` (tccli then assumes that role), and `type`: absent or
//!   `"default"` for keys, `"cvm-role"` after `tccli configure set use-cvm-role true`, `"oauth"` or
//!   `"sso"` after a browser login, which store temporary keys with `expiresAt` (Unix seconds)
//!   and are refreshed by tccli itself (`tccli/oauth.py` `save_credential`, `tccli/sso.py`);
//! * `<profile>.configure` holds `{"_sys_param": {"region": ..., "output": ..., ...}, "<service>":
//!   {"endpoint", "version"}, ...}`; versions before 3.0.30 kept `region` at the top level, which
//!   tccli still migrates (`BasicConfigure._init_configure`), so both places are read here. The
//!   option names are in `tccli/options_define.py`.

use super::error::invalid_reason;
use super::expiry::{MAX_LIFETIME_SECS, checked_expiry};
use super::file_cache::FileCache;
use super::{
    CredentialSource, Credentials, CredentialsError, MAX_CREDENTIALS_FILE_BYTES,
    ProvideCredentials, ProviderContext,
};
use crate::input::{ReadError, read_file};
use crate::network::Network;
use serde_json::{Map, Value};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The provider's name in messages.
const NAME: &str = "tccli";

/// The size cap of `<profile>.configure`: tccli writes an endpoint and version for each of its
/// few hundred services there, tens of KiB.
const MAX_CONFIGURE_BYTES: u64 = 1024 * 1024;

/// Reads the credentials of a tccli profile, `~/.tccli/<profile>.credential`, and its region,
/// `~/.tccli/<profile>.configure`.
///
/// * Keys (`secretId`, `secretKey`, optional `token`) are used as they are; temporary keys of an
///   `oauth` or `sso` login are used until their `expiresAt`, after which this is an error (run
///   any tccli command: tccli refreshes them, and the file's change is picked up).
/// * A profile set to use the CVM role (`tccli configure set use-cvm-role true`) signs with the
///   CVM role and nothing else: its credentials are the `CvmRoleProvider`'s
///   (feature `credentials-cvm`; without it, an error). Another ambient identity, such as a TKE
///   pod's, never signs in its place.
/// * A profile with `role-arn` (tccli assumes that role) is an error: using its keys alone would
///   sign as another identity.
/// * No `<profile>.credential` (or no home directory) is
///   [`NotLoaded`](super::CredentialsErrorKind::NotLoaded); a file that is there but is not what
///   tccli writes is an [`InvalidConfiguration`](super::CredentialsErrorKind::InvalidConfiguration)
///   naming the file.
///
/// The home directory and the clock are the [`ProviderContext`]'s. The file obeys the rules of
/// [`crate::input::read_file`] and is parsed again only when it changes.
///
/// Unlike tccli, `TCCLI_PROFILE` is not read: the profile is the one given to
/// [`with_profile`](Self::with_profile) (or `ClientBuilder::profile`), the same for the
/// credentials file and for tccli.
#[derive(Clone)]
pub struct TccliProvider {
    profile: String,
    context: ProviderContext,
    cache: Arc<FileCache<TccliCredential>>,
    /// What a profile that says "use the CVM role" signs with.
    #[cfg(feature = "credentials-cvm")]
    cvm_role: Arc<super::CvmRoleProvider>,
}

/// What a `<profile>.credential` file says.
#[derive(Clone)]
enum TccliCredential {
    Keys {
        credentials: Credentials,
        expires_at: Option<i64>,
    },
    UsesCvmRole,
    AssumesRole,
}

impl TccliProvider {
    /// The profile read unless [`with_profile`](Self::with_profile) says otherwise.
    pub const DEFAULT_PROFILE: &'static str = "default";

    /// Reads `$HOME/.tccli` of the process, the `default` profile.
    pub fn new() -> Self {
        TccliProvider::with_context(ProviderContext::new())
    }

    /// Reads `.tccli` in the home directory of `context`, timing logins by its clock.
    pub fn with_context(context: ProviderContext) -> Self {
        TccliProvider {
            profile: Self::DEFAULT_PROFILE.to_owned(),
            #[cfg(feature = "credentials-cvm")]
            cvm_role: Arc::new(super::CvmRoleProvider::with_context(context.clone())),
            context,
            cache: Arc::new(FileCache::new()),
        }
    }

    /// Reads profile `profile` instead of `default`.
    pub fn with_profile(mut self, profile: impl Into<String>) -> Self {
        self.profile = profile.into();
        self.cache = Arc::new(FileCache::new());
        self
    }

    /// Signs a profile that says "use the CVM role" with `provider` (the default chain's own,
    /// so that one cache serves both).
    #[cfg(feature = "credentials-cvm")]
    pub(crate) fn with_cvm_role(mut self, provider: Arc<super::CvmRoleProvider>) -> Self {
        self.cvm_role = provider;
        self
    }

    /// The profile's region (`tccli configure set region ...`), if its `.configure` file has
    /// one. `Ok(None)` when there is no such file or no region in it.
    pub fn region(&self) -> Result<Option<String>, CredentialsError> {
        self.setting(None, "region")
    }

    /// The profile's language of server messages (`tccli configure set language en-US`:
    /// `_sys_param.language`), if it has one.
    pub fn language(&self) -> Result<Option<String>, CredentialsError> {
        self.setting(None, "language")
    }

    /// The endpoint the profile gives `service` (`tccli configure set redis.endpoint ...`:
    /// `<service>.endpoint`, a host name such as `redis.intl.tencentcloudapi.com`), if any.
    pub fn endpoint(&self, service: &str) -> Result<Option<String>, CredentialsError> {
        self.setting(Some(service), "endpoint")
    }

    /// A string setting of `<profile>.configure`: `key` of `section` (a service), or of
    /// `_sys_param` (where an old tccli kept the region, at the top level). `Ok(None)` when the
    /// file, the section or the key is missing, or the value is empty.
    fn setting(
        &self,
        section: Option<&str>,
        key: &str,
    ) -> Result<Option<String>, CredentialsError> {
        let Some(path) = self.file("configure")? else {
            return Ok(None);
        };
        let bytes = match read_file(&path, MAX_CONFIGURE_BYTES) {
            Err(e) if e.io_kind() == Some(std::io::ErrorKind::NotFound) => return Ok(None),
            Err(source) => return Err(unreadable(&path, source)),
            Ok(bytes) => bytes,
        };
        let object = json_object(&bytes, &path)?;
        let name = section.unwrap_or("_sys_param");
        let section_object = match object.get(name) {
            None | Some(Value::Null) => None,
            Some(Value::Object(o)) => Some(o),
            Some(_) => return Err(malformed(&path, format!("`{name}` is not an object"))),
        };
        let value = match section_object.and_then(|o| o.get(key)) {
            Some(v) => Some(v),
            None if section.is_none() => object.get(key),
            None => None,
        };
        match value {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(v)) if v.is_empty() => Ok(None),
            Some(Value::String(v)) => Ok(Some(v.clone())),
            Some(_) => Err(malformed(
                &path,
                format!("`{key}` of `{name}` is not a string"),
            )),
        }
    }

    /// `<home>/.tccli/<profile>.<extension>`, or `None` when there is no home directory.
    fn file(&self, extension: &str) -> Result<Option<PathBuf>, CredentialsError> {
        if !valid_profile_name(&self.profile) {
            return Err(CredentialsError::invalid(
                NAME,
                format!(
                    "{:?} is not a profile name (letters, digits, `-`, `_` and `.`, not starting \
                     with `.`)",
                    self.profile
                ),
            ));
        }
        Ok(self.context.home().map(|home| {
            home.join(".tccli")
                .join(format!("{}.{extension}", self.profile))
        }))
    }

    /// The credentials of a profile that says "use the CVM role".
    fn cvm_role(&self, path: &Path) -> Result<Credentials, CredentialsError> {
        #[cfg(feature = "credentials-cvm")]
        {
            let _ = path;
            self.cvm_role.provide()
        }
        #[cfg(not(feature = "credentials-cvm"))]
        Err(CredentialsError::invalid(
            NAME,
            format!(
                "{} says use-cvm-role, and this build has no CVM role (cargo feature \
                 `credentials-cvm`); use another profile",
                path.display()
            ),
        ))
    }
}

/// Profile names become file names: nothing that could leave the directory.
pub(crate) fn valid_profile_name(profile: &str) -> bool {
    !profile.is_empty()
        && !profile.starts_with('.')
        && profile
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
}

impl Default for TccliProvider {
    fn default() -> Self {
        TccliProvider::new()
    }
}

impl fmt::Debug for TccliProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TccliProvider")
            .field("profile", &self.profile)
            .field("context", &self.context)
            .finish_non_exhaustive()
    }
}

impl ProvideCredentials for TccliProvider {
    fn provide(&self) -> Result<Credentials, CredentialsError> {
        let Some(path) = self.file("credential")? else {
            return Err(CredentialsError::not_loaded(NAME, "HOME not set"));
        };
        let read_error = |source: ReadError| match source.io_kind() {
            Some(std::io::ErrorKind::NotFound) => {
                CredentialsError::not_loaded(NAME, format!("{} not found", path.display()))
            }
            _ => unreadable(&path, source),
        };
        let parse = |bytes: &[u8]| parse_credential(bytes, &path, &self.profile);
        match self
            .cache
            .get(&path, MAX_CREDENTIALS_FILE_BYTES, parse, read_error)?
        {
            TccliCredential::Keys {
                credentials,
                expires_at: None,
            } => Ok(credentials),
            TccliCredential::Keys {
                credentials,
                expires_at: Some(expires_at),
            } => {
                let origin = path.display().to_string();
                checked_expiry(
                    NAME,
                    &origin,
                    self.context.unix_now(),
                    expires_at,
                    MAX_LIFETIME_SECS,
                )?;
                Ok(credentials)
            }
            TccliCredential::UsesCvmRole => self.cvm_role(&path),
            TccliCredential::AssumesRole => Err(CredentialsError::invalid(
                NAME,
                format!(
                    "{} asks for an assumed role (`role-arn`), which tc-redis does not do from a \
                     tccli profile; its keys were not used alone. Use another profile or an \
                     explicit provider",
                    path.display()
                ),
            )),
        }
    }

    fn name(&self) -> &'static str {
        NAME
    }

    fn use_network(&self, network: &Network) {
        #[cfg(feature = "credentials-cvm")]
        self.cvm_role.use_network(network);
        let _ = network;
    }
}

/// A tccli file that could not be read.
fn unreadable(path: &Path, source: ReadError) -> CredentialsError {
    CredentialsError::invalid(NAME, format!("cannot read {}: {source}", path.display()))
        .with_source(source)
}

/// A tccli file that is not what `tccli configure` writes: `detail` names the field, never its
/// value.
fn malformed(path: &Path, detail: impl fmt::Display) -> CredentialsError {
    CredentialsError::invalid(
        NAME,
        format!(
            "{}: {detail}; fix it or run `tccli configure` again",
            path.display()
        ),
    )
}

fn json_object(bytes: &[u8], path: &Path) -> Result<Map<String, Value>, CredentialsError> {
    // serde_json's error gives a line and column, never the content.
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(object)) => Ok(object),
        Ok(_) => Err(malformed(path, "not a JSON object")),
        Err(e) => Err(malformed(path, format!("not JSON ({e})"))),
    }
}

/// Parses a `<profile>.credential` file.
fn parse_credential(
    bytes: &[u8],
    path: &Path,
    profile: &str,
) -> Result<TccliCredential, CredentialsError> {
    let object = json_object(bytes, path)?;
    let malformed = |detail: String| malformed(path, detail);
    // A string field: `None` when absent, null or empty (tccli writes `"token": null`).
    let string = |name: &str| -> Result<Option<&str>, CredentialsError> {
        match object.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(malformed(format!("`{name}` is not a string"))),
        }
    };
    let kind = string("type")?.unwrap_or("default");
    if kind == "cvm-role" {
        return Ok(TccliCredential::UsesCvmRole);
    }
    if string("role-arn")?.is_some() {
        return Ok(TccliCredential::AssumesRole);
    }
    let checked = |name: &str| -> Result<Option<&str>, CredentialsError> {
        match string(name)? {
            Some(value) => match invalid_reason(value) {
                Some(reason) => Err(malformed(format!("`{name}` {reason}"))),
                None => Ok(Some(value)),
            },
            None => Ok(None),
        }
    };
    let required = |name: &str| {
        checked(name)?.ok_or_else(|| {
            malformed(format!(
                "no `{name}` (set it with `tccli configure set {name} ...`)"
            ))
        })
    };
    let id = required("secretId")?;
    let key = required("secretKey")?;
    let mut credentials = Credentials::new(id, key)?;
    if let Some(token) = checked("token")? {
        credentials = credentials.with_token(token)?;
    }
    let expires_at = match object.get("expiresAt") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            v.as_i64()
                .or_else(|| v.as_f64().filter(|f| f.is_finite()).map(|f| f as i64))
                .ok_or_else(|| malformed("`expiresAt` is not a number".into()))?,
        ),
    };
    if matches!(kind, "oauth" | "sso") && expires_at.is_none() {
        return Err(malformed(format!("a `{kind}` login without `expiresAt`")));
    }
    Ok(TccliCredential::Keys {
        credentials: credentials.with_source(CredentialSource::Tccli {
            path: path.to_owned(),
            profile: profile.to_owned(),
        }),
        expires_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::CredentialsErrorKind::{
        InvalidConfiguration, NotLoaded, ProviderError,
    };
    use crate::credentials::test_support::{
        ID, KEY, TOKEN, TestClock, assert_no_secret, context, home_context,
    };
    use tc_redis_test_support::TempDir;

    /// What `tccli configure` writes (keys as in `tccli/configure.py`).
    fn credential_json(id: &str, key: &str) -> String {
        format!(r#"{{"secretId": "{id}", "secretKey": "{key}", "token": null}}"#)
    }

    /// The provider of a machine whose home is `home`.
    fn tccli(home: &TempDir) -> TccliProvider {
        TccliProvider::with_context(home_context(home.path()))
    }

    #[test]
    fn tccli_default_and_named_profiles() {
        let home = TempDir::new("tccli-profiles");
        let default = home.write(".tccli/default.credential", credential_json(ID, KEY));
        home.write(
            ".tccli/prod.credential",
            format!(
                r#"{{"secretId": "AKIDprod", "secretKey": "prodkey", "token": "{TOKEN}", "type": "default"}}"#
            ),
        );
        let p = tccli(&home);
        let c = p.provide().unwrap();
        assert_eq!((c.secret_id(), c.secret_key(), c.token()), (ID, KEY, None));
        assert_eq!(
            c.source(),
            &CredentialSource::Tccli {
                path: default.clone(),
                profile: "default".into()
            }
        );
        assert_eq!(
            c.source().to_string(),
            format!("tccli profile `default` ({})", default.display())
        );
        let c = tccli(&home).with_profile("prod").provide().unwrap();
        assert_eq!(
            (c.secret_id(), c.secret_key(), c.token()),
            ("AKIDprod", "prodkey", Some(TOKEN))
        );
        assert_eq!(p.name(), "tccli");
        assert_no_secret(&format!("{p:?} {c:?}"));
    }

    #[test]
    fn tccli_reads_the_home_of_the_context() {
        let home = TempDir::new("tccli-home");
        let p = tccli(&home);
        let e = p.provide().unwrap_err();
        assert_eq!(e.kind(), NotLoaded, "{e:?}");
        let expected = home.join(".tccli/default.credential");
        assert_eq!(
            e.to_string(),
            format!("tccli: {} not found", expected.display())
        );
        home.write(".tccli/default.credential", credential_json(ID, KEY));
        assert_eq!(p.provide().unwrap().secret_id(), ID);
        let no_home = TccliProvider::with_context(context(&[]));
        let e = no_home.provide().unwrap_err();
        assert_eq!(
            (e.kind(), e.to_string().as_str()),
            (NotLoaded, "tccli: HOME not set")
        );
        assert_eq!(no_home.region().unwrap(), None);
    }

    #[test]
    fn tccli_malformed_files_name_the_file_not_the_secret() {
        let home = TempDir::new("tccli-malformed");
        let cases: [(String, &str); 7] = [
            (
                format!("{{\"secretId\": \"{ID}\", \"secretKey\": \"{KEY}\""),
                "not JSON",
            ),
            ("[1]".into(), "not a JSON object"),
            (format!(r#"{{"secretKey": "{KEY}"}}"#), "no `secretId`"),
            (format!(r#"{{"secretId": "{ID}"}}"#), "no `secretKey`"),
            (
                format!(r#"{{"secretId": "{ID}", "secretKey": 5, "x": "{KEY}"}}"#),
                "`secretKey` is not a string",
            ),
            (
                format!(r#"{{"secretId": "{ID}", "secretKey": " {KEY}"}}"#),
                "`secretKey` has leading or trailing whitespace",
            ),
            (
                format!(r#"{{"type": "oauth", "secretId": "{ID}", "secretKey": "{KEY}"}}"#),
                "a `oauth` login without `expiresAt`",
            ),
        ];
        for (text, expected) in cases {
            let path = home.write(".tccli/default.credential", text);
            let e = tccli(&home).provide().unwrap_err();
            assert_eq!(
                e.kind(),
                InvalidConfiguration,
                "a broken file stops the chain: {e:?}"
            );
            let shown = e.to_string();
            let prefix = format!("tccli: {}: ", path.display());
            assert!(
                shown.starts_with(&prefix)
                    && shown[prefix.len()..].contains(expected)
                    && shown.ends_with("; fix it or run `tccli configure` again"),
                "{shown} vs {expected:?}"
            );
            assert_no_secret(&format!("{e} {e:?}"));
        }
    }

    #[test]
    fn tccli_an_assumed_role_profile_is_refused() {
        let home = TempDir::new("tccli-roles");
        let path = home.write(
            ".tccli/default.credential",
            format!(
                r#"{{"secretId": "{ID}", "secretKey": "{KEY}", "role-arn": "qcs::cam::uin/1:roleName/r", "role-session-name": "s"}}"#
            ),
        );
        let e = tccli(&home).provide().unwrap_err();
        assert_eq!(e.kind(), InvalidConfiguration);
        assert!(
            e.to_string().starts_with(&format!(
                "tccli: {} asks for an assumed role (`role-arn`)",
                path.display()
            )),
            "{e}"
        );
        assert_no_secret(&format!("{e} {e:?}"));
    }

    /// A profile set to use the CVM role: the CVM role's credentials, never another source's.
    #[test]
    #[cfg(feature = "credentials-cvm")]
    fn tccli_a_cvm_role_profile_signs_with_the_cvm_role() {
        use crate::credentials::test_support::ROLE_PATH;
        use tc_redis_test_support::{Response, TestServer};
        let metadata = TestServer::start(|request| {
            match request.target.strip_prefix(ROLE_PATH) {
                Some("") => Response::new(200).with_body("node-role"),
                _ => Response::json(
                    r#"{"TmpSecretId":"AKIDcvm","TmpSecretKey":"TmpKeyQw8","Token":"TmpTokenPo5","ExpiredTime":4000000000,"Code":"Success"}"#,
                ),
            }
            .into()
        });
        let home = TempDir::new("tccli-cvm-role");
        home.write(
            ".tccli/default.credential",
            r#"{"type": "cvm-role", "secretId": "", "secretKey": ""}"#,
        );
        let cvm = super::super::CvmRoleProvider::with_context(context(&[]))
            .with_base_url(format!("{}{ROLE_PATH}", metadata.url()));
        let p = tccli(&home).with_cvm_role(Arc::new(cvm));
        let c = p.provide().unwrap();
        assert_eq!(c.secret_id(), "AKIDcvm");
        assert_eq!(
            c.source(),
            &CredentialSource::CvmRole {
                role: "node-role".into()
            }
        );
        assert_eq!(metadata.requests().len(), 2, "the listing, then the role");
    }

    #[test]
    #[cfg(not(feature = "credentials-cvm"))]
    fn tccli_a_cvm_role_profile_without_the_cvm_feature_is_an_error() {
        let home = TempDir::new("tccli-cvm-role");
        let path = home.write(".tccli/default.credential", r#"{"type": "cvm-role"}"#);
        let e = tccli(&home).provide().unwrap_err();
        assert_eq!(e.kind(), InvalidConfiguration);
        assert!(
            e.to_string()
                .starts_with(&format!("tccli: {} says use-cvm-role", path.display())),
            "{e}"
        );
    }

    #[test]
    fn tccli_temporary_login_expires() {
        let home = TempDir::new("tccli-oauth");
        home.write(
            ".tccli/default.credential",
            format!(
                r#"{{"type": "oauth", "secretId": "{ID}", "secretKey": "{KEY}", "token": "{TOKEN}", "expiresAt": 2000, "oauth": {{"site": "x"}}}}"#
            ),
        );
        let clock = TestClock::at(1000);
        let p = TccliProvider::with_context(home_context(home.path()).with_clock(clock.clone()));
        assert_eq!(p.provide().unwrap().token(), Some(TOKEN));
        clock.set(2000);
        let e = p.provide().unwrap_err();
        assert_eq!(e.kind(), ProviderError, "must stop the chain");
        assert!(
            e.to_string()
                .contains("expired 0 s before they were received (ExpiredTime 2000, now 2000)"),
            "{e}"
        );
    }

    #[test]
    fn tccli_region_from_configure() {
        let home = TempDir::new("tccli-region");
        let p = tccli(&home);
        assert_eq!(p.region().unwrap(), None, "no .configure file");
        home.write(
            ".tccli/default.configure",
            r#"{"_sys_param": {"region": "ap-guangzhou", "output": "json"}, "redis": {"endpoint": "redis.tencentcloudapi.com", "version": "2018-04-12"}}"#,
        );
        home.write(".tccli/old.configure", r#"{"region": "ap-beijing"}"#);
        home.write(
            ".tccli/none.configure",
            r#"{"_sys_param": {"output": "json"}}"#,
        );
        assert_eq!(p.region().unwrap().as_deref(), Some("ap-guangzhou"));
        let named = |name: &str| tccli(&home).with_profile(name).region();
        assert_eq!(named("old").unwrap().as_deref(), Some("ap-beijing"));
        assert_eq!(named("none").unwrap(), None);
        let bad = home.write(".tccli/bad.configure", r#"{"_sys_param": {"region": 7}}"#);
        let e = named("bad").unwrap_err();
        assert_eq!(e.kind(), InvalidConfiguration);
        assert_eq!(
            e.to_string(),
            format!(
                "tccli: {}: `region` of `_sys_param` is not a string; fix it or run `tccli configure` again",
                bad.display()
            )
        );
        let broken = home.write(".tccli/broken.configure", "{");
        let e = named("broken").unwrap_err();
        assert!(
            e.to_string()
                .starts_with(&format!("tccli: {}: not JSON", broken.display())),
            "{e}"
        );
    }

    #[test]
    fn tccli_configure_gives_the_language_and_each_services_endpoint() {
        let home = TempDir::new("tccli-configure");
        home.write(
            ".tccli/intl.configure",
            r#"{"_sys_param": {"region": "ap-singapore", "language": "en-US"}, "redis": {"endpoint": "redis.intl.tencentcloudapi.com", "version": "2018-04-12"}, "sts": {"endpoint": ""}}"#,
        );
        let p = tccli(&home).with_profile("intl");
        assert_eq!(p.language().unwrap().as_deref(), Some("en-US"));
        assert_eq!(
            p.endpoint("redis").unwrap().as_deref(),
            Some("redis.intl.tencentcloudapi.com")
        );
        assert_eq!(p.endpoint("sts").unwrap(), None, "empty is unset");
        assert_eq!(p.endpoint("cvm").unwrap(), None, "no section");
        assert_eq!(tccli(&home).language().unwrap(), None, "no file");
        home.write(".tccli/bad.configure", r#"{"redis": "redis.example.com"}"#);
        let e = tccli(&home)
            .with_profile("bad")
            .endpoint("redis")
            .unwrap_err();
        assert!(e.to_string().contains("`redis` is not an object"), "{e}");
    }

    #[test]
    fn tccli_profile_names_stay_in_the_directory() {
        let home = TempDir::new("tccli-names");
        for name in ["../default", "a/b", "", ".hidden"] {
            let e = tccli(&home).with_profile(name).provide().unwrap_err();
            assert_eq!(e.kind(), InvalidConfiguration, "{name:?}");
            assert_eq!(
                e.to_string(),
                format!(
                    "tccli: {name:?} is not a profile name (letters, digits, `-`, `_` and `.`, \
                     not starting with `.`)"
                )
            );
        }
        assert!(valid_profile_name("prod-1_a.b"));
    }

    #[test]
    fn tccli_hardened_reads() {
        let home = TempDir::new("tccli-hardened");
        let path = home.write(".tccli/default.credential", "");
        std::fs::File::create(&path)
            .unwrap()
            .set_len(MAX_CREDENTIALS_FILE_BYTES + 1)
            .unwrap();
        let e = tccli(&home).provide().unwrap_err();
        assert_eq!(e.kind(), InvalidConfiguration);
        let cause = std::error::Error::source(&e).and_then(|s| s.downcast_ref::<ReadError>());
        assert!(matches!(cause, Some(ReadError::TooLarge { .. })), "{e:?}");
        // The cache sees a rewrite.
        std::fs::write(&path, credential_json(ID, KEY)).unwrap();
        let p = tccli(&home);
        assert_eq!(p.provide().unwrap().secret_id(), ID);
        std::fs::write(&path, credential_json("AKIDrotated", KEY)).unwrap();
        assert_eq!(p.provide().unwrap().secret_id(), "AKIDrotated");
    }
}
