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

/// A generated `<Action>ErrorCode` enum: the action's own codes, the common codes of the API
/// (its `Common` variant, holding a [`CommonErrorCode`](crate::CommonErrorCode)) and any other
/// code verbatim (its `Other` variant).
pub trait ErrorCode: fmt::Debug + fmt::Display + Clone + Send + Sync + 'static {
    /// Maps a code string to its variant (unknown codes are kept verbatim).
    fn from_code(code: &str) -> Self;
    /// The code as the server sends it.
    fn as_str(&self) -> &str;
    /// The spec's description of the code, if it documents it.
    fn description(&self) -> Option<&'static str>;
    /// The common code, when the code is one of the API's common codes.
    fn common(&self) -> Option<crate::CommonErrorCode>;
}

/// The mechanics of a generated `<Action>ErrorCode`, written once here: the generated code holds
/// the data (the enum, documented from the spec, and its `CODES` table of variant, code and
/// description) and invokes this for the rest: `as_str`, `description`, `common`, `FromStr`,
/// `Display`, `From<CommonErrorCode>`, `PartialEq<CommonErrorCode>` and [`ErrorCode`]. The enum
/// must have the variants `Common(CommonErrorCode)` and `Other(String)`.
#[doc(hidden)]
#[macro_export]
macro_rules! __error_code {
    ($name:ident) => {
        impl $name {
            /// The code as the server sends it.
            pub fn as_str(&self) -> &str {
                // An action without codes of its own has no variant for the last arm.
                #[allow(unreachable_patterns)]
                match self {
                    Self::Common(code) => code.as_str(),
                    Self::Other(code) => code,
                    own => Self::CODES
                        .iter()
                        .find(|(variant, _, _)| variant == own)
                        .map_or("", |(_, code, _)| *code),
                }
            }

            /// The spec's description of the code, `None` for [`Self::Other`].
            pub fn description(&self) -> ::std::option::Option<&'static str> {
                #[allow(unreachable_patterns)]
                match self {
                    Self::Common(code) => ::std::option::Option::Some(code.description()),
                    Self::Other(_) => ::std::option::Option::None,
                    own => Self::CODES
                        .iter()
                        .find(|(variant, _, _)| variant == own)
                        .map(|(_, _, description)| *description),
                }
            }

            /// The common code, for [`Self::Common`].
            pub fn common(&self) -> ::std::option::Option<$crate::CommonErrorCode> {
                match self {
                    Self::Common(code) => ::std::option::Option::Some(*code),
                    _ => ::std::option::Option::None,
                }
            }
        }

        /// The action's own codes first, then the common codes; anything else is `Other`.
        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;

            fn from_str(code: &str) -> ::std::result::Result<Self, Self::Err> {
                if let ::std::option::Option::Some((variant, _, _)) =
                    Self::CODES.iter().find(|(_, own, _)| *own == code)
                {
                    return ::std::result::Result::Ok(variant.clone());
                }
                ::std::result::Result::Ok(match $crate::CommonErrorCode::from_code(code) {
                    ::std::option::Option::Some(common) => Self::Common(common),
                    ::std::option::Option::None => Self::Other(code.to_owned()),
                })
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::convert::From<$crate::CommonErrorCode> for $name {
            fn from(code: $crate::CommonErrorCode) -> Self {
                Self::Common(code)
            }
        }

        /// `e.code == CommonErrorCode::RequestLimitExceeded`, for every action.
        impl ::std::cmp::PartialEq<$crate::CommonErrorCode> for $name {
            fn eq(&self, other: &$crate::CommonErrorCode) -> bool {
                self.common() == ::std::option::Option::Some(*other)
            }
        }

        impl $crate::ErrorCode for $name {
            fn from_code(code: &str) -> Self {
                match code.parse() {
                    ::std::result::Result::Ok(parsed) => parsed,
                    ::std::result::Result::Err(never) => match never {},
                }
            }

            fn as_str(&self) -> &str {
                $name::as_str(self)
            }

            fn description(&self) -> ::std::option::Option<&'static str> {
                $name::description(self)
            }

            fn common(&self) -> ::std::option::Option<$crate::CommonErrorCode> {
                $name::common(self)
            }
        }
    };
}
