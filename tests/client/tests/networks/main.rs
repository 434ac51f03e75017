//! How the client reaches a host and what a failure on the way says: endpoints and root domains,
//! an explicit proxy, and failures produced the way the world produces them (DNS, TLS, resets).
//!
//! The tests that change the process environment (`networks_proxy`), install the process-wide
//! logger (`networks_events`) or set `SSL_CERT_FILE` (`networks_tls`, feature `platform-roots`)
//! are binaries of their own, so that no test here runs beside them.

mod endpoint;
mod explicit_proxy;
mod failures;
