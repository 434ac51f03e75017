//! tc-redis: a small, exact, blocking client for the Tencent Cloud Redis API.
#![warn(missing_docs, missing_debug_implementations, unreachable_pub)]

pub mod credentials;
pub mod sign;
