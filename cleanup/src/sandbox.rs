//! `--sandbox`: an in-process fake of the API with test credentials and a few instances, so
//! that every mode has something to show without an account. It behaves like the API: an id it
//! does not hold is not found (a typo in a rehearsed batch shows), `--sandbox-add` puts the ids
//! to rehearse in its recycle bin, and what a run cleans up stays cleaned up for the rest of the
//! run. Each run starts afresh.
//!
//! In a TKE pod (all `TKE_*` variables set) the sandbox serves STS too, trusting the pod's
//! token, and the job signs with the pod's workload identity exchanged there: the whole OIDC
//! path of a real pod, locally.

use std::time::Duration;
use tc_redis::credentials::{MAX_CREDENTIALS_FILE_BYTES, WebIdentityProvider};
use tc_redis_fake::{FakeConfig, FakeServer, InstanceStatus};

/// The instances every sandbox starts with: three in the recycle bin, one running.
pub(crate) const SEEDED: &[(&str, &str, InstanceStatus)] = &[
    ("crs-5a4py64p", "orders-cache", InstanceStatus::InRecycleBin),
    (
        "crs-8bv2kx1m",
        "sessions-2023",
        InstanceStatus::InRecycleBin,
    ),
    (
        "crs-3kq9wz7d",
        "staging-queue",
        InstanceStatus::InRecycleBin,
    ),
    ("crs-6h2nd8fr", "web-sessions", InstanceStatus::Running),
];

/// How long a sandbox cleanup task runs, so that --wait has progress to show.
const TASK_DURATION: Duration = Duration::from_secs(2);

/// The workload identity of a TKE pod, as the sandbox's STS is told to trust it.
#[derive(Debug, Clone)]
pub(crate) struct PodIdentity {
    provider_id: String,
    /// The token now in the token file (empty if it cannot be read: the provider reports
    /// that when it reads the file itself).
    token: String,
    pub(crate) role_arn: String,
}

/// The pod's identity when all `TKE_*` variables are set (and not empty, and UTF-8: the
/// provider reports any other value when it reads them itself); `None` elsewhere.
pub(crate) fn pod_identity() -> Option<PodIdentity> {
    let env = tc_redis::env::Env::process();
    let var = |name: &str| env.get(name).ok().flatten();
    var(WebIdentityProvider::REGION_VAR)?;
    let provider_id = var(WebIdentityProvider::PROVIDER_ID_VAR)?;
    let role_arn = var(WebIdentityProvider::ROLE_ARN_VAR)?;
    let file = var(WebIdentityProvider::TOKEN_FILE_VAR)?;
    // Read as the provider reads it: the one bounded reader (a FIFO or a device is refused).
    let token = tc_redis::input::read_file(file.as_ref(), MAX_CREDENTIALS_FILE_BYTES)
        .map(|bytes| String::from_utf8_lossy(&bytes).trim().to_owned())
        .unwrap_or_default();
    Some(PodIdentity {
        provider_id,
        token,
        role_arn,
    })
}

/// Starts the sandbox in `region`, with the seeded instances and `added` (ids to rehearse) in
/// its recycle bin; with `pod`, its STS trusts the pod's token for the pod's role.
pub(crate) fn start(
    region: &str,
    added: &[String],
    pod: Option<&PodIdentity>,
) -> std::io::Result<FakeServer> {
    let mut config = FakeConfig::new().task_duration(TASK_DURATION);
    if let Some(pod) = pod {
        config = config.web_identity(&pod.provider_id, &pod.token, &pod.role_arn);
    }
    for (id, name, status) in SEEDED {
        config = config.instance(*id, *name, region, *status);
    }
    for id in added {
        if !SEEDED.iter().any(|(seeded, _, _)| seeded == id) {
            config = config.instance(
                id,
                "added-with-sandbox-add",
                region,
                InstanceStatus::InRecycleBin,
            );
        }
    }
    FakeServer::start(config)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lookup;
    use tc_redis::{CleanUpInstanceRequest, Client, Credentials};
    use tc_redis_fake::{DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY};

    fn ids(rows: &[lookup::Row]) -> Vec<&str> {
        rows.iter().map(|r| r.id.as_str()).collect()
    }

    /// One sandbox serves the whole run: what the run cleans up is gone from the recycle bin
    /// that `--list` reads (`lookup::recycle_bin`) for the rest of the run, and described as
    /// cleaned up; an added id is in the bin beside the seeded ones until then; an id neither
    /// seeded nor added is not found.
    #[test]
    fn state_is_kept_for_the_run() {
        let added = ["crs-rehearse1".to_owned()];
        let server = start("ap-guangzhou", &added, None).unwrap();
        let client = Client::builder()
            .region("ap-guangzhou")
            .endpoint(server.endpoint())
            .allow_plain_http(true)
            .credentials(Credentials::new(DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY).unwrap())
            .build()
            .unwrap();
        let before = lookup::recycle_bin(&client).unwrap();
        assert_eq!(
            ids(&before),
            [
                "crs-5a4py64p",
                "crs-8bv2kx1m",
                "crs-3kq9wz7d",
                "crs-rehearse1"
            ],
            "the seeded bin and the added id"
        );
        for id in ["crs-rehearse1", "crs-5a4py64p"] {
            client
                .clean_up_instance(&CleanUpInstanceRequest::new(id))
                .unwrap();
        }
        let after = lookup::recycle_bin(&client).unwrap();
        assert_eq!(
            ids(&after),
            ["crs-8bv2kx1m", "crs-3kq9wz7d"],
            "the cleaned instances are gone from the next list, the others remain"
        );
        let seen = lookup::look_up(&client, &["crs-5a4py64p".to_owned()]).unwrap();
        assert_eq!(
            seen[0].status,
            lookup::CLEANED_UP,
            "still described, as cleaned up: {seen:?}"
        );
        let typo = lookup::look_up(&client, &["crs-5a4py64".to_owned()]).unwrap();
        assert!(typo.is_empty(), "an id the sandbox does not hold: {typo:?}");
    }
}
