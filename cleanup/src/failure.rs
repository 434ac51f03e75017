//! Failures as an operator reads them: what happened, whether it may have run, and which option
//! or variable fixes it, in short lines, with every server-provided string escaped. And the same
//! failure as a JSON object for scripts.

use crate::exit::Status;
use serde_json::{Value, json};
use tc_redis::credentials::{CredentialsError, CredentialsErrorKind};
use tc_redis::escaped;
use tc_redis::{ConfigError, Error, ErrorCode, Outcome, TransportErrorKind};

/// A failure to report: its exit status, what the client knows of its effect, and its text.
#[derive(Debug, Clone)]
pub(crate) struct Failure {
    pub(crate) status: Status,
    pub(crate) outcome: Outcome,
    /// The API's error code, or a `ClientError.*` code of this tool.
    pub(crate) code: String,
    /// The server's message, or this tool's one-line description (raw; escape to print).
    pub(crate) message: String,
    /// The request id, when the server sent one (raw; escape to print).
    pub(crate) request_id: Option<String>,
    /// The operator's text: short lines, escaped, the first says what happened.
    pub(crate) lines: Vec<String>,
    /// The failed request only reads (DescribeInstances, DescribeTaskInfo): whatever its
    /// outcome, no cleanup was sent by it.
    pub(crate) read_only: bool,
}

impl Failure {
    /// A failure of this tool before anything was sent.
    pub(crate) fn local(status: Status, code: &str, lines: Vec<String>) -> Failure {
        Failure {
            status,
            outcome: Outcome::NotSent,
            code: code.to_owned(),
            message: lines.join(" "),
            request_id: None,
            lines,
            read_only: false,
        }
    }

    /// The failure of a read-only request (a look-up, a poll): status 10, never "may have run",
    /// and the outcome line says that nothing destructive was sent.
    pub(crate) fn read_only(mut self) -> Failure {
        if !matches!(self.status, Status::Usage | Status::Credentials) {
            self.status = Status::CheckFailed;
        }
        if let Some(last) = self.lines.last_mut()
            && *last == outcome_sentence(self.outcome)
        {
            *last = "Nothing destructive was sent: the failed request only reads.".to_owned();
        }
        self.read_only = true;
        self
    }

    /// Bad usage or input: status 2, nothing sent.
    pub(crate) fn usage(lines: Vec<String>) -> Failure {
        Failure::local(Status::Usage, "ClientError.Usage", lines)
    }

    /// The JSON members every failure object carries: `Error`, `MayHaveBeenExecuted` and
    /// `RequestId` (a string or null, always present).
    pub(crate) fn json_members(&self) -> serde_json::Map<String, Value> {
        let value = json!({
            "Error": { "Code": self.code, "Message": self.message },
            "MayHaveBeenExecuted": self.outcome.may_have_run() && !self.read_only,
            "RequestId": self.request_id,
        });
        match value {
            Value::Object(map) => map,
            _ => serde_json::Map::new(),
        }
    }
}

/// The sentence each outcome gets.
pub(crate) fn outcome_sentence(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::NotSent => "Nothing was sent.",
        Outcome::Refused => "The API refused it: nothing ran.",
        Outcome::MayHaveRun => {
            "It may have run: check the instance (--dry-run) before trying again."
        }
    }
}

