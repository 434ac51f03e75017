//! A faithful local fake of the Tencent Cloud Redis API (API 3.0, service `redis`, version
//! `2018-04-12`), for tests: blocking, on `std::net`, one thread per connection.
//!
//! It verifies TC3-HMAC-SHA256 signatures the way Tencent does (with `tc_redis::sign`), answers
//! in the official `{"Response":{...,"RequestId":..}}` envelope with Tencent's error codes, keeps
//! state (instances: name, region, status; TaskIds), rate-limits per action, records every
//! request, and can inject transport faults ([`Fault`]). It serves STS's `AssumeRole` and
//! `AssumeRoleWithWebIdentity` too ([`FakeConfig::sts_role`], [`FakeConfig::web_identity`]),
//! and accepts the temporary credentials they issue until they expire.
//!
//! ```
//! use tc_redis_fake::{FakeConfig, FakeServer};
//!
//! let server = FakeServer::start(FakeConfig::new().instance_in_recycle_bin("crs-5a4py64p"))?;
//! let url = server.endpoint(); // "http://127.0.0.1:PORT", sign with Host "127.0.0.1:PORT"
//! assert!(url.starts_with("http://127.0.0.1:"));
//! assert_eq!(server.stats().requests, 0);
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! The pipeline of one request, first failure wins (the codes the API answers in each case):
//! method (`UnsupportedProtocol`), `Authorization` form (`AuthFailure.InvalidAuthorization`),
//! timestamp skew over 300 s (`AuthFailure.SignatureExpire`), SecretId
//! (`AuthFailure.SecretIdNotFound`), token (`AuthFailure.TokenFailure`), signature
//! (`AuthFailure.SignatureFailure`), POST `Content-Type` (`InvalidParameter`), action
//! (`MissingParameter`, `InvalidAction`), version (`NoSuchVersion`), region (`MissingParameter`,
//! `UnsupportedRegion`), CAM policy (`AuthFailure.UnauthorizedOperation`, see
//! [`FakeConfig::deny_action`]), rate limit (`RequestLimitExceeded`), body (`InvalidParameter`),
//! parameters (`UnknownParameter`, `MissingParameter`, `InvalidParameter`,
//! `InvalidParameter.EmptyParam`), then the action (`ResourceNotFound.InstanceNotExists`,
//! `ResourceUnavailable.InstanceStatusAbnormal`, or `{"TaskId":N}`).
//!
//! Actions served: CleanUpInstance, DescribeTaskInfo, and DescribeInstances (over the instances
//! the fake knows: their name, region and status; see [`FakeConfig::instance`]).
#![warn(missing_docs, missing_debug_implementations, unreachable_pub)]

// The README's Rust examples, compiled as doctests (this crate depends on tc-redis; the
// tc-redis package cannot include a file outside its directory).
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;

mod api;
mod auth;
mod config;
mod envelope;
mod fault;
mod http;
mod instances;
mod rng;
mod server;
mod sts;
pub mod support;
#[cfg(feature = "tls")]
pub mod tls;

pub use config::{
    Clock, DEFAULT_RATE_LIMIT, DEFAULT_REGIONS, DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, FakeConfig,
    InstanceStatus,
};
pub use fault::Fault;
pub use http::imf_fixdate;
pub use rng::is_uuid_v4;

use std::fmt;
use std::io;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::thread::JoinHandle;

/// The API version the fake serves.
pub const API_VERSION: &str = api::VERSION;
/// The STS version the fake serves (`AssumeRole`, `AssumeRoleWithWebIdentity`).
pub const STS_VERSION: &str = sts::VERSION;

/// Counters of a running [`FakeServer`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stats {
    /// TCP connections accepted.
    pub connections: u64,
    /// Requests read completely and answered (or faulted); equals `requests().len()`.
    pub requests: u64,
    /// Requests rejected at the HTTP level (400, 413, 431, 505) before any API processing;
    /// these are not recorded.
    pub malformed: u64,
}

/// One request as the fake received it, and what it answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    /// `POST`, `GET`, ...
    pub method: String,
    /// The request target as sent: path and query (`/`, `/?InstanceId=...`).
    pub target: String,
    /// Header names and values in wire order (values trimmed).
    pub headers: Vec<(String, String)>,
    /// The body bytes.
    pub body: Vec<u8>,
    /// The HTTP status of the answer (the one that was due, under reset and silence faults).
    pub status: u16,
    /// `Response.Error.Code` of the answer, `None` on success or for non-envelope answers.
    pub error_code: Option<String>,
    /// `Response.RequestId` of the answer, `None` for non-envelope answers.
    pub request_id: Option<String>,
    /// The connection it came on (1 for the first accepted, 2 for the next, ...).
    pub connection: u64,
}

impl RecordedRequest {
    /// The first header of that name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A running fake on 127.0.0.1. Dropping it stops the accept thread (joined) and shuts down
/// every open connection.
pub struct FakeServer {
    addr: SocketAddr,
    shared: Arc<server::Shared>,
    accept: Option<JoinHandle<()>>,
}

impl FakeServer {
    /// Binds 127.0.0.1 (port 0 unless [`FakeConfig::port`]) and starts serving.
    pub fn start(config: FakeConfig) -> io::Result<FakeServer> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, config.port))?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(server::Shared::new(api::Service::new(&config)));
        let accept = std::thread::Builder::new()
            .name(format!("tc-redis-fake-{}", addr.port()))
            .spawn({
                let shared = shared.clone();
                move || server::accept_loop(listener, shared)
            })?;
        Ok(FakeServer {
            addr,
            shared,
            accept: Some(accept),
        })
    }

    /// The listening address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The `Host` a client sends (and signs) for this server: `127.0.0.1:PORT`.
    pub fn host(&self) -> String {
        self.addr.to_string()
    }

    /// Connections and requests so far.
    pub fn stats(&self) -> Stats {
        self.shared.stats()
    }

    /// Every request read so far, in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.requests()
    }

    /// Applies `fault` to the requests read from now on (see [`Fault`]); `None` heals.
    pub fn set_fault(&self, fault: Option<Fault>) {
        self.shared.set_fault(fault);
    }

    /// The current state of an instance, `None` if the fake does not know it.
    pub fn instance(&self, id: &str) -> Option<InstanceStatus> {
        self.shared.service.instance(id)
    }
}

impl fmt::Debug for FakeServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeServer")
            .field("addr", &self.addr)
            .field("stats", &self.stats())
            .finish()
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop, which checks `stop` for every connection.
        let _ = TcpStream::connect(self.addr);
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
        self.shared.close_all();
    }
}
