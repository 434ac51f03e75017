//! `--sandbox`: an in-process fake of the API with test credentials and a few instances, so
//! that every mode has something to show without an account. Each run starts afresh.

use std::time::Duration;
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

/// Starts the sandbox in `region`, with the seeded instances, and `ids` it does not know
/// added to its recycle bin.
pub(crate) fn start(region: &str, ids: &[String]) -> std::io::Result<FakeServer> {
    let mut config = FakeConfig::new().task_duration(TASK_DURATION);
    for (id, name, status) in SEEDED {
        config = config.instance(*id, *name, region, *status);
    }
    for id in ids {
        if !SEEDED.iter().any(|(seeded, _, _)| seeded == id) {
            config = config.instance(id, "added-by-sandbox", region, InstanceStatus::InRecycleBin);
        }
    }
    FakeServer::start(config)
}
