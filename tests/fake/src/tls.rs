//! The fake over https: a TLS front on 127.0.0.1 that terminates TLS with a certificate issued
//! by a CA generated for the test, and relays the plaintext to a [`FakeServer`](crate::FakeServer)
//! (or any TCP server).
//!
//! ```
//! use tc_redis_fake::{FakeConfig, FakeServer, tls::TlsFront};
//!
//! let fake = FakeServer::start(FakeConfig::new())?;
//! let front = TlsFront::start(fake.addr())?;
//! assert!(front.endpoint().starts_with("https://127.0.0.1:"));
//! assert!(front.ca_pem().starts_with("-----BEGIN CERTIFICATE-----"));
//! # Ok::<(), std::io::Error>(())
//! ```

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose,
};
use rustls::ServerConnection;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::fmt;
use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// A running TLS front. Dropping it stops accepting (open relays end with their connections).
pub struct TlsFront {
    addr: SocketAddr,
    ca_pem: String,
    counters: Arc<Counters>,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

#[derive(Debug, Default)]
struct Counters {
    connections: AtomicU64,
    handshakes: AtomicU64,
    failed_handshakes: AtomicU64,
    plaintext_bytes: AtomicU64,
}

/// What a [`TlsFront`] saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TlsStats {
    /// TCP connections accepted.
    pub connections: u64,
    /// TLS handshakes completed.
    pub handshakes: u64,
    /// TLS handshakes that failed (the client refused the certificate, for one).
    pub failed_handshakes: u64,
    /// Application bytes (decrypted request bytes) received from clients.
    pub plaintext_bytes: u64,
}

fn other(e: impl fmt::Display) -> io::Error {
    io::Error::other(e.to_string())
}

impl TlsFront {
    /// Generates a CA and a certificate for `127.0.0.1` and `localhost` issued by it, binds
    /// 127.0.0.1 on a free port and relays every connection to `backend`.
    pub fn start(backend: SocketAddr) -> io::Result<TlsFront> {
        TlsFront::start_for(backend, &["127.0.0.1", "localhost"])
    }

    /// [`TlsFront::start`] with a certificate for these names (host names or IP addresses), for
    /// a client that reaches the front under another name, through a proxy.
    pub fn start_for(backend: SocketAddr, names: &[&str]) -> io::Result<TlsFront> {
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(other)?;
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "tc-redis test CA");
        ca_params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().map_err(other)?)
            .map_err(other)?;
        let leaf_key = KeyPair::generate().map_err(other)?;
        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        let leaf_params = CertificateParams::new(names).map_err(other)?;
        let leaf = leaf_params.signed_by(&leaf_key, &ca).map_err(other)?;

        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(other)?
            .with_no_client_auth()
            .with_single_cert(
                vec![CertificateDer::from(leaf.der().to_vec())],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
            )
            .map_err(other)?;
        let config = Arc::new(config);

        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        let addr = listener.local_addr()?;
        let counters = Arc::new(Counters::default());
        let stop = Arc::new(AtomicBool::new(false));
        let accept = std::thread::Builder::new()
            .name(format!("tls-front-{}", addr.port()))
            .spawn({
                let (counters, stop) = (counters.clone(), stop.clone());
                move || {
                    for stream in listener.incoming() {
                        if stop.load(Ordering::SeqCst) {
                            break;
                        }
                        let Ok(stream) = stream else { continue };
                        counters.connections.fetch_add(1, Ordering::SeqCst);
                        let (config, counters) = (config.clone(), counters.clone());
                        std::thread::spawn(move || relay(stream, config, backend, counters));
                    }
                }
            })?;
        Ok(TlsFront {
            addr,
            ca_pem: ca.pem(),
            counters,
            stop,
            accept: Some(accept),
        })
    }

    /// `https://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("https://{}", self.addr)
    }

    /// The listening address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The PEM of the CA that issued the front's certificate.
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// What the front saw so far.
    pub fn stats(&self) -> TlsStats {
        let c = &self.counters;
        TlsStats {
            connections: c.connections.load(Ordering::SeqCst),
            handshakes: c.handshakes.load(Ordering::SeqCst),
            failed_handshakes: c.failed_handshakes.load(Ordering::SeqCst),
            plaintext_bytes: c.plaintext_bytes.load(Ordering::SeqCst),
        }
    }
}

impl fmt::Debug for TlsFront {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsFront")
            .field("addr", &self.addr)
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

impl Drop for TlsFront {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

/// Completes the handshake, then relays in both directions until either side closes.
fn relay(
    mut socket: TcpStream,
    config: Arc<rustls::ServerConfig>,
    backend: SocketAddr,
    counters: Arc<Counters>,
) {
    let Ok(mut conn) = ServerConnection::new(config) else {
        return;
    };
    while conn.is_handshaking() {
        if conn.complete_io(&mut socket).is_err() {
            counters.failed_handshakes.fetch_add(1, Ordering::SeqCst);
            return;
        }
    }
    counters.handshakes.fetch_add(1, Ordering::SeqCst);
    let Ok(mut upstream) = TcpStream::connect(backend) else {
        return;
    };
    let (Ok(socket_in), Ok(upstream_in)) = (socket.try_clone(), upstream.try_clone()) else {
        return;
    };
    let conn = Arc::new(Mutex::new(conn));

    // Backend -> client: encrypt what the backend answers.
    let back = {
        let (conn, mut socket) = (conn.clone(), socket_in);
        let mut upstream = upstream_in;
        std::thread::spawn(move || {
            let mut buf = [0u8; 16 * 1024];
            loop {
                let n = match upstream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => n,
                };
                let mut conn = conn.lock().unwrap_or_else(|p| p.into_inner());
                if conn.writer().write_all(&buf[..n]).is_err() {
                    break;
                }
                while conn.wants_write() {
                    if conn.write_tls(&mut socket).is_err() {
                        return;
                    }
                }
            }
            let mut conn = conn.lock().unwrap_or_else(|p| p.into_inner());
            conn.send_close_notify();
            while conn.wants_write() {
                if conn.write_tls(&mut socket).is_err() {
                    break;
                }
            }
            let _ = socket.shutdown(Shutdown::Both);
        })
    };

    // Client -> backend: decrypt what the client sends. The plaintext rustls already holds
    // (a request sent in the same flight as the handshake's end) goes first.
    let mut buf = [0u8; 16 * 1024];
    'outer: loop {
        {
            let mut conn = conn.lock().unwrap_or_else(|p| p.into_inner());
            loop {
                match conn.reader().read(&mut buf) {
                    Ok(0) => break 'outer,
                    Ok(m) => {
                        counters
                            .plaintext_bytes
                            .fetch_add(m as u64, Ordering::SeqCst);
                        if upstream.write_all(&buf[..m]).is_err() {
                            break 'outer;
                        }
                    }
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                    Err(_) => break 'outer,
                }
            }
            // Alerts and key updates the client's data may need answered.
            while conn.wants_write() {
                if conn.write_tls(&mut socket).is_err() {
                    break 'outer;
                }
            }
        }
        let n = match socket.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let mut conn = conn.lock().unwrap_or_else(|p| p.into_inner());
        let mut input = &buf[..n];
        while !input.is_empty() {
            if conn.read_tls(&mut input).is_err() || conn.process_new_packets().is_err() {
                break 'outer;
            }
        }
    }
    let _ = upstream.shutdown(Shutdown::Both);
    let _ = socket.shutdown(Shutdown::Both);
    let _ = back.join();
}
