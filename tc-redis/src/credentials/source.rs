//! [`CredentialSource`]: which identity signs. Its own file because the crate's errors name it
//! (`AuthFailure` says which credentials signed), and they must not import the providers.

use crate::escape::Escaped;
use std::fmt;
use std::path::PathBuf;

/// Where a [`Credentials`](super::Credentials) value came from: which identity signs. Never
/// holds a secret.
///
/// `Display` says it in words, for error messages ("environment variables
/// TENCENTCLOUD_SECRET_ID/TENCENTCLOUD_SECRET_KEY", "credentials file /home/a/.tencentcloud/credentials,
/// profile \[default\]", "CVM instance role `cvm-role-x`", ...); what a server sent (the CVM
/// role's name) is escaped.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CredentialSource {
    /// Given in code ([`Credentials::new`](super::Credentials::new)).
    Static,
    /// [`EnvProvider`](super::EnvProvider): the `TENCENTCLOUD_*` variables.
    Environment,
    /// `ProfileProvider`: a section of an INI credentials file.
    CredentialsFile {
        /// The file.
        path: PathBuf,
        /// The section.
        profile: String,
    },
    /// `TccliProvider`: a tccli profile's `.credential` file.
    Tccli {
        /// The `<profile>.credential` file.
        path: PathBuf,
        /// The profile.
        profile: String,
    },
    /// `CvmRoleProvider`: the CAM role bound to the CVM instance.
    CvmRole {
        /// The role's name, as the metadata service listed it.
        role: String,
    },
    /// `AssumeRoleProvider`: a role assumed with STS `AssumeRole`.
    AssumedRole {
        /// The role's ARN.
        role_arn: String,
    },
    /// `WebIdentityProvider`: TKE workload identity, a role assumed with the pod's OIDC token.
    WebIdentity {
        /// The role's ARN.
        role_arn: String,
    },
}

impl fmt::Display for CredentialSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CredentialSource::Static => f.write_str("credentials given in code"),
            CredentialSource::Environment => {
                f.write_str("environment variables TENCENTCLOUD_SECRET_ID/TENCENTCLOUD_SECRET_KEY")
            }
            CredentialSource::CredentialsFile { path, profile } => write!(
                f,
                "credentials file {}, profile [{}]",
                Escaped(&path.display().to_string()),
                Escaped(profile)
            ),
            CredentialSource::Tccli { path, profile } => write!(
                f,
                "tccli profile `{}` ({})",
                Escaped(profile),
                Escaped(&path.display().to_string())
            ),
            CredentialSource::CvmRole { role } => {
                write!(f, "CVM instance role `{}`", Escaped(role))
            }
            CredentialSource::AssumedRole { role_arn } => {
                write!(
                    f,
                    "role `{}` assumed with STS AssumeRole",
                    Escaped(role_arn)
                )
            }
            CredentialSource::WebIdentity { role_arn } => {
                write!(f, "TKE workload identity, role `{}`", Escaped(role_arn))
            }
        }
    }
}
