//! Which certificate authorities the client trusts.
//!
//! Certificate verification itself has no off switch: the only choice is *whose* roots verify
//! the endpoint's certificate.

use crate::error::ConfigError;
use std::fmt;
use std::path::PathBuf;

/// The trust store the endpoint's certificate is verified against, when no CA certificates are
/// given (see [`ClientBuilder::ca_bundle`](crate::ClientBuilder::ca_bundle)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum TlsRoots {
    /// Mozilla's root certificates, compiled into the binary (the `webpki-roots` crate): the
    /// same on every machine, whatever its system store holds. The default.
    #[default]
    Webpki,
    /// The operating system's verifier and trust store (the `rustls-platform-verifier` crate):
    /// the Keychain on macOS, the system store on Windows, and on Linux the system bundle
    /// (`/etc/ssl/certs`, or the file named by `SSL_CERT_FILE`). Needs the `platform-roots`
    /// cargo feature of tc-redis.
    #[cfg(feature = "platform-roots")]
    Platform,
}

/// Where extra CA certificates come from.
#[derive(Clone)]
pub(crate) enum CaSource {
    /// PEM bytes given to the builder.
    Pem(Vec<u8>),
    /// A PEM file, read at `build()`.
    File(PathBuf),
}

impl fmt::Debug for CaSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CaSource::Pem(bytes) => write!(f, "Pem({} bytes)", bytes.len()),
            CaSource::File(path) => f.debug_tuple("File").field(path).finish(),
        }
    }
}

impl CaSource {
    fn name(&self) -> String {
        match self {
            CaSource::Pem(_) => "the PEM given to add_ca_certificates_pem".to_owned(),
            CaSource::File(path) => format!("CA bundle {}", path.display()),
        }
    }
}

/// The trust store a client was built with: what the transport installs, and how a
/// certificate error describes it.
#[derive(Debug, Clone)]
pub(crate) enum TrustStore {
    /// [`TlsRoots::Webpki`].
    Webpki,
    /// [`TlsRoots::Platform`].
    #[cfg(feature = "platform-roots")]
    Platform,
    /// Exactly these CA certificates (DER), from `sources`.
    Certificates {
        der: Vec<Vec<u8>>,
        sources: Vec<String>,
    },
}

impl TrustStore {
    /// Reads and checks the CA certificates, or takes the chosen roots. CA certificates
    /// *replace* the roots, as curl's `--cacert`, Python requests' `REQUESTS_CA_BUNDLE` and
    /// OpenSSL's `SSL_CERT_FILE` do: asking for both is ambiguous, and refused.
    pub(crate) fn resolve(
        roots: Option<TlsRoots>,
        ca: &[CaSource],
    ) -> Result<TrustStore, ConfigError> {
        if ca.is_empty() {
            return Ok(match roots.unwrap_or_default() {
                TlsRoots::Webpki => TrustStore::Webpki,
                #[cfg(feature = "platform-roots")]
                TlsRoots::Platform => TrustStore::Platform,
            });
        }
        if let Some(roots) = roots {
            return Err(ConfigError::InvalidSetting {
                setting: "tls_roots",
                reason: format!(
                    "{roots:?} was chosen and CA certificates were given too; the CA certificates replace the roots: set one or the other (to keep the public roots, put them in the bundle too)"
                ),
            });
        }
        let mut der = Vec::new();
        let mut sources = Vec::new();
        for source in ca {
            let name = source.name();
            let bytes = match source {
                CaSource::Pem(bytes) => bytes.clone(),
                CaSource::File(path) => std::fs::read(path).map_err(|e| invalid(&name, &e))?,
            };
            let certificates = certificates_in(&bytes).map_err(|reason| invalid(&name, &reason))?;
            sources.push(format!("{} ({} certificates)", name, certificates.len()));
            der.extend(certificates);
        }
        Ok(TrustStore::Certificates { der, sources })
    }

