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

use super::expiry::checked_expiry;
use super::file::{FileCache, MAX_CREDENTIALS_FILE_BYTES};
use super::{
    CredentialSource, Credentials, CredentialsError, Lookup, ProvideCredentials, invalid_reason,
    non_empty, process_env,
};
use crate::input::{ReadError, read_file};
use serde_json::{Map, Value};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// The size cap of `<profile>.configure`: tccli writes an endpoint and version for each of its
/// few hundred services there, tens of KiB.
const MAX_CONFIGURE_BYTES: u64 = 1024 * 1024;

/// Reads the credentials of a tccli profile, `~/.tccli/<profile>.credential`, and its region,
/// `~/.tccli/<profile>.configure`.
///
/// * Keys (`secretId`, `secretKey`, optional `token`) are used as they are; temporary keys of an
///   `oauth` or `sso` login are used until their `expiresAt`, after which this is
///   [`CredentialsError::Expired`] (run any tccli command: tccli refreshes them, and the file's
///   change is picked up).
/// * A profile set to use the CVM role is [`CredentialsError::TccliUsesCvmRole`], which
///   [`super::DefaultChain`] treats as "go on to the CVM role".
/// * A profile with `role-arn` (tccli assumes that role) is
///   [`CredentialsError::TccliUnsupported`]: using its keys alone would sign as another identity.
/// * No `<profile>.credential` (or no `HOME`) is [`CredentialsError::NotConfigured`]; a file
///   that is there but is not what tccli writes is [`CredentialsError::TccliMalformed`], naming
///   the file.
///
/// The file obeys the rules of [`crate::input::read_file`] and is parsed again only when
/// it changes.
///
/// Unlike tccli, `TCCLI_PROFILE` is not read: the profile is the one given to
/// [`with_profile`](Self::with_profile) (or `ClientBuilder::profile`), the same for the
/// credentials file and for tccli.
#[derive(Clone)]
pub struct TccliProvider {
    dir: TccliDir,
    profile: String,
    clock: Arc<dyn Fn() -> u64 + Send + Sync>,
    cache: Arc<FileCache<TccliCredential>>,
}

#[derive(Clone)]
enum TccliDir {
    Explicit(PathBuf),
    Discover(Lookup),
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

    /// Reads `$HOME/.tccli`, the `default` profile.
    pub fn new() -> Self {
        TccliProvider::discover(process_env())
    }

    /// Reads tccli's files from `dir` instead of `$HOME/.tccli`.
    pub fn with_dir(dir: impl Into<PathBuf>) -> Self {
        TccliProvider {
            dir: TccliDir::Explicit(dir.into()),
            ..TccliProvider::new()
        }
    }

    fn discover(lookup: Lookup) -> Self {
        TccliProvider {
            dir: TccliDir::Discover(lookup),
            profile: Self::DEFAULT_PROFILE.to_owned(),
            clock: Arc::new(unix_now),
            cache: Arc::new(FileCache::new()),
        }
    }

    /// Reads profile `profile` instead of `default`.
    pub fn with_profile(mut self, profile: impl Into<String>) -> Self {
        self.profile = profile.into();
        self.cache = Arc::new(FileCache::new());
        self
    }

    /// Reads the current Unix time (seconds) from `clock` instead of the system clock.
    pub fn with_clock(mut self, clock: impl Fn() -> u64 + Send + Sync + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// The profile's region (`tccli configure set region ...`), if its `.configure` file has
    /// one. `Ok(None)` when there is no such file or no region in it.
    pub fn region(&self) -> Result<Option<String>, CredentialsError> {
        let Some(path) = self.file("configure")? else {
            return Ok(None);
        };
        let bytes = match read_file(&path, MAX_CONFIGURE_BYTES) {
            Err(e) if e.io_kind() == Some(std::io::ErrorKind::NotFound) => return Ok(None),
            Err(source) => {
                return Err(CredentialsError::FileRead {
                    provider: "tccli",
                    path,
                    source,
                });
            }
            Ok(bytes) => bytes,
        };
        let object = json_object(&bytes, &path)?;
        let malformed = |detail: String| CredentialsError::TccliMalformed {
            path: path.clone(),
            detail,
        };
        let sys = match object.get("_sys_param") {
            None | Some(Value::Null) => None,
            Some(Value::Object(sys)) => Some(sys),
            Some(_) => return Err(malformed("`_sys_param` is not an object".into())),
        };
        let region = match sys.and_then(|s| s.get("region")) {
            Some(v) => Some(v),
            None => object.get("region"),
        };
        match region {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(r)) if r.is_empty() => Ok(None),
            Some(Value::String(r)) => Ok(Some(r.clone())),
            Some(_) => Err(malformed("`region` is not a string".into())),
        }
    }