/// What the failure of a call means for the operator. `timeout_secs` is the per-request
/// timeout in force, for the hint.
pub(crate) fn from_error<C: ErrorCode>(e: &Error<C>, timeout_secs: u64) -> Failure {
    let outcome = e.outcome();
    let request_id = e.request_id().map(str::to_owned);
    let (status, code, message, mut lines) = match e {
        Error::Api(api) => {
            let code = api.code.as_str().to_owned();
            let mut lines = vec![format!("{}: {}", escaped(&code), escaped(&api.message))];
            // An authentication failure names the identity that signed, as the library knows it
            // (a tccli profile, a credentials file, an assumed role, ...).
            match api.credential_source.as_deref() {
                Some(source) => {
                    lines.push(format!("Signed with: {source}."));
                    // The hint's fix names the environment and the credentials file; the source
                    // above is where to look instead.
                    lines.extend(api_hint(&code).map(|hint| match hint.split_once(": ") {
                        Some((what, _)) if code.starts_with("AuthFailure") => {
                            format!("{what}: check the credentials of that source.")
                        }
                        _ => hint.to_owned(),
                    }));
                }
                None => lines.extend(api_hint(&code).map(str::to_owned)),
            }
            (status_of(outcome), code, api.message.clone(), lines)
        }
        Error::Http {
            status,
            body_excerpt,
            ..
        } => {
            // Through a CONNECT proxy the status comes from beyond it, so this is a gateway's.
            let message = format!("HTTP status {status} from the endpoint: \"{body_excerpt}\"");
            let lines = vec![
                format!(
                    "HTTP status {status} from the endpoint: \"{}\"",
                    escaped(body_excerpt)
                ),
                "A gateway in front of the API failed: check --endpoint, or try again later."
                    .to_owned(),
            ];
            let code = format!("ClientError.HttpStatus{status}");
            (status_of(outcome), code, message, lines)
        }
        Error::MalformedResponse { problem, .. } => {
            let lines = vec![
                format!("The reply could not be read: {}", escaped(problem)),
                "Check that --endpoint is a Tencent Cloud API endpoint.".to_owned(),
            ];
            let code = "ClientError.MalformedResponse".to_owned();
            (status_of(outcome), code, problem.clone(), lines)
        }
        Error::Transport(t) => {
            let (what, fix) = match t.kind {
                TransportErrorKind::Dns => (
                    "could not resolve the endpoint's host name",
                    "Check --endpoint (or --region, --root-domain) and DNS.".to_owned(),
                ),
                // Through a proxy, these are the proxy's failures (kind Proxy, below): here the
                // connection was direct, and no proxy is to blame.
                TransportErrorKind::Connect => (
                    "could not connect to the endpoint",
                    "Check --endpoint (or --region, --root-domain) and the network.".to_owned(),
                ),
                TransportErrorKind::Tls => (
                    "TLS failed",
                    "Check --endpoint and the clock; trust another CA with --ca-bundle PATH or SSL_CERT_FILE."
                        .to_owned(),
                ),
                TransportErrorKind::Timeout => (
                    "timed out",
                    format!(
                        "Raise --timeout (now {timeout_secs} s) or check the network."
                    ),
                ),
                // The message names the proxy and the variable that chose it.
                TransportErrorKind::Proxy => (
                    "the proxy failed",
                    "Fix the proxy variable named above, exempt the host in NO_PROXY, or unset it to connect directly."
                        .to_owned(),
                ),
                TransportErrorKind::ResponseTooLarge => (
                    "the reply was larger than the client accepts and was not read",
                    "Check that --endpoint is a Tencent Cloud API endpoint.".to_owned(),
                ),
                _ => (
                    "the connection failed mid-request",
                    "Check the network, and the endpoint's health.".to_owned(),
                ),
            };
            let lines = vec![
                format!("{what} ({})", escaped(without_library_advice(&t.message))),
                fix,
            ];
            let status = match outcome {
                Outcome::NotSent => Status::NotSent,
                other => status_of(other),
            };
            let code = format!("ClientError.{:?}", t.kind);
            (status, code, format!("{what}: {}", t.message), lines)
        }
        Error::Config(c) => {
            let lines = config_lines(c);
            let code = "ClientError.Config".to_owned();
            (Status::NotSent, code, lines.join(" "), lines)
        }
        Error::InvalidRequest(p) => {
            let lines = vec![format!("invalid input: {}", escaped(&p.to_string()))];
            let code = "ClientError.InvalidRequest".to_owned();
            (Status::Usage, code, lines.join(" "), lines)
        }
        Error::Credentials(c) => {
            let lines = credentials_lines(c, None);
            let code = "ClientError.Credentials".to_owned();
            (Status::Credentials, code, lines.join(" "), lines)
        }
        _ => {
            let lines = vec![escaped(&e.to_string()).into_owned()];
            (
                status_of(outcome),
                "ClientError.Other".to_owned(),
                e.to_string(),
                lines,
            )
        }
    };
    if let Some(id) = &request_id {
        lines.push(format!("RequestId: {}", escaped(id)));
    }
    lines.push(outcome_sentence(outcome).to_owned());
    Failure {
        status,
        outcome,
        code,
        message,
        request_id,
        lines,
        read_only: false,
    }
}

/// A transport message without the library's advice to its programmers (a certificate error
/// ends with how to call `ClientBuilder::ca_bundle`): the fix line says it in options.
fn without_library_advice(message: &str) -> &str {
    match message.find(" To trust another CA") {
        Some(end) => message[..end].trim_end_matches('.'),
        None => message,
    }
}

/// The exit status of an outcome, when nothing more specific applies.
fn status_of(outcome: Outcome) -> Status {
    match outcome {
        Outcome::NotSent => Status::NotSent,
        Outcome::Refused => Status::Refused,
        Outcome::MayHaveRun => Status::MayHaveRun,
    }
}

/// What to do about an API error code, in operator terms.
fn api_hint(code: &str) -> Option<&'static str> {
    let family = code.split('.').next().unwrap_or(code);
    Some(match code {
        "ResourceUnavailable.InstanceStatusAbnormal" => {
            "The instance is not in the recycle bin (isolated): see its status with --dry-run."
        }
        "ResourceNotFound.InstanceNotExists" => {
            "No such instance in this region: check the id and --region (or TENCENTCLOUD_REGION)."
        }
        "AuthFailure.SignatureExpire" => "The system clock is more than 5 minutes off: fix it.",
        "AuthFailure.SecretIdNotFound" | "AuthFailure.InvalidSecretId" => {
            "The SecretId is unknown or disabled: check TENCENTCLOUD_SECRET_ID or ~/.tencentcloud/credentials."
        }
        "AuthFailure.SignatureFailure" => {
            "The SecretKey does not match the SecretId: check TENCENTCLOUD_SECRET_KEY or ~/.tencentcloud/credentials."
        }
        "AuthFailure.TokenFailure" => {
            "The session token is wrong or expired: refresh TENCENTCLOUD_SESSION_TOKEN."
        }
        "AuthFailure.UnauthorizedOperation"
        | "InvalidParameter.PermissionDenied"
        | "UnauthorizedOperation.NoCAMAuthed" => {
            "The key may not call this action: grant it the CAM permission."
        }
        "UnsupportedRegion" => "Check --region (or TENCENTCLOUD_REGION).",
        _ => match family {
            "RequestLimitExceeded" => "Too many requests (after retries): try again in a minute.",
            "UnauthorizedOperation" => {
                "The key may not call this action: grant it the CAM permission."
            }
            "InternalError" | "FailedOperation" => {
                "A server-side failure: try again later; quote the RequestId to Tencent support if it persists."
            }
            _ => return None,
        },
    })
}

