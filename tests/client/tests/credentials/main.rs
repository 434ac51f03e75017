//! Credential sources against the fake: which identity signed, and the STS providers (AssumeRole,
//! web identity) with the default chain.

mod sources;
mod sts;