    /// `<dir>/<profile>.<extension>`, or `None` when there is no directory to look in.
    fn file(&self, extension: &str) -> Result<Option<PathBuf>, CredentialsError> {
        if !valid_profile_name(&self.profile) {
            return Err(CredentialsError::InvalidProfileName {
                profile: self.profile.clone(),
            });
        }
        let dir = match &self.dir {
            TccliDir::Explicit(dir) => dir.clone(),
            TccliDir::Discover(lookup) => match non_empty(lookup, "HOME") {
                Some(home) => Path::new(&home).join(".tccli"),
                None => return Ok(None),
            },
        };
        Ok(Some(dir.join(format!("{}.{extension}", self.profile))))
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
        let mut d = f.debug_struct("TccliProvider");
        match &self.dir {
            TccliDir::Explicit(dir) => d.field("dir", dir),
            TccliDir::Discover(_) => d.field("dir", &"$HOME/.tccli"),
        };
        d.field("profile", &self.profile).finish_non_exhaustive()
    }
}

impl ProvideCredentials for TccliProvider {
    fn provide(&self) -> Result<Credentials, CredentialsError> {
        let Some(path) = self.file("credential")? else {
            return Err(CredentialsError::NotConfigured {
                provider: self.name(),
                detail: "HOME not set".into(),
            });
        };
        let read_error = |source: ReadError| match source.io_kind() {
            Some(std::io::ErrorKind::NotFound) => CredentialsError::NotConfigured {
                provider: "tccli",
                detail: format!("{} not found", path.display()),
            },
            _ => CredentialsError::FileRead {
                provider: "tccli",
                path: path.clone(),
                source,
            },
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
                let now = i64::try_from((self.clock)()).unwrap_or(i64::MAX);
                let origin = path.display().to_string();
                checked_expiry(self.name(), &origin, now, expires_at)?;
                Ok(credentials)
            }
            TccliCredential::UsesCvmRole => Err(CredentialsError::TccliUsesCvmRole { path }),
            TccliCredential::AssumesRole => Err(CredentialsError::TccliUnsupported {
                path,
                what: "an assumed role (`role-arn`)".into(),
            }),
        }
    }

    fn name(&self) -> &'static str {
        "tccli"
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn json_object(bytes: &[u8], path: &Path) -> Result<Map<String, Value>, CredentialsError> {
    let malformed = |detail: String| CredentialsError::TccliMalformed {
        path: path.to_owned(),
        detail,
    };
    // serde_json's error gives a line and column, never the content.
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(object)) => Ok(object),
        Ok(_) => Err(malformed("not a JSON object".into())),
        Err(e) => Err(malformed(format!("not JSON ({e})"))),
    }
}

