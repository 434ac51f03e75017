//! Credential sources against the fake: which identity signed, and the STS providers (AssumeRole,
//! web identity) with the default chain, and the STS exchange on the client's network.

mod sources;
mod sts;
mod sts_network;
