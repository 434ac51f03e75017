//! [`EnvProvider`]: credentials from environment variables.

use super::{
    CredentialSource, Credentials, CredentialsError, Lookup, ProvideCredentials, invalid_reason,
    non_empty, process_env, string_lookup,
};
use std::ffi::OsString;
use std::fmt;
use std::sync::Arc;

/// Reads credentials from environment variables, at every [`provide`](ProvideCredentials::provide).
///
/// * `TENCENTCLOUD_SECRET_ID` and `TENCENTCLOUD_SECRET_KEY` (both, or neither);
/// * the token from `TENCENTCLOUD_SESSION_TOKEN` or `TENCENTCLOUD_TOKEN` (tccli's name); if both
///   are set they must agree. The Python SDK reads no token variable at all, so temporary
///   credentials exported for it are used without their token there and fail.
///
/// Empty variables count as unset. Neither id nor key set gives
/// [`CredentialsError::NotConfigured`]; only one gives [`CredentialsError::EnvIncomplete`]. A
/// variable that is set but not valid UTF-8 is [`CredentialsError::EnvNotUnicode`], never
/// "unset" (which would let the next source's identity sign instead).
#[derive(Clone)]
pub struct EnvProvider {
    lookup: Lookup,
}

impl EnvProvider {
    /// The SecretId variable.
    pub const SECRET_ID_VAR: &'static str = "TENCENTCLOUD_SECRET_ID";
    /// The SecretKey variable.
    pub const SECRET_KEY_VAR: &'static str = "TENCENTCLOUD_SECRET_KEY";
    /// The token variable of the Go SDK, preferred.
    pub const SESSION_TOKEN_VAR: &'static str = "TENCENTCLOUD_SESSION_TOKEN";
    /// The token variable of tccli.
    pub const TOKEN_VAR: &'static str = "TENCENTCLOUD_TOKEN";

    /// Reads the process environment.
    pub fn new() -> Self {
        EnvProvider {
            lookup: process_env(),
        }
    }

    /// Reads variables through `lookup` instead of the process environment (for tests, or a
    /// configuration map). `lookup` returns `None` for an unset variable.
    pub fn with_lookup(lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'static) -> Self {
        EnvProvider {
            lookup: string_lookup(lookup),
        }
    }

    /// Like [`with_lookup`](Self::with_lookup), with values that need not be UTF-8 (as
    /// [`std::env::var_os`] returns them).
    pub fn with_os_lookup(
        lookup: impl Fn(&str) -> Option<OsString> + Send + Sync + 'static,
    ) -> Self {
        EnvProvider {
            lookup: Arc::new(lookup),
        }
    }

    fn var(&self, name: &'static str) -> Result<Option<String>, CredentialsError> {
        let value = non_empty(&self.lookup, name)
            .map(|v| {
                v.into_string()
                    .map_err(|_| CredentialsError::EnvNotUnicode { var: name })
            })
            .transpose()?;
        match value {
            Some(v) => match invalid_reason(&v) {
                Some(reason) => Err(CredentialsError::EnvInvalid { var: name, reason }),
                None => Ok(Some(v)),
            },
            None => Ok(None),
        }
    }
}

impl Default for EnvProvider {
    fn default() -> Self {
        EnvProvider::new()
    }
}

impl fmt::Debug for EnvProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EnvProvider").finish_non_exhaustive()
    }
}

impl ProvideCredentials for EnvProvider {
    fn provide(&self) -> Result<Credentials, CredentialsError> {
        let id = self.var(Self::SECRET_ID_VAR)?;
        let key = self.var(Self::SECRET_KEY_VAR)?;
        let (id, key) = match (id, key) {
            (Some(id), Some(key)) => (id, key),
            (None, None) => {
                return Err(CredentialsError::NotConfigured {
                    provider: self.name(),
                    detail: format!("{} not set", Self::SECRET_ID_VAR),
                });
            }
            (Some(_), None) => {
                return Err(CredentialsError::EnvIncomplete {
                    present: Self::SECRET_ID_VAR,
                    missing: Self::SECRET_KEY_VAR,
                });
            }
            (None, Some(_)) => {
                return Err(CredentialsError::EnvIncomplete {
                    present: Self::SECRET_KEY_VAR,
                    missing: Self::SECRET_ID_VAR,
                });
            }
        };
        let token = match (
            self.var(Self::SESSION_TOKEN_VAR)?,
            self.var(Self::TOKEN_VAR)?,
        ) {
            (Some(a), Some(b)) if a != b => return Err(CredentialsError::EnvTokenConflict),
            (Some(t), _) | (None, Some(t)) => Some(t),
            (None, None) => None,
        };
        // Already validated above, so these cannot fail; keep the checks anyway.
        let credentials = Credentials::new(id, key)?.with_source(CredentialSource::Environment);
        match token {
            Some(t) => credentials.with_token(t),
            None => Ok(credentials),
        }
    }

    fn name(&self) -> &'static str {
        "environment"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::InvalidReason;
    use crate::credentials::test_support::{ID, KEY, TOKEN, assert_no_secret, env};

    #[test]
    fn env_both_set() {
        let c = env(&[
            (EnvProvider::SECRET_ID_VAR, ID),
            (EnvProvider::SECRET_KEY_VAR, KEY),
        ])
        .provide()
        .unwrap();
        assert_eq!((c.secret_id(), c.secret_key(), c.token()), (ID, KEY, None));
    }

