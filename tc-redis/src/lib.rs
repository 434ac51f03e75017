//! tc-redis: a small, exact, blocking client for the Tencent Cloud Redis API
//! (API 3.0, service `redis`, version `2018-04-12`).
//!
//! * Request, response and error-code types are generated at build time from the JSON spec in
//!   `api-spec/` (Tencent's own `api.json` format); nothing per action is written by hand.
//! * Requests are signed with TC3-HMAC-SHA256 exactly as the official SDKs sign them
//!   ([`sign`], checked stage by stage against vectors computed by the official Python SDK).
//! * Blocking, on one ureq agent per client: no async runtime anywhere.
//!
//! ```no_run
//! use tc_redis::{CleanUpInstanceErrorCode, CleanUpInstanceRequest, Client, Error};
//!
//! let client = Client::builder().region("ap-guangzhou").build()?;
//! match client.clean_up_instance(&CleanUpInstanceRequest::new("crs-5a4py64p")) {
//!     Ok(reply) => println!("task {:?}", reply.task_id),
//!     Err(Error::Api(e)) if e.code == CleanUpInstanceErrorCode::ResourceUnavailableInstanceStatusAbnormal => {
//!         println!("not in the recycle bin (request {})", e.request_id)
//!     }
//!     // A reset after the request was written, a 5xx, an unreadable 200: do not just send it again.
//!     Err(e) if e.may_have_been_executed() => {
//!         eprintln!("{e}\nit may have run: check the instance before trying again")
//!     }
//!     Err(e) => return Err(e.into()),
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Testing code that uses the client
//!
//! Any [`Transport`](transport::Transport) can stand in for HTTP, so code built on the client
//! can be tested without a network (or against the local fake endpoint of the `tc-redis-fake`
//! package, which verifies signatures and keeps state like the real API):
//!
//! ```
//! use tc_redis::transport::{HttpRequest, HttpResponse, Transport};
//! use tc_redis::{CleanUpInstanceRequest, Client, Credentials, TransportError};
//!
//! #[derive(Debug)]
//! struct Canned;
//!
//! impl Transport for Canned {
//!     fn send(&self, request: &HttpRequest<'_>) -> Result<HttpResponse, TransportError> {
//!         assert_eq!(request.body, br#"{"InstanceId":"crs-5a4py64p"}"#);
//!         let body = br#"{"Response":{"TaskId":10856,"RequestId":"c4ed5948"}}"#;
//!         Ok(HttpResponse { status: 200, date: None, body: body.to_vec() })
//!     }
//! }
//!
//! let client = Client::builder()
//!     .region("ap-guangzhou")
//!     .credentials(Credentials::new("AKIDexample", "example-secret-key")?)
//!     .transport(Canned)
//!     .build()?;
//! let reply = client.clean_up_instance(&CleanUpInstanceRequest::new("crs-5a4py64p"))?;
//! assert_eq!((reply.task_id, reply.request_id.as_str()), (Some(10856), "c4ed5948"));
//! assert!(reply.corrections().is_empty());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Module map: [`client`] (the client and its builder), [`credentials`] (the credentials, their
//! providers and the default chain), [`network`] (how a client and the providers it hands it
//! to reach hosts), the request pipeline below them both (sign, send, retry, read the reply),
//! [`sign`], [`transport`] (HTTP for the API), [`tls`] (trust stores), [`events`] (the
//! `log` events), [`error`], [`retry`], [`rate_limit`],
//! [`clock`], [`response`] (reading the envelope), [`correct`] (reading what Tencent really
//! sends: missing members, integers as strings), `task` (waiting for a task, feature
//! `task-wait`), [`Cancel`] (stopping waits and new requests), [`input`] (the bounded reader of
//! files and streams), [`env`](mod@env) (environment variables as bytes), and the generated types at the
//! crate root. [`escaped`] shows server-provided text safely.
//!
//! ## Features
//!
//! Every feature but `full-api` and `platform-roots` is on by default, so `tc-redis = "..."`
//! has every credential source and network setting; a program that needs less says
//! `default-features = false` and turns on what it uses. The core (client, signer, transport,
//! errors, reply reading and correction, endpoints, retries, rate limits, cancellation, the
//! actions of `api-spec/`, static and environment credentials) is always there.
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `credentials-profile` | on | the credentials file and tccli profiles; `ClientBuilder::profile` |
//! | `credentials-sts` | on | `AssumeRoleProvider`, `WebIdentityProvider` (TKE), the `sts` module |
//! | `credentials-cvm` | on | the CVM instance's CAM role (metadata service) |
//! | `proxy` | on | `ClientBuilder::proxy` and the proxy variables; without it a set proxy variable is refused |
//! | `ca-bundle` | on | `ClientBuilder::ca_bundle`, `add_ca_certificates_pem` |
//! | `task-wait` | on | `Client::wait_for_task` |
//! | `full-api` | off | every action of Tencent's Redis 2018-04-12 spec, not only `api-spec/`'s |
//! | `platform-roots` | off | `TlsRoots::Platform`, the operating system's verifier |
//!
//! ## When Tencent's replies differ from the spec
//!
//! Replies are read with Smithy 2.0's "client error correction"
//! (<https://smithy.io/2.0/spec/aggregate-types.html#client-error-correction>): a member the
//! spec says is always returned but that is missing or `null` reads as its zero value, an
//! integer sent as a string of digits reads as the integer, and each response's
//! `corrections()` lists what was corrected. Identifiers (`TaskId`, `DealId`, `InstanceId`, ...)
//! and members the spec documents as deprecated are `Option`s instead: `None`, never an
//! invented `0` or `""`.
#![warn(missing_docs, missing_debug_implementations, unreachable_pub)]