    /// What a certificate error says about the roots in use.
    pub(crate) fn describe(&self) -> String {
        match self {
            TrustStore::Webpki => {
                "the bundled Mozilla roots (webpki-roots; the default, the system store is not read)"
                    .to_owned()
            }
            #[cfg(feature = "platform-roots")]
            TrustStore::Platform => "the operating system's verifier and trust store".to_owned(),
            TrustStore::Certificates { sources, .. } => {
                format!("only the CA certificates of {}", sources.join(", "))
            }
        }
    }

    /// The text appended to a certificate error: the roots in use and how to add one.
    pub(crate) fn certificate_error_help(&self) -> String {
        format!(
            "trusted roots: {}. To trust another CA (such as a TLS-inspecting proxy's), give its PEM to ClientBuilder::ca_bundle or ClientBuilder::add_ca_certificates_pem (tc-redis-cleanup: --ca-bundle PATH or SSL_CERT_FILE)",
            self.describe()
        )
    }
}

fn invalid(name: &str, reason: &dyn fmt::Display) -> ConfigError {
    ConfigError::InvalidSetting {
        setting: "ca_certificates",
        reason: format!("{name}: {reason}"),
    }
}

/// The DER of every certificate in a PEM bundle. An unreadable PEM, a bundle with no
/// certificate, or a certificate that cannot be a trust anchor is an error: a CA silently
/// dropped would only show later, as a refused connection.
fn certificates_in(pem: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    use rustls_pki_types::CertificateDer;
    use rustls_pki_types::pem::PemObject;
    let mut der = Vec::new();
    // Only `CERTIFICATE` sections are read; a private key in a bundle is skipped, never kept.
    for cert in CertificateDer::pem_slice_iter(pem) {
        let cert = cert.map_err(|e| format!("not readable as PEM ({e})"))?;
        webpki::anchor_from_trusted_cert(&cert).map_err(|e| {
            format!(
                "certificate {} is not a usable CA certificate ({e:?})",
                der.len() + 1
            )
        })?;
        der.push(cert.to_vec());
    }
    if der.is_empty() {
        return Err(
            "no `-----BEGIN CERTIFICATE-----` block found: expected PEM CA certificates".to_owned(),
        );
    }
    Ok(der)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_webpki_and_describes_itself() {
        let store = TrustStore::resolve(None, &[]).unwrap();
        assert!(matches!(store, TrustStore::Webpki), "{store:?}");
        assert!(store.certificate_error_help().contains("webpki-roots"));
        assert!(store.certificate_error_help().contains("ca_bundle"));
    }

    #[test]
    fn bad_pem_is_refused_naming_its_source() {
        for (bytes, expected) in [
            (&b""[..], "no `-----BEGIN CERTIFICATE-----`"),
            (b"hello", "no `-----BEGIN CERTIFICATE-----`"),
            (
                b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n",
                "not readable as PEM",
            ),
            (
                b"-----BEGIN CERTIFICATE-----\naGVsbG8gd29ybGQ=\n-----END CERTIFICATE-----\n",
                "not a usable CA certificate",
            ),
        ] {
            let err = TrustStore::resolve(None, &[CaSource::Pem(bytes.to_vec())]).unwrap_err();
            let text = err.to_string();
            assert!(
                text.contains(expected) && text.contains("add_ca_certificates_pem"),
                "{bytes:?}: {text}"
            );
        }
        let missing = PathBuf::from("/nonexistent/tc-redis-ca.pem");
        let err = TrustStore::resolve(None, &[CaSource::File(missing)]).unwrap_err();
        assert!(
            err.to_string().contains("/nonexistent/tc-redis-ca.pem"),
            "{err}"
        );
    }

    #[cfg(feature = "platform-roots")]
    #[test]
    fn platform_roots_are_chosen_and_described() {
        let store = TrustStore::resolve(Some(TlsRoots::Platform), &[]).unwrap();
        assert!(matches!(store, TrustStore::Platform), "{store:?}");
        assert!(store.describe().contains("operating system"), "{store:?}");
    }

    #[test]
    fn roots_and_certificates_together_are_refused() {
        let err =
            TrustStore::resolve(Some(TlsRoots::Webpki), &[CaSource::Pem(vec![])]).unwrap_err();
        assert!(err.to_string().contains("tls_roots"), "{err}");
    }
}