    #[test]
    fn env_token_variables() {
        let base = [
            (EnvProvider::SECRET_ID_VAR, ID),
            (EnvProvider::SECRET_KEY_VAR, KEY),
        ];
        for token_var in [EnvProvider::SESSION_TOKEN_VAR, EnvProvider::TOKEN_VAR] {
            let mut vars = base.to_vec();
            vars.push((token_var, TOKEN));
            assert_eq!(
                env(&vars).provide().unwrap().token(),
                Some(TOKEN),
                "{token_var}"
            );
        }
        let mut same = base.to_vec();
        same.extend([
            (EnvProvider::SESSION_TOKEN_VAR, TOKEN),
            (EnvProvider::TOKEN_VAR, TOKEN),
        ]);
        assert_eq!(env(&same).provide().unwrap().token(), Some(TOKEN));
        let mut conflict = base.to_vec();
        conflict.extend([
            (EnvProvider::SESSION_TOKEN_VAR, TOKEN),
            (EnvProvider::TOKEN_VAR, "other"),
        ]);
        let e = env(&conflict).provide().unwrap_err();
        assert!(matches!(e, CredentialsError::EnvTokenConflict), "{e:?}");
        assert_no_secret(&e.to_string());
        let mut empty = base.to_vec();
        empty.push((EnvProvider::SESSION_TOKEN_VAR, ""));
        assert_eq!(env(&empty).provide().unwrap().token(), None);
    }

    #[test]
    fn env_none_set_is_not_configured() {
        for p in [
            env(&[]),
            env(&[
                (EnvProvider::SECRET_ID_VAR, ""),
                (EnvProvider::TOKEN_VAR, TOKEN),
            ]),
        ] {
            let e = p.provide().unwrap_err();
            assert!(e.does_not_apply(), "{e:?}");
            assert_eq!(e.to_string(), "environment: TENCENTCLOUD_SECRET_ID not set");
        }
    }

    #[test]
    fn env_only_one_set() {
        let e = env(&[(EnvProvider::SECRET_ID_VAR, ID)])
            .provide()
            .unwrap_err();
        assert!(
            matches!(
                e,
                CredentialsError::EnvIncomplete {
                    present: "TENCENTCLOUD_SECRET_ID",
                    missing: "TENCENTCLOUD_SECRET_KEY"
                }
            ),
            "{e:?}"
        );
        assert!(!e.does_not_apply());
        let e = env(&[(EnvProvider::SECRET_KEY_VAR, KEY)])
            .provide()
            .unwrap_err();
        assert!(
            matches!(
                e,
                CredentialsError::EnvIncomplete {
                    present: "TENCENTCLOUD_SECRET_KEY",
                    missing: "TENCENTCLOUD_SECRET_ID"
                }
            ),
            "{e:?}"
        );
        assert_no_secret(&format!("{e} {e:?}"));
    }

    #[test]
    fn env_invalid_value_names_variable() {
        let key = format!("{KEY}\n");
        let e = env(&[
            (EnvProvider::SECRET_ID_VAR, ID),
            (EnvProvider::SECRET_KEY_VAR, &key),
        ])
        .provide()
        .unwrap_err();
        assert!(
            matches!(
                e,
                CredentialsError::EnvInvalid {
                    var: "TENCENTCLOUD_SECRET_KEY",
                    reason: InvalidReason::SurroundingWhitespace
                }
            ),
            "{e:?}"
        );
        assert_no_secret(&format!("{e} {e:?}"));
    }

    #[test]
    #[cfg(unix)]
    fn env_non_utf8_names_the_variable_and_is_not_unset() {
        use std::os::unix::ffi::OsStringExt;
        // 0xFF never occurs in UTF-8.
        let bad = || OsString::from_vec(vec![b'A', b'K', 0xFF, b'D']);
        for var in [
            EnvProvider::SECRET_ID_VAR,
            EnvProvider::SECRET_KEY_VAR,
            EnvProvider::SESSION_TOKEN_VAR,
            EnvProvider::TOKEN_VAR,
        ] {
            let p = EnvProvider::with_os_lookup(move |name| {
                if name == var {
                    Some(bad())
                } else if name == EnvProvider::SECRET_ID_VAR {
                    Some(ID.into())
                } else if name == EnvProvider::SECRET_KEY_VAR {
                    Some(KEY.into())
                } else {
                    None
                }
            });
            let e = p.provide().unwrap_err();
            assert!(
                matches!(e, CredentialsError::EnvNotUnicode { var: v } if v == var),
                "{var}: {e:?}"
            );
            assert!(!e.does_not_apply(), "{var}: must stop the chain");
            assert_eq!(
                e.to_string(),
                format!(
                    "environment: {var} is set but is not valid UTF-8 (credentials are ASCII); set it again"
                )
            );
            assert_no_secret(&format!("{e} {e:?}"));
        }
    }

    #[test]
    fn env_credentials_say_their_source() {
        let c = env(&[
            (EnvProvider::SECRET_ID_VAR, ID),
            (EnvProvider::SECRET_KEY_VAR, KEY),
        ])
        .provide()
        .unwrap();
        assert_eq!(c.source(), &CredentialSource::Environment);
    }

    #[test]
    fn env_debug_shows_nothing() {
        let p = env(&[
            (EnvProvider::SECRET_ID_VAR, ID),
            (EnvProvider::SECRET_KEY_VAR, KEY),
        ]);
        assert_eq!(format!("{p:?}"), "EnvProvider { .. }");
        assert_eq!(p.name(), "environment");
    }
}