/// A setting the client refused, named by the option or variable that sets it.
pub(crate) fn config_lines(e: &ConfigError) -> Vec<String> {
    match e {
        ConfigError::MissingRegion => vec![
            "No region: pass --region (e.g. ap-guangzhou) or set TENCENTCLOUD_REGION,".to_owned(),
            "or give --profile a tccli profile that has one (tccli configure set region)."
                .to_owned(),
        ],
        ConfigError::ProfileRegion { profile, reason } => {
            let mut lines = vec![format!(
                "No region, and the region of tccli profile {:?} cannot be read:",
                escaped(profile)
            )];
            lines.extend(wrap(&escaped(reason), "  ", "      "));
            lines.push("Pass --region (e.g. ap-guangzhou) or set TENCENTCLOUD_REGION.".to_owned());
            lines
        }
        ConfigError::InvalidRegion(r) => vec![
            format!(
                "{:?} is not a region name (--region or TENCENTCLOUD_REGION).",
                escaped(r)
            ),
            "A region is lower-case letters, digits and '-', e.g. ap-guangzhou.".to_owned(),
        ],
        // The endpoint itself is not echoed: it may carry a user:password@.
        ConfigError::InvalidEndpoint { reason, .. } => {
            vec![format!("--endpoint: {}.", escaped(reason))]
        }
        ConfigError::InvalidSetting { setting, reason } => {
            vec![format!("{setting}: {}.", escaped(reason))]
        }
        other => vec![escaped(&other.to_string()).into_owned()],
    }
}

/// No usable credentials, with where they were looked for and how to provide them; `profile` is
/// the one named with --profile, if any.
pub(crate) fn credentials_lines(e: &CredentialsError, profile: Option<&str>) -> Vec<String> {
    let mut lines = Vec::new();
    let looked_in = |lines: &mut Vec<String>| {
        for attempt in e.attempts() {
            lines.extend(wrap(&escaped(attempt), "  ", "      "));
        }
    };
    match (e.kind(), profile) {
        // The default chain found nothing.
        (CredentialsErrorKind::NotLoaded, _) if !e.attempts().is_empty() => {
            lines.push("No credentials found. Looked in:".to_owned());
            looked_in(&mut lines);
            lines.push("Set TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY,".to_owned());
            lines.push(
                "or put secret_id and secret_key under [default] in ~/.tencentcloud/credentials,"
                    .to_owned(),
            );
            lines.push("or run `tccli configure` (~/.tccli/default.credential),".to_owned());
            lines.push("or run on a CVM instance with a CAM role bound.".to_owned());
        }
        // The default chain did not find the profile named.
        (CredentialsErrorKind::InvalidConfiguration, Some(profile)) if !e.attempts().is_empty() => {
            lines.push(format!(
                "Profile {:?} (--profile) not found. Looked in:",
                escaped(profile)
            ));
            looked_in(&mut lines);
            lines.push(format!(
                "Create it with `tccli configure --profile {}`, or fix the name.",
                escaped(profile)
            ));
        }
        _ => lines.push(format!("Credentials: {}", escaped(&e.to_string()))),
    }
    lines.push("To try the tool without an account, run it with --sandbox.".to_owned());
    lines
}

/// `text` in lines of at most 96 characters where spaces allow, the first indented by
/// `first`, the others by `rest`.
fn wrap(text: &str, first: &str, rest: &str) -> Vec<String> {
    const WIDTH: usize = 96;
    let mut lines = Vec::new();
    let mut line = first.to_owned();
    let mut empty = true;
    for word in text.split(' ') {
        if !empty && line.chars().count() + 1 + word.chars().count() > WIDTH {
            lines.push(std::mem::replace(&mut line, rest.to_owned()));
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    lines.push(line);
    lines
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn long_lines_wrap_at_spaces() {
        let text = "word ".repeat(40);
        let lines = wrap(text.trim_end(), "  ", "    ");
        assert!(lines.len() > 1, "{lines:?}");
        assert!(lines.iter().all(|l| l.chars().count() <= 96), "{lines:?}");
        assert!(lines[1].starts_with("    word"), "{lines:?}");
        assert_eq!(wrap("short", "  ", "    "), ["  short"]);
    }
}
