//! Errors: what went wrong, the request id when the server gave one, and what to do next.
//!
//! Nothing here ever holds a secret: messages are built from codes, statuses, server messages
//! and excerpts of response bodies, never from credentials or signatures.

use crate::action::{ErrorCode, InvalidParameter};
use crate::credentials::error::CredentialsError;
use crate::credentials::source::CredentialSource;
use crate::escape::Escaped;
use std::fmt;

/// The error of a call to action `A`, whose error codes are `C` (`<Action>ErrorCode`).
#[derive(Debug)]
#[non_exhaustive]
pub enum Error<C> {
    /// The API processed the request and answered with `Response.Error`.
    ///
    /// Match on [`ApiError::code`]; the message is for humans and changes with the language
    /// setting and over time.
    Api(ApiError<C>),
    /// The server answered with an HTTP status other than 200 (Tencent answers every business
    /// and authentication error with 200, so this is a gateway or proxy failure).
    Http {
        /// The status code.
        status: u16,
        /// The first characters of the body, lossily decoded, as sent (`Display` escapes them;
        /// print them through [`escaped`](crate::escaped)), for diagnosis.
        body_excerpt: String,
        /// The request id, when the body was an envelope that carried one.
        request_id: Option<String>,
    },
    /// A 200 reply that is not what the protocol promises: truncated, not UTF-8, not JSON, no
    /// `Response`, a field of the wrong type, no `RequestId`, ...
    ///
    /// The server answered 200, so the action ran (or may have): only its reply is unreadable.
    /// Check its effect before sending the request again.
    MalformedResponse {
        /// The HTTP status (200).
        status: u16,
        /// What was wrong with it.
        problem: String,
        /// The request id, when it could be found (it is looked for even in a body that is
        /// truncated or not UTF-8).
        request_id: Option<String>,
        /// The first characters of the body, lossily decoded, as sent (`Display` escapes them).
        body_excerpt: String,
    },
    /// The request could not be sent, or its reply could not be read.
    Transport(TransportError),
    /// The client's configuration cannot make this call; nothing was sent.
    Config(ConfigError),
    /// A request parameter cannot be valid (an empty required string); nothing was sent.
    InvalidRequest(InvalidParameter),
    /// No usable credentials; nothing was sent.
    Credentials(CredentialsError),
    /// The client's [`Cancel`](crate::Cancel) handle fired before the call ended: no attempt
    /// was started after it. `previous` is the error of the last attempt before it, when there
    /// was one (cancelled during the retry wait): it says whether the action may have run.
    Cancelled {
        /// The last attempt's error; `None` when no attempt was sent.
        previous: Option<Box<Error<C>>>,
    },
}

/// An error the API returned in `Response.Error`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError<C> {
    /// The typed error code (unknown codes are kept as `Other(String)`).
    pub code: C,
    /// The server's message.
    pub message: String,
    /// The request id: quote it when asking Tencent support.
    pub request_id: String,
    /// For `AuthFailure.*` errors, where the credentials that signed the request came from
    /// (which identity signed); `None` for other errors. Never a secret. Boxed to keep
    /// [`Error`] small.
    pub credential_source: Option<Box<CredentialSource>>,
}

/// A failure below HTTP: connecting, TLS, a timeout, a reset, an oversized body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransportError {
    /// What kind of failure.
    pub kind: TransportErrorKind,
    /// Details from the HTTP stack.
    pub message: String,
    /// Whether the request may have reached the server (and so may have been executed):
    /// `true` from the moment the first byte of the request was handed to the connection.
    /// The transport records this as it happens (it is never guessed from an error message);
    /// `false` means no byte of the request left the process (DNS, connecting, a proxy's
    /// `CONNECT`, the TLS handshake, or a request refused before writing).
    pub may_have_been_sent: bool,
}

/// The kinds of [`TransportError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// The host name did not resolve.
    Dns,
    /// The TCP connection was refused or could not be made.
    Connect,
    /// The TLS handshake or a certificate check failed.
    Tls,
    /// A configured timeout elapsed (connect, or the whole call).
    Timeout,
    /// The connection failed while sending or receiving (reset, closed early).
    Io,
    /// The response body is larger than the client's limit; it was not read further.
    ResponseTooLarge,
    /// A proxy could not be used: unreachable, or it refused the tunnel (`CONNECT`).
    Proxy,
    /// The HTTP stack refused to send the request (a header too long or not valid in HTTP);
    /// nothing was sent.
    InvalidRequest,
}

impl TransportErrorKind {
    /// Whether sending the same request again may get through: a network hiccup (DNS,
    /// connecting, a timeout, a lost connection), as opposed to a failure that would repeat
    /// (a certificate, a proxy, an oversized reply, a request the HTTP stack refuses).
    pub fn is_transient(self) -> bool {
        match self {
            TransportErrorKind::Dns
            | TransportErrorKind::Connect
            | TransportErrorKind::Timeout
            | TransportErrorKind::Io => true,
            TransportErrorKind::Tls
            | TransportErrorKind::ResponseTooLarge
            | TransportErrorKind::Proxy
            | TransportErrorKind::InvalidRequest => false,
        }
    }
}

