//! The HTTP client of [`CvmRoleProvider`](super::CvmRoleProvider): plain GETs to the CVM
//! instance metadata service. It lives with the provider, apart from the API's transport: the
//! metadata service is a plain-http host inside Tencent Cloud's network that answers for this
//! instance only, so its requests never go through a proxy (not even one from the environment,
//! which would answer for another machine or not at all), follow no redirect, resolve and connect
//! within the connection timeout, and return every status as it is.

use std::time::Duration;

/// One agent, so that the role listing and the credentials request can share a connection.
pub(super) struct MetadataAgent {
    agent: ureq::Agent,
}

/// Why a [`MetadataAgent::get`] failed.
#[derive(Debug)]
pub(super) enum MetadataGetError {
    /// No connection, or no complete answer; `timed_out` when a timeout expired. `message` is
    /// the HTTP stack's description.
    Unreachable { timed_out: bool, message: String },
    /// A 200 answer's body is longer than the limit.
    TooLarge,
}

impl MetadataAgent {
    /// `connect_timeout` bounds name resolution and the connection, `timeout` each whole
    /// request; `user_agent` is sent as `User-Agent`.
    pub(super) fn new(
        connect_timeout: Duration,
        timeout: Duration,
        user_agent: &str,
    ) -> MetadataAgent {
        MetadataAgent {
            agent: ureq::Agent::config_builder()
                .timeout_connect(Some(connect_timeout))
                .timeout_resolve(Some(connect_timeout))
                .timeout_global(Some(timeout))
                .http_status_as_error(false)
                .max_redirects(0)
                .proxy(None)
                .user_agent(user_agent)
                .build()
                .into(),
        }
    }

    /// `GET url`: the status and, for a 200 only, at most `max_bytes` bytes of body (other
    /// statuses come with an empty body, not read).
    pub(super) fn get(
        &self,
        url: &str,
        max_bytes: u64,
    ) -> Result<(u16, Vec<u8>), MetadataGetError> {
        let unreachable = |e: ureq::Error| MetadataGetError::Unreachable {
            timed_out: matches!(e, ureq::Error::Timeout(_)),
            message: e.to_string(),
        };
        let mut response = self.agent.get(url).call().map_err(unreachable)?;
        let status = response.status().as_u16();
        if status != 200 {
            return Ok((status, Vec::new()));
        }
        let body = response
            .body_mut()
            .with_config()
            .limit(max_bytes)
            .read_to_vec()
            .map_err(|e| match e {
                ureq::Error::BodyExceedsLimit(_) => MetadataGetError::TooLarge,
                e => unreachable(e),
            })?;
        Ok((status, body))
    }
}
