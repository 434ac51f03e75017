//! What the workspace's tests share, written once: a temporary directory ([`TempDir`]), the
//! seeded generator and the fuzzers' harness ([`Rng`], [`Fuzz`], [`catch`]), golden files
//! ([`assert_golden`], rewritten by `TC_REDIS_BLESS=1`), and a test HTTP server on real sockets
//! ([`TestServer`]: canned or computed answers, recorded requests, closes, resets and `CONNECT`
//! tunnels on demand).
//!
//! It does not depend on tc-redis, so that tc-redis's own unit tests and the generator's tests
//! can use it as a dev-dependency without a second copy of tc-redis's types. Not published.
//!
//! ```
//! use tc_redis_test_support::{Response, TestServer, TempDir, closed_port};
//!
//! let gateway = TestServer::always(Response::new(502).with_body("<html>bad gateway</html>"));
//! assert!(gateway.url().starts_with("http://127.0.0.1:"));
//! let refused = format!("http://127.0.0.1:{}", closed_port());
//! let home = TempDir::new("home");
//! home.write(".tccli/default.credential", r#"{"secretId":"AKIDexample"}"#);
//! # let _ = refused;
//! ```
#![warn(missing_docs, missing_debug_implementations, unreachable_pub)]

pub mod fuzz;
pub mod golden;
pub mod http;
mod rng;
mod server;
mod temp;

pub use fuzz::{Fuzz, catch};
pub use golden::assert_golden;
pub use http::{Request, Response};
pub use rng::Rng;
pub use server::{Reply, TestServer, closed_port};
pub use temp::TempDir;
