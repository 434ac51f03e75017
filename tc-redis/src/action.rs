//! The hook between generated code and the runtime: what the client needs to know about an
//! action, all of it taken from the spec by the generator.

use serde::Serialize;
use serde::de::DeserializeOwned;
use std::fmt;

/// An API action, implemented by its generated `<Action>Request` type.
///
/// [`Client::call`](crate::Client::call) sends any `Action`; the generated per-action methods
/// (such as [`Client::clean_up_instance`](crate::Client::clean_up_instance)) are thin wrappers
/// around it. Nothing in the runtime knows an action by name.
pub trait Action: Serialize {
    /// The `X-TC-Action` value.
    const NAME: &'static str;
    /// The service (its spec's `metadata.serviceShortName`): the credential scope's service and
    /// the endpoint's host prefix (`<service>.tencentcloudapi.com`).
    const SERVICE: &'static str;
    /// The API version (its spec's `metadata.apiVersion`), sent as `X-TC-Version`.
    const VERSION: &'static str;
    /// The API accepts the action unsigned (its spec's `skip_sign`): the client sends
    /// `Authorization: SKIP` and asks no credentials provider, as the official SDKs do.
    const SKIP_SIGN: bool;
    /// Whether sending the request twice is harmless. When `false`, the client never sends it
    /// again once it may have reached the server.
    const IDEMPOTENT: bool;
    /// The server's default rate limit for this action, which the client-side limiter follows.
    const RATE_LIMIT_PER_SECOND: Option<u32>;
    /// The successful reply.
    type Response: DeserializeOwned;
    /// The error codes the action can return.
    type ErrorCode: ErrorCode;

    /// Refuses what the server would certainly refuse (an empty required string), so that the
    /// client reports it before sending anything. Generated from the spec.
    fn check(&self) -> Result<(), InvalidParameter> {
        Ok(())
    }
}

/// A request parameter that cannot be valid; see [`Error::InvalidRequest`](crate::Error::InvalidRequest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidParameter {
    /// The parameter's wire name, e.g. `InstanceId`.
    pub parameter: &'static str,
    /// What is wrong with it.
    pub problem: &'static str,
}

impl fmt::Display for InvalidParameter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "request parameter `{}` {}", self.parameter, self.problem)
    }
}

/// A generated `<Action>ErrorCode` enum.
pub trait ErrorCode: fmt::Debug + fmt::Display + Clone + Send + Sync + 'static {
    /// Maps a code string to its variant (unknown codes are kept verbatim).
    fn from_code(code: &str) -> Self;
    /// The code as the server sends it.
    fn as_str(&self) -> &str;
    /// The spec's description of the code, if it documents it.
    fn description(&self) -> Option<&'static str>;
}