mod action;
mod cancel;
pub mod client;
pub mod clock;
pub mod correct;
pub mod credentials;
mod endpoint;
pub mod env;
pub mod error;
mod escape;
pub mod events;
pub mod input;
pub mod network;
mod pipeline;
#[cfg(feature = "proxy")]
mod proxy;
pub mod rate_limit;
mod redact;
pub mod response;
pub mod retry;
pub mod sign;
#[cfg(feature = "task-wait")]
pub mod task;
pub mod tls;
pub mod transport;

pub use action::{Action, ErrorCode, InvalidParameter};
pub use cancel::Cancel;
pub use client::{Client, ClientBuilder, Language};
pub use correct::{Correction, CorrectionKind, Corrections};
pub use credentials::Credentials;
pub use endpoint::{DEFAULT_ROOT_DOMAIN, INTL_ROOT_DOMAIN};
pub use error::{ApiError, ConfigError, Error, Outcome, TransportError, TransportErrorKind};
pub use escape::{Escaped, escaped, is_hostile};
pub use generated::*;
pub use rate_limit::RateLimit;
pub use retry::RetryPolicy;
#[cfg(feature = "task-wait")]
pub use task::{TaskStatus, WaitError};
pub use tls::TlsRoots;

/// The types generated from `api-spec/` by `tc-redis-codegen` (see `build.rs`).
mod generated {
    include!(concat!(env!("OUT_DIR"), "/api.rs"));
}

/// Tencent Cloud STS (service `sts`, version `2018-08-13`): the `AssumeRole` and
/// `AssumeRoleWithWebIdentity` types, generated from `api-spec/sts/` by the same generator.
///
/// They live here rather than at the crate root, so that the Redis API's types and methods stay
/// what the crate root shows. The credential providers
/// [`AssumeRoleProvider`](crate::credentials::AssumeRoleProvider) and
/// [`WebIdentityProvider`](crate::credentials::WebIdentityProvider) use them; to call STS
/// yourself, send a request with [`Client::call`]: each action carries its own service, version
/// and endpoint (`sts.tencentcloudapi.com`).
///
/// ```no_run
/// use tc_redis::sts::AssumeRoleRequest;
/// use tc_redis::Client;
///
/// let client = Client::builder().region("ap-guangzhou").build()?;
/// let reply = client.call(
///     &AssumeRoleRequest::new("qcs::cam::uin/100000000001:roleName/deployer", "deploy-42")
///         .with_duration_seconds(900u64),
/// )?;
/// let id = reply.credentials.tmp_secret_id.as_deref().unwrap_or("(none)");
/// println!("temporary SecretId {id} until {}", reply.expired_time);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[cfg(feature = "credentials-sts")]
pub mod sts {
    include!(concat!(env!("OUT_DIR"), "/sts.rs"));
}
