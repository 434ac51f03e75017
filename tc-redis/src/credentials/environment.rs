//! [`EnvProvider`]: credentials from environment variables.

use super::error::invalid_reason;
use super::{CredentialSource, Credentials, CredentialsError, ProvideCredentials, ProviderContext};

/// Reads credentials from environment variables, at every [`provide`](ProvideCredentials::provide).
///
/// * `TENCENTCLOUD_SECRET_ID` and `TENCENTCLOUD_SECRET_KEY` (both, or neither);
/// * the token from `TENCENTCLOUD_SESSION_TOKEN` or `TENCENTCLOUD_TOKEN` (tccli's name); if both
///   are set they must agree. The Python SDK reads no token variable at all, so temporary
///   credentials exported for it are used without their token there and fail.
///
/// Empty variables count as unset. Neither id nor key set is
/// [`NotLoaded`](super::CredentialsErrorKind::NotLoaded); only one set, a malformed value, or a
/// value that is not UTF-8 (never taken for "unset", which would let the next source's identity
/// sign instead) is [`InvalidConfiguration`](super::CredentialsErrorKind::InvalidConfiguration)
/// naming the variable.
///
/// The variables are those of the [`ProviderContext`]'s environment.
#[derive(Clone, Debug, Default)]
pub struct EnvProvider {
    context: ProviderContext,
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
        EnvProvider::default()
    }

    /// Reads the environment of `context`.
    pub fn with_context(context: ProviderContext) -> Self {
        EnvProvider { context }
    }

    fn var(&self, name: &'static str) -> Result<Option<String>, CredentialsError> {
        let value = self.context.env().get(name).map_err(|e| {
            CredentialsError::invalid(
                self.name(),
                format!(
                    "{name} is set but is not valid UTF-8 (credentials are ASCII); set it again"
                ),
            )
            .with_source(e)
        })?;
        match value {
            Some(v) => match invalid_reason(&v) {
                Some(reason) => Err(CredentialsError::invalid(
                    self.name(),
                    format!("{name} {reason}"),
                )),
                None => Ok(Some(v)),
            },
            None => Ok(None),
        }
    }
}

impl ProvideCredentials for EnvProvider {
    fn provide(&self) -> Result<Credentials, CredentialsError> {
        let (id_var, key_var) = (Self::SECRET_ID_VAR, Self::SECRET_KEY_VAR);
        let (id, key) = match (self.var(id_var)?, self.var(key_var)?) {
            (Some(id), Some(key)) => (id, key),
            (None, None) => {
                return Err(CredentialsError::not_loaded(
                    self.name(),
                    format!("{id_var} not set"),
                ));
            }
            (present, _) => {
                let (present, missing) = match present {
                    Some(_) => (id_var, key_var),
                    None => (key_var, id_var),
                };
                return Err(CredentialsError::invalid(
                    self.name(),
                    format!("{present} is set but {missing} is not; set both, or unset both"),
                ));
            }
        };
        let token = match (
            self.var(Self::SESSION_TOKEN_VAR)?,
            self.var(Self::TOKEN_VAR)?,
        ) {
            (Some(a), Some(b)) if a != b => {
                return Err(CredentialsError::invalid(
                    self.name(),
                    "TENCENTCLOUD_SESSION_TOKEN and TENCENTCLOUD_TOKEN are both set, to \
                     different values; unset one",
                ));
            }
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
    use crate::credentials::CredentialsErrorKind::{InvalidConfiguration, NotLoaded};
    use crate::credentials::test_support::{ID, KEY, TOKEN, assert_no_secret, env};
    use crate::env::Env;

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
        assert_eq!(e.kind(), InvalidConfiguration);
        assert_eq!(
            e.to_string(),
            "environment: TENCENTCLOUD_SESSION_TOKEN and TENCENTCLOUD_TOKEN are both set, to \
             different values; unset one"
        );
        assert_no_secret(&format!("{e} {e:?}"));
        let mut empty = base.to_vec();
        empty.push((EnvProvider::SESSION_TOKEN_VAR, ""));
        assert_eq!(env(&empty).provide().unwrap().token(), None);
    }

    #[test]
    fn env_none_set_is_not_loaded() {
        for p in [
            env(&[]),
            env(&[
                (EnvProvider::SECRET_ID_VAR, ""),
                (EnvProvider::TOKEN_VAR, TOKEN),
            ]),
        ] {
            let e = p.provide().unwrap_err();
            assert_eq!(e.kind(), NotLoaded, "{e:?}");
            assert_eq!(e.to_string(), "environment: TENCENTCLOUD_SECRET_ID not set");
        }
    }

    #[test]
    fn env_only_one_set() {
        let e = env(&[(EnvProvider::SECRET_ID_VAR, ID)])
            .provide()
            .unwrap_err();
        assert_eq!(e.kind(), InvalidConfiguration);
        assert_eq!(
            e.to_string(),
            "environment: TENCENTCLOUD_SECRET_ID is set but TENCENTCLOUD_SECRET_KEY is not; set \
             both, or unset both"
        );
        let e = env(&[(EnvProvider::SECRET_KEY_VAR, KEY)])
            .provide()
            .unwrap_err();
        assert_eq!(e.kind(), InvalidConfiguration);
        assert_eq!(
            e.to_string(),
            "environment: TENCENTCLOUD_SECRET_KEY is set but TENCENTCLOUD_SECRET_ID is not; set \
             both, or unset both"
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
        assert_eq!(e.kind(), InvalidConfiguration);
        assert_eq!(
            e.to_string(),
            "environment: TENCENTCLOUD_SECRET_KEY has leading or trailing whitespace (remove it: \
             it makes every signature fail)"
        );
        assert_no_secret(&format!("{e} {e:?}"));
    }

    #[test]
    #[cfg(unix)]
    fn env_non_utf8_names_the_variable_and_is_not_unset() {
        use std::ffi::OsString;
        use std::os::unix::ffi::OsStringExt;
        // 0xFF never occurs in UTF-8.
        let bad = || OsString::from_vec(vec![b'A', b'K', 0xFF, b'D']);
        for var in [
            EnvProvider::SECRET_ID_VAR,
            EnvProvider::SECRET_KEY_VAR,
            EnvProvider::SESSION_TOKEN_VAR,
            EnvProvider::TOKEN_VAR,
        ] {
            let mut vars = vec![
                (EnvProvider::SECRET_ID_VAR, OsString::from(ID)),
                (EnvProvider::SECRET_KEY_VAR, OsString::from(KEY)),
            ];
            vars.retain(|(name, _)| *name != var);
            vars.push((var, bad()));
            let p =
                EnvProvider::with_context(ProviderContext::new().with_env(Env::from_pairs(vars)));
            let e = p.provide().unwrap_err();
            assert_eq!(e.kind(), InvalidConfiguration, "{var}: must stop the chain");
            let cause = std::error::Error::source(&e)
                .and_then(|s| s.downcast_ref::<crate::env::NotUnicode>())
                .unwrap_or_else(|| panic!("{var}: {e:?}"));
            assert_eq!(cause.var(), var);
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
    fn env_debug_shows_names_not_values() {
        let p = env(&[
            (EnvProvider::SECRET_ID_VAR, ID),
            (EnvProvider::SECRET_KEY_VAR, KEY),
        ]);
        let debug = format!("{p:?}");
        assert!(debug.contains("TENCENTCLOUD_SECRET_KEY"), "{debug}");
        assert_no_secret(&debug);
        assert_eq!(p.name(), "environment");
    }
}