/// Parses a `<profile>.credential` file.
fn parse_credential(
    bytes: &[u8],
    path: &Path,
    profile: &str,
) -> Result<TccliCredential, CredentialsError> {
    let object = json_object(bytes, path)?;
    let malformed = |detail: String| CredentialsError::TccliMalformed {
        path: path.to_owned(),
        detail,
    };
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
    use crate::credentials::test_support::{ID, KEY, TOKEN, TempDir, assert_no_secret};

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    /// What `tccli configure` writes (keys as in `tccli/configure.py`).
    fn credential_json(id: &str, key: &str) -> String {
        format!(r#"{{"secretId": "{id}", "secretKey": "{key}", "token": null}}"#)
    }

    #[test]
    fn tccli_default_and_named_profiles() {
        let dir = TempDir::new("tccli-profiles");
        let default = write(&dir.0, "default.credential", &credential_json(ID, KEY));
        write(
            &dir.0,
            "prod.credential",
            &format!(
                r#"{{"secretId": "AKIDprod", "secretKey": "prodkey", "token": "{TOKEN}", "type": "default"}}"#
            ),
        );
        let p = TccliProvider::with_dir(&dir.0);
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
        let c = TccliProvider::with_dir(&dir.0)
            .with_profile("prod")
            .provide()
            .unwrap();
        assert_eq!(
            (c.secret_id(), c.secret_key(), c.token()),
            ("AKIDprod", "prodkey", Some(TOKEN))
        );
        assert_eq!(p.name(), "tccli");
        assert_no_secret(&format!("{p:?} {c:?}"));
    }

    #[test]
    fn tccli_discovers_home() {
        let dir = TempDir::new("tccli-home");
        std::fs::create_dir_all(dir.0.join(".tccli")).unwrap();
        let home = dir.0.display().to_string();
        let p = TccliProvider::discover(crate::credentials::string_lookup(move |k| {
            (k == "HOME").then(|| home.clone())
        }));
        let e = p.provide().unwrap_err();
        assert!(e.does_not_apply(), "{e:?}");
        let expected = dir.0.join(".tccli/default.credential");
        assert_eq!(
            e.to_string(),
            format!("tccli: {} not found", expected.display())
        );
        write(
            &dir.0.join(".tccli"),
            "default.credential",
            &credential_json(ID, KEY),
        );
        assert_eq!(p.provide().unwrap().secret_id(), ID);
        let no_home = TccliProvider::discover(crate::credentials::string_lookup(|_| None));
        assert!(no_home.provide().unwrap_err().does_not_apply());
        assert_eq!(no_home.region().unwrap(), None);
    }

    #[test]
    fn tccli_malformed_files_name_the_file_not_the_secret() {
        let dir = TempDir::new("tccli-malformed");
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
            let path = write(&dir.0, "default.credential", &text);
            let e = TccliProvider::with_dir(&dir.0).provide().unwrap_err();
            match &e {
                CredentialsError::TccliMalformed { path: p, detail } => {
                    assert_eq!(p, &path);
                    assert!(detail.contains(expected), "{detail:?} vs {expected:?}");
                }
                other => panic!("{expected}: {other:?}"),
            }
            assert!(!e.does_not_apply(), "a broken file stops the chain: {e:?}");
            assert!(e.to_string().contains(&path.display().to_string()), "{e}");
            assert_no_secret(&format!("{e} {e:?}"));
        }
    }

    #[test]
    fn tccli_cvm_role_and_assumed_role_profiles() {
        let dir = TempDir::new("tccli-roles");
        let path = write(
            &dir.0,
            "default.credential",
            r#"{"type": "cvm-role", "secretId": "", "secretKey": ""}"#,
        );
        let e = TccliProvider::with_dir(&dir.0).provide().unwrap_err();
        assert!(
            matches!(e, CredentialsError::TccliUsesCvmRole { path: ref p } if *p == path),
            "{e:?}"
        );
        assert!(e.does_not_apply(), "the chain goes on to the CVM role");
        write(
            &dir.0,
            "default.credential",
            &format!(
                r#"{{"secretId": "{ID}", "secretKey": "{KEY}", "role-arn": "qcs::cam::uin/1:roleName/r", "role-session-name": "s"}}"#
            ),
        );
        let e = TccliProvider::with_dir(&dir.0).provide().unwrap_err();
        assert!(
            matches!(e, CredentialsError::TccliUnsupported { .. }),
            "{e:?}"
        );
        assert!(!e.does_not_apply());
        assert_no_secret(&format!("{e} {e:?}"));
    }

    #[test]
    fn tccli_temporary_login_expires() {
        let dir = TempDir::new("tccli-oauth");
        write(
            &dir.0,
            "default.credential",
            &format!(
                r#"{{"type": "oauth", "secretId": "{ID}", "secretKey": "{KEY}", "token": "{TOKEN}", "expiresAt": 2000, "oauth": {{"site": "x"}}}}"#
            ),
        );
        let now = Arc::new(std::sync::atomic::AtomicU64::new(1000));
        let clock = Arc::clone(&now);
        let p = TccliProvider::with_dir(&dir.0)
            .with_clock(move || clock.load(std::sync::atomic::Ordering::SeqCst));
        assert_eq!(p.provide().unwrap().token(), Some(TOKEN));
        now.store(2000, std::sync::atomic::Ordering::SeqCst);
        let e = p.provide().unwrap_err();
        assert!(
            matches!(
                e,
                CredentialsError::Expired {
                    provider: "tccli",
                    expired_time: 2000,
                    now: 2000,
                    ..
                }
            ),
            "{e:?}"
        );
        assert!(!e.does_not_apply());
    }

    #[test]
    fn tccli_region_from_configure() {
        let dir = TempDir::new("tccli-region");
        let p = TccliProvider::with_dir(&dir.0);
        assert_eq!(p.region().unwrap(), None, "no .configure file");
        write(
            &dir.0,
            "default.configure",
            r#"{"_sys_param": {"region": "ap-guangzhou", "output": "json"}, "redis": {"endpoint": "redis.tencentcloudapi.com", "version": "2018-04-12"}}"#,
        );
        write(&dir.0, "old.configure", r#"{"region": "ap-beijing"}"#);
        write(
            &dir.0,
            "none.configure",
            r#"{"_sys_param": {"output": "json"}}"#,
        );
        assert_eq!(p.region().unwrap().as_deref(), Some("ap-guangzhou"));
        let named = |name: &str| TccliProvider::with_dir(&dir.0).with_profile(name).region();
        assert_eq!(named("old").unwrap().as_deref(), Some("ap-beijing"));
        assert_eq!(named("none").unwrap(), None);
        let bad = write(&dir.0, "bad.configure", r#"{"_sys_param": {"region": 7}}"#);
        let e = named("bad").unwrap_err();
        assert!(
            matches!(e, CredentialsError::TccliMalformed { ref path, ref detail } if *path == bad && detail.contains("`region` is not a string")),
            "{e:?}"
        );
        write(&dir.0, "broken.configure", "{");
        assert!(matches!(
            named("broken").unwrap_err(),
            CredentialsError::TccliMalformed { .. }
        ));
    }

    #[test]
    fn tccli_profile_names_stay_in_the_directory() {
        let dir = TempDir::new("tccli-names");
        for name in ["../default", "a/b", "", ".hidden"] {
            let e = TccliProvider::with_dir(&dir.0)
                .with_profile(name)
                .provide()
                .unwrap_err();
            assert!(
                matches!(e, CredentialsError::InvalidProfileName { ref profile } if profile == name),
                "{name:?}: {e:?}"
            );
            assert!(!e.does_not_apply());
        }
        assert!(valid_profile_name("prod-1_a.b"));
    }

    #[test]
    fn tccli_hardened_reads() {
        let dir = TempDir::new("tccli-hardened");
        let path = dir.0.join("default.credential");
        std::fs::File::create(&path)
            .unwrap()
            .set_len(MAX_CREDENTIALS_FILE_BYTES + 1)
            .unwrap();
        let e = TccliProvider::with_dir(&dir.0).provide().unwrap_err();
        assert!(
            matches!(
                e,
                CredentialsError::FileRead {
                    provider: "tccli",
                    source: ReadError::TooLarge { .. },
                    ..
                }
            ),
            "{e:?}"
        );
        // The cache sees a rewrite.
        std::fs::write(&path, credential_json(ID, KEY)).unwrap();
        let p = TccliProvider::with_dir(&dir.0);
        assert_eq!(p.provide().unwrap().secret_id(), ID);
        std::fs::write(&path, credential_json("AKIDrotated", KEY)).unwrap();
        assert_eq!(p.provide().unwrap().secret_id(), "AKIDrotated");
    }
}
