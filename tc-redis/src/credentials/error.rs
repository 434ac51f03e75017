//! [`CredentialsError`]: why credentials could not be obtained.

use super::{CredentialField, InvalidReason, StsError};
#[cfg(doc)]
use super::{Credentials, DefaultChain, ProvideCredentials};
use crate::escape::Escaped;
use crate::input::ReadError;
#[cfg(doc)]
use crate::input::read_file;
use std::fmt;
use std::path::PathBuf;

/// Why credentials could not be obtained.
///
/// No variant ever holds a SecretKey or a token; none holds a line of a credentials file either
/// (only its path and line number).
#[derive(Debug)]
#[non_exhaustive]
pub enum CredentialsError {
    /// A SecretId, SecretKey or token given to [`Credentials::new`] or
    /// [`Credentials::with_token`] is malformed. Fix the value where it comes from.
    Invalid {
        /// The offending field.
        field: CredentialField,
        /// What is wrong with it.
        reason: InvalidReason,
    },
    /// The provider's source is absent (environment variables unset, no credentials file, no
    /// CAM role bound to the instance). [`DefaultChain`] moves on to the next provider; used
    /// alone, configure that source or use another provider.
    NotConfigured {
        /// The provider's [`ProvideCredentials::name`].
        provider: &'static str,
        /// What was looked for and not found.
        detail: String,
    },
    /// Exactly one of `TENCENTCLOUD_SECRET_ID` and `TENCENTCLOUD_SECRET_KEY` is set. Set both,
    /// or unset both to let the default chain look elsewhere.
    EnvIncomplete {
        /// The variable that is set.
        present: &'static str,
        /// The variable that is unset or empty.
        missing: &'static str,
    },
    /// An environment variable holds a malformed value. Fix the variable.
    EnvInvalid {
        /// The variable's name.
        var: &'static str,
        /// What is wrong with its value.
        reason: InvalidReason,
    },
    /// A credential variable is set but is not valid UTF-8 (so it cannot be a SecretId, key or
    /// token, which are ASCII). It is not treated as unset, which would let another identity
    /// sign. Set the variable again.
    EnvNotUnicode {
        /// The variable's name.
        var: &'static str,
    },
    /// `TENCENTCLOUD_SESSION_TOKEN` and `TENCENTCLOUD_TOKEN` are both set, to different values.
    /// Unset one of them.
    EnvTokenConflict,
    /// A credentials file exists (or was named explicitly) but could not be read, or is not a
    /// regular file, or is too large (the rules of [`read_file`]). Check the path
    /// and the file's permissions.
    FileRead {
        /// The provider's [`ProvideCredentials::name`].
        provider: &'static str,
        /// The file.
        path: PathBuf,
        /// Why it was not read.
        source: ReadError,
    },
    /// A credentials file is not valid INI, or holds the profile section or one of its keys
    /// twice. Fix the file at the given line.
    ProfileSyntax {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong (never the line's content, which may be a secret).
        message: String,
    },
    /// A credentials file has no section for the requested profile. Add a `[profile]` section
    /// with `secret_id` and `secret_key`, or select another profile.
    ProfileMissingSection {
        /// The file.
        path: PathBuf,
        /// The profile (section) name looked for.
        profile: String,
    },
    /// The profile section lacks `secret_id` or `secret_key`. Add the key to the section.
    ProfileMissingKey {
        /// The file.
        path: PathBuf,
        /// The profile (section) name.
        profile: String,
        /// 1-based line number of the section header.
        section_line: usize,
        /// The missing key.
        key: &'static str,
    },
    /// A value in the profile section is malformed. Fix it at the given line.
    ProfileInvalid {
        /// The file.
        path: PathBuf,
        /// 1-based line number of the value.
        line: usize,
        /// The offending field.
        field: CredentialField,
        /// What is wrong with it.
        reason: InvalidReason,
    },
    /// A tccli file (`<profile>.credential` or `<profile>.configure`) is not what `tccli
    /// configure` writes: not UTF-8 JSON, not an object, a field of the wrong type or missing.
    /// The detail names the field, never its value. Fix the file or run `tccli configure` again.
    TccliMalformed {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
    /// A profile name that cannot name tccli's files (they are `<profile>.credential`): only
    /// letters, digits, `-`, `_` and `.`, not starting with `.`. Fix the name.
    InvalidProfileName {
        /// The name given.
        profile: String,
    },
    /// A tccli profile asks for something this crate does not do from a profile (an assumed
    /// role, `role-arn`). Its keys are not used alone, which would sign as another identity.
    /// Use an explicit provider, or another profile.
    TccliUnsupported {
        /// The `<profile>.credential` file.
        path: PathBuf,
        /// What is asked for.
        what: String,
    },
    /// The tccli profile is set to use the CVM role (`tccli configure set use-cvm-role true`).
    /// [`DefaultChain`] moves on to the instance role; used alone, use [`super::CvmRoleProvider`].
    TccliUsesCvmRole {
        /// The `<profile>.credential` file.
        path: PathBuf,
    },
    /// Temporary credentials had already expired when they were received. Check this machine's
    /// clock, and the source (metadata service, STS, a stale tccli login: run tccli again).
    Expired {
        /// The provider's [`ProvideCredentials::name`].
        provider: &'static str,
        /// Where they came from (a URL or a path).
        origin: String,
        /// Their expiry, in Unix seconds.
        expired_time: i64,
        /// The time they were received, in Unix seconds.
        now: i64,
    },
    /// A profile was named explicitly ([`DefaultChain::with_profile`]) and neither the
    /// credentials file nor tccli has it. The chain stops there: the instance's or pod's own
    /// identity is not used in place of a profile that was asked for. Create the profile, or fix
    /// its name.
    ProfileNotFound {
        /// The profile.
        profile: String,
        /// One line per source tried before stopping.
        attempts: Vec<String>,
    },
    /// The instance metadata service could not be reached or did not answer in time: this is
    /// not a CVM instance, or the network blocks it. [`DefaultChain`] moves on; used alone,
    /// check the base URL and the timeouts.
    MetadataUnreachable {
        /// The URL requested.
        url: String,
        /// The transport error.
        detail: String,
    },
    /// The metadata service answered with an unexpected HTTP status. Check the role name (a
    /// 404 for a named role means no such role is bound) and the base URL.
    MetadataStatus {
        /// The URL requested.
        url: String,
        /// The HTTP status code.
        status: u16,
    },
    /// The metadata service's answer is not what was expected (not JSON, a missing or mistyped
    /// field, an oversized body). The detail names the field, never its value.
    MetadataMalformed {
        /// The URL requested.
        url: String,
        /// What is wrong.
        detail: String,
    },
    /// The metadata service answered with a `Code` other than `Success`. Check that the CAM
    /// role bound to the instance still exists and may be assumed by CVM.
    MetadataCode {
        /// The URL requested.
        url: String,
        /// The `Code` received (replaced by `<unprintable>` if odd-looking).
        code: String,
    },
    /// STS gave no credentials (the TKE workload identity or an assumed role): see [`StsError`].
    Sts(StsError),
    /// [`DefaultChain`] found no provider that applies. Configure one of the sources listed.
    NoneApplied {
        /// One line per provider tried: its name and why it did not apply.
        attempts: Vec<String>,
    },
}

impl CredentialsError {
    /// Whether the error means "this source is absent", letting [`DefaultChain`] try the next.
    pub(super) fn does_not_apply(&self) -> bool {
        matches!(
            self,
            CredentialsError::NotConfigured { .. }
                | CredentialsError::MetadataUnreachable { .. }
                | CredentialsError::TccliUsesCvmRole { .. }
        )
    }
}

impl fmt::Display for CredentialsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CredentialsError::Invalid { field, reason } => write!(f, "{field} {reason}"),
            CredentialsError::NotConfigured { provider, detail } => {
                write!(f, "{provider}: {detail}")
            }
            CredentialsError::EnvIncomplete { present, missing } => write!(
                f,
                "environment: {present} is set but {missing} is not; set both, or unset both"
            ),
            CredentialsError::EnvInvalid { var, reason } => {
                write!(f, "environment: {var} {reason}")
            }
            CredentialsError::EnvNotUnicode { var } => write!(
                f,
                "environment: {var} is set but is not valid UTF-8 (credentials are ASCII); \
                 set it again"
            ),
            CredentialsError::EnvTokenConflict => f.write_str(
                "environment: TENCENTCLOUD_SESSION_TOKEN and TENCENTCLOUD_TOKEN are both set, \
                 to different values; unset one",
            ),
            CredentialsError::FileRead {
                provider,
                path,
                source,
            } => write!(f, "{provider}: cannot read {}: {source}", path.display()),
            CredentialsError::ProfileSyntax {
                path,
                line,
                message,
            } => write!(f, "profile: {} line {line}: {message}", path.display()),
            CredentialsError::ProfileMissingSection { path, profile } => write!(
                f,
                "profile: {} has no [{profile}] section; add one with secret_id and secret_key",
                path.display()
            ),
            CredentialsError::ProfileMissingKey {
                path,
                profile,
                section_line,
                key,
            } => write!(
                f,
                "profile: {} line {section_line}: section [{profile}] has no `{key}` key",
                path.display()
            ),
            CredentialsError::ProfileInvalid {
                path,
                line,
                field,
                reason,
            } => write!(
                f,
                "profile: {} line {line}: {field} {reason}",
                path.display()
            ),
            CredentialsError::TccliMalformed { path, detail } => write!(
                f,
                "tccli: {}: {detail}; fix it or run `tccli configure` again",
                path.display()
            ),
            CredentialsError::InvalidProfileName { profile } => write!(
                f,
                "tccli: {profile:?} is not a profile name (letters, digits, `-`, `_` and `.`, \
                 not starting with `.`)"
            ),
            CredentialsError::TccliUnsupported { path, what } => write!(
                f,
                "tccli: {} asks for {what}, which tc-redis does not do from a tccli profile; \
                 its keys were not used alone. Use another profile or an explicit provider",
                path.display()
            ),
            CredentialsError::TccliUsesCvmRole { path } => write!(
                f,
                "tccli: {} says use-cvm-role: the CVM role applies",
                path.display()
            ),
            CredentialsError::Expired {
                provider,
                origin,
                expired_time,
                now,
            } => write!(
                f,
                "{provider}: the credentials from {origin} expired {} s before they were \
                 received (ExpiredTime {expired_time}, now {now}); check the clock of this \
                 machine, or the source",
                now.saturating_sub(*expired_time)
            ),
            CredentialsError::ProfileNotFound { profile, attempts } => {
                write!(f, "profile `{profile}` not found; tried ")?;
                f.write_str(&attempts.join("; "))?;
                f.write_str(
                    ". A named profile is not replaced by the machine's own identity: create \
                     the profile (`tccli configure --profile NAME`, or a [NAME] section in \
                     ~/.tencentcloud/credentials) or fix its name",
                )
            }
            // The URL ends with the role name the metadata service listed: escaped like the
            // rest of what a server sent.
            CredentialsError::MetadataUnreachable { url, detail } => {
                write!(
                    f,
                    "cvm-role: metadata service unreachable ({}): {}",
                    Escaped(url),
                    Escaped(detail)
                )
            }
            CredentialsError::MetadataStatus { url, status } => {
                write!(
                    f,
                    "cvm-role: metadata service answered HTTP {status} for {}",
                    Escaped(url)
                )
            }
            CredentialsError::MetadataMalformed { url, detail } => {
                write!(
                    f,
                    "cvm-role: malformed answer from {}: {}",
                    Escaped(url),
                    Escaped(detail)
                )
            }
            CredentialsError::MetadataCode { url, code } => write!(
                f,
                "cvm-role: metadata service answered Code {code:?} (expected \"Success\") for {}",
                Escaped(url)
            ),
            CredentialsError::Sts(e) => e.fmt(f),
            CredentialsError::NoneApplied { attempts } => {
                f.write_str("no credentials found; tried ")?;
                for (i, attempt) in attempts.iter().enumerate() {
                    if i > 0 {
                        f.write_str("; ")?;
                    }
                    f.write_str(attempt)?;
                }
                f.write_str(
                    ". To proceed: set TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY, or \
                     put secret_id and secret_key under [default] in \
                     ~/.tencentcloud/credentials, or run `tccli configure`, or set the TKE_* \
                     variables of TKE workload identity, or run on a CVM instance with a CAM \
                     role bound, or pass credentials explicitly with StaticProvider",
                )
            }
        }
    }
}

impl std::error::Error for CredentialsError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CredentialsError::FileRead { source, .. } => Some(source),
            CredentialsError::Sts(e) => Some(e),
            _ => None,
        }
    }
}