/// A setting that cannot work, found before any request is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigError {
    /// The action needs a region and none was set.
    MissingRegion,
    /// The region is empty, has blanks, or characters a region name never has.
    InvalidRegion(String),
    /// The endpoint override is not `https://host[:port]` (or `http://` with plain HTTP allowed).
    InvalidEndpoint {
        /// The endpoint as given, any `user:password@` replaced by `<redacted>@`.
        endpoint: String,
        /// Why it was refused.
        reason: String,
    },
    /// The language is not `zh-CN` or `en-US`.
    InvalidLanguage(String),
    /// A duration, limit or count is out of range.
    InvalidSetting {
        /// The setting's name.
        setting: &'static str,
        /// Why it was refused.
        reason: String,
    },
    /// The request could not be serialised to JSON.
    Serialize(String),
    /// No region was set and the profile's tccli configuration, where it would be taken from,
    /// could not be read. The reason names the file.
    ProfileRegion {
        /// The profile.
        profile: String,
        /// Why the region could not be read (names the file).
        reason: String,
    },
}

/// What a failed call did, as far as the client can know: the one question to answer before
/// sending an action that cannot be undone again. See [`Error::outcome`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// No byte of the request left the process (bad input or configuration, no credentials, a
    /// failed DNS lookup, connection, proxy CONNECT or TLS handshake, a request head the HTTP
    /// stack refuses): the action did not run.
    NotSent,
    /// The API received the request and refused it with an error code: the action did not run.
    Refused,
    /// The request may have reached the server and the action may have run (a connection lost
    /// after the request was written, a timeout waiting for the reply, a gateway error, a reply
    /// that could not be read): check its effect before sending it again.
    MayHaveRun,
}

impl Outcome {
    /// `true` for [`Outcome::MayHaveRun`].
    pub fn may_have_run(self) -> bool {
        self == Outcome::MayHaveRun
    }
}

impl<C: ErrorCode> Error<C> {
    /// Whether the action may have run. Every retry decision of the client consults this.
    pub fn outcome(&self) -> Outcome {
        match self {
            // `InternalError` is the server failing while it handled the request: it cannot say
            // whether the action ran.
            Error::Api(e) if e.code.as_str().starts_with("InternalError") => Outcome::MayHaveRun,
            Error::Api(_) => Outcome::Refused,
            Error::Http { .. } | Error::MalformedResponse { .. } => Outcome::MayHaveRun,
            Error::Transport(t) if t.may_have_been_sent => Outcome::MayHaveRun,
            Error::Transport(_)
            | Error::Config(_)
            | Error::InvalidRequest(_)
            | Error::Credentials(_) => Outcome::NotSent,
            Error::Cancelled { previous } => {
                previous.as_ref().map_or(Outcome::NotSent, |e| e.outcome())
            }
        }
    }

    /// Shorthand for `self.outcome().may_have_run()`.
    pub fn may_have_been_executed(&self) -> bool {
        self.outcome().may_have_run()
    }
}

impl<C> Error<C> {
    /// The request id, when the server sent one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Cancelled {
                previous: Some(previous),
            } => previous.request_id(),
            Error::Api(e) => Some(&e.request_id),
            Error::Http { request_id, .. } | Error::MalformedResponse { request_id, .. } => {
                request_id.as_deref()
            }
            _ => None,
        }
    }

    /// For an `AuthFailure.*` API error, where the credentials that signed came from.
    pub fn credential_source(&self) -> Option<&CredentialSource> {
        match self {
            Error::Api(e) => e.credential_source.as_deref(),
            _ => None,
        }
    }

    /// The API error code, for [`Error::Api`].
    pub fn code(&self) -> Option<&C> {
        match self {
            Error::Api(e) => Some(&e.code),
            _ => None,
        }
    }
}

impl<C: ErrorCode> fmt::Display for Error<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Api(e) => fmt::Display::fmt(e, f),
            Error::Http {
                status,
                body_excerpt,
                request_id,
            } => {
                write!(f, "HTTP status {status} from the API endpoint")?;
                if let Some(id) = request_id {
                    write!(f, " (request id {})", Escaped(id))?;
                }
                write!(
                    f,
                    ": \"{}\". A gateway or proxy failed; check the endpoint and proxy settings. The request may have been executed: check its effect before sending it again",
                    Escaped(body_excerpt)
                )
            }
            Error::MalformedResponse {
                status,
                problem,
                request_id,
                body_excerpt,
            } => {
                write!(
                    f,
                    "the API answered HTTP {status} but its reply cannot be read: {}",
                    Escaped(problem)
                )?;
                match request_id {
                    Some(id) => write!(f, " (request id {})", Escaped(id))?,
                    None => f.write_str(" (no request id found)")?,
                }
                write!(
                    f,
                    "; the reply starts \"{}\". The action may have run: check its effect before sending it again, and check that the endpoint is a Tencent Cloud API endpoint",
                    Escaped(body_excerpt)
                )
            }
            Error::Transport(e) => fmt::Display::fmt(e, f),
            Error::Config(e) => write!(f, "invalid configuration: {e}"),
            Error::InvalidRequest(e) => write!(f, "invalid request: {e}; nothing was sent"),
            Error::Credentials(e) => write!(f, "credentials: {e}"),
            Error::Cancelled { previous: None } => {
                f.write_str("cancelled before the request was sent: the action did not run")
            }
            Error::Cancelled {
                previous: Some(previous),
            } => write!(
                f,
                "cancelled during the wait before another attempt; no attempt was sent after the cancel. The last attempt: {previous}"
            ),
        }
    }
}

