//! Which certificate authorities the client trusts.
//!
//! Certificate verification itself has no off switch: the only choice is *whose* roots verify
//! the endpoint's certificate.

#[cfg(feature = "ca-bundle")]
use crate::error::ConfigError;
#[cfg(feature = "ca-bundle")]
use std::fmt;
#[cfg(feature = "ca-bundle")]
use std::path::PathBuf;

/// The largest CA bundle file read: Mozilla's whole bundle is about 220 KB and a company's
/// bundle with its own CAs added rarely passes 1 MB. A larger file (a wrong path to a disk
/// image, `/dev/zero` behind a symlink) is refused before it is read.
#[cfg(feature = "ca-bundle")]
pub const MAX_CA_BUNDLE_BYTES: u64 = 8 * 1024 * 1024;

/// The trust store the endpoint's certificate is verified against, when no CA certificates are
/// given (`ClientBuilder::ca_bundle`, feature `ca-bundle`).
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
#[cfg(feature = "ca-bundle")]
#[derive(Clone)]
pub(crate) enum CaSource {
    /// PEM bytes given to the builder.
    Pem(Vec<u8>),
    /// A PEM file, read at `build()`.
    File(PathBuf),
}

#[cfg(feature = "ca-bundle")]
impl fmt::Debug for CaSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CaSource::Pem(bytes) => write!(f, "Pem({} bytes)", bytes.len()),
            CaSource::File(path) => f.debug_tuple("File").field(path).finish(),
        }
    }
}

#[cfg(feature = "ca-bundle")]
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
    #[cfg(feature = "ca-bundle")]
    Certificates {
        der: Vec<Vec<u8>>,
        sources: Vec<String>,
    },
}

impl TrustStore {
    /// The chosen roots (default [`TlsRoots::Webpki`]), no CA certificates given.
    pub(crate) fn roots(roots: Option<TlsRoots>) -> TrustStore {
        match roots.unwrap_or_default() {
            TlsRoots::Webpki => TrustStore::Webpki,
            #[cfg(feature = "platform-roots")]
            TlsRoots::Platform => TrustStore::Platform,
        }
    }

    /// Reads and checks the CA certificates, or takes the chosen roots. CA certificates
    /// *replace* the roots, as curl's `--cacert`, Python requests' `REQUESTS_CA_BUNDLE` and
    /// OpenSSL's `SSL_CERT_FILE` do: asking for both is ambiguous, and refused. A bundle file is
    /// read by the one bounded reader ([`crate::input::read_file`], at most
    /// [`MAX_CA_BUNDLE_BYTES`]): a FIFO or device is refused without blocking.
    #[cfg(feature = "ca-bundle")]
    pub(crate) fn resolve(
        roots: Option<TlsRoots>,
        ca: &[CaSource],
    ) -> Result<TrustStore, ConfigError> {
        if ca.is_empty() {
            return Ok(TrustStore::roots(roots));
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
                CaSource::File(path) => crate::input::read_file(path, MAX_CA_BUNDLE_BYTES)
                    .map_err(|e| invalid(&name, &e))?,
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
            #[cfg(feature = "ca-bundle")]
            TrustStore::Certificates { sources, .. } => {
                format!("only the CA certificates of {}", sources.join(", "))
            }
        }
    }

    /// The text appended to a certificate error: the roots in use and how to add one.
    pub(crate) fn certificate_error_help(&self) -> String {
        let how = if cfg!(feature = "ca-bundle") {
            "give its PEM to ClientBuilder::ca_bundle or ClientBuilder::add_ca_certificates_pem (tc-redis-cleanup: --ca-bundle PATH or SSL_CERT_FILE)"
        } else {
            "build tc-redis with its cargo feature `ca-bundle` and give the CA's PEM to ClientBuilder::ca_bundle"
        };
        format!(
            "trusted roots: {}. To trust another CA (such as a TLS-inspecting proxy's), {how}",
            self.describe()
        )
    }
}

#[cfg(feature = "ca-bundle")]
fn invalid(name: &str, reason: &dyn fmt::Display) -> ConfigError {
    ConfigError::InvalidSetting {
        setting: "ca_certificates",
        reason: format!("{name}: {reason}"),
    }
}

#[cfg(feature = "ca-bundle")]
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
        let store = TrustStore::roots(None);
        assert!(matches!(store, TrustStore::Webpki), "{store:?}");
        assert!(store.certificate_error_help().contains("webpki-roots"));
        assert!(store.certificate_error_help().contains("ca_bundle"));
    }

    #[cfg(feature = "ca-bundle")]
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
        let store = TrustStore::roots(Some(TlsRoots::Platform));
        assert!(matches!(store, TrustStore::Platform), "{store:?}");
        assert!(store.describe().contains("operating system"), "{store:?}");
    }

    #[cfg(feature = "ca-bundle")]
    #[test]
    fn bundles_that_are_not_files_or_too_large_are_refused_without_blocking() {
        use tc_redis_test_support::TempDir;
        let dir = TempDir::new("tls-bundle");
        let fifo = dir.fifo("bundle.pem");
        let sparse = dir.join("huge.pem");
        std::fs::File::create(&sparse)
            .unwrap()
            .set_len(100 * 1024 * 1024)
            .unwrap();
        for (path, expected) in [
            (fifo, "FIFO"),
            (PathBuf::from("/dev/zero"), "character device"),
            (sparse, "larger than"),
        ] {
            let started = std::time::Instant::now();
            let err = TrustStore::resolve(None, &[CaSource::File(path.clone())]).unwrap_err();
            assert!(
                started.elapsed() < std::time::Duration::from_secs(2),
                "{path:?} blocked"
            );
            let text = err.to_string();
            assert!(
                text.contains(expected) && text.contains(&path.display().to_string()),
                "{path:?}: {text}"
            );
        }
    }

    #[cfg(feature = "ca-bundle")]
    #[test]
    fn roots_and_certificates_together_are_refused() {
        let err =
            TrustStore::resolve(Some(TlsRoots::Webpki), &[CaSource::Pem(vec![])]).unwrap_err();
        assert!(err.to_string().contains("tls_roots"), "{err}");
    }
}