impl<C: ErrorCode> std::error::Error for Error<C> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Config(e) => Some(e),
            Error::Credentials(e) => Some(e),
            Error::Transport(e) => Some(e),
            _ => None,
        }
    }
}

impl<C: ErrorCode> fmt::Display for ApiError<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} (request id {})",
            Escaped(self.code.as_str()),
            Escaped(&self.message),
            Escaped(&self.request_id)
        )?;
        if let Some(source) = &self.credential_source {
            write!(f, "; signed with credentials from {source}")?;
        }
        if let Some(hint) = hint(self.code.as_str()) {
            write!(f, ". {hint}")?;
        }
        Ok(())
    }
}

/// What to do next, by the common code families of API 3.0.
fn hint(code: &str) -> Option<&'static str> {
    let family = code.split('.').next().unwrap_or(code);
    Some(match code {
        "AuthFailure.SignatureFailure" => "The SecretKey does not match the SecretId: check it",
        "AuthFailure.SecretIdNotFound" | "AuthFailure.InvalidSecretId" => {
            "The SecretId is unknown or disabled: check it in the CAM console"
        }
        "AuthFailure.SignatureExpire" => {
            "The request timestamp is more than 5 minutes off: check the system clock"
        }
        "AuthFailure.TokenFailure" => {
            "The session token is missing, wrong or expired: refresh the temporary credentials"
        }
        "AuthFailure.UnauthorizedOperation" | "UnauthorizedOperation" => {
            "The key may not call this action: grant it the CAM permission"
        }
        "InvalidParameter.PermissionDenied" => {
            "The key may not call this action: grant it the CAM permission"
        }
        "UnsupportedRegion" => "The action is not offered in this region: check the region",
        _ => match family {
            "RequestLimitExceeded" => {
                "Too many requests: slow down (the client retries these unless retries are off)"
            }
            "InvalidParameter"
            | "InvalidParameterValue"
            | "MissingParameter"
            | "UnknownParameter" => "Check the request parameters",
            "ResourceNotFound" => "Check the instance id and the region",
            "ResourceUnavailable" => "The resource is not in a state that allows this action",
            "InternalError" | "FailedOperation" | "ServiceUnavailable" => {
                "A server-side failure: retry later, and quote the request id to Tencent support if it persists"
            }
            _ => return None,
        },
    })
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            TransportErrorKind::Dns => {
                "could not resolve the endpoint's host name; check the endpoint and DNS"
            }
            TransportErrorKind::Connect => {
                "could not connect to the endpoint; check the endpoint, proxy and network"
            }
            TransportErrorKind::Tls => {
                "the TLS handshake with the endpoint failed; check the endpoint's certificate, the trusted roots, the system clock (certificates are checked against it), and whether a proxy or firewall inspects TLS"
            }
            TransportErrorKind::Timeout => "timed out; raise the timeout or check the network",
            TransportErrorKind::Io => "the connection failed mid-request",
            TransportErrorKind::ResponseTooLarge => {
                "the response body exceeds the client's size limit and was not read"
            }
            TransportErrorKind::Proxy => "the proxy could not be used; check the proxy setting",
            TransportErrorKind::InvalidRequest => {
                "the HTTP stack refused to send the request (a header too long or not valid)"
            }
        };
        write!(f, "{what} ({})", Escaped(&self.message))?;
        f.write_str(if self.may_have_been_sent {
            "; the request may have been executed: check its effect before sending it again"
        } else {
            "; nothing was sent"
        })
    }
}

impl std::error::Error for TransportError {}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::MissingRegion => f.write_str(
                "no region set: set one with ClientBuilder::region (e.g. \"ap-guangzhou\")",
            ),
            ConfigError::InvalidRegion(r) => write!(
                f,
                "region {r:?} is not a region name (lower-case letters, digits and '-', e.g. \"ap-guangzhou\")"
            ),
            ConfigError::InvalidEndpoint { endpoint, reason } => {
                write!(f, "endpoint {endpoint:?}: {reason}")
            }
            ConfigError::InvalidLanguage(l) => {
                write!(
                    f,
                    "language {l:?} is not supported: use \"zh-CN\" or \"en-US\""
                )
            }
            ConfigError::InvalidSetting { setting, reason } => write!(f, "{setting}: {reason}"),
            ConfigError::Serialize(e) => write!(f, "the request cannot be serialised: {e}"),
            ConfigError::ProfileRegion { profile, reason } => write!(
                f,
                "no region set, and the region of profile `{profile}` cannot be read ({reason}); \
                 set one with ClientBuilder::region"
            ),
        }
    }
}

impl std::error::Error for ConfigError {}
