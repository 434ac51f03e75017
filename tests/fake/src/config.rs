//! [`FakeConfig`]: what the fake knows before it starts (keys, regions, instances, clock).

use std::fmt;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// The SecretId of the credential every [`FakeConfig::new`] accepts.
pub const DEFAULT_SECRET_ID: &str = "AKIDfakeSecretId0000000000000000";
/// The SecretKey that goes with [`DEFAULT_SECRET_ID`].
pub const DEFAULT_SECRET_KEY: &str = "fakeSecretKey000000000000000000";
/// The regions the fake serves by default (Tencent's public regions and the finance zones).
pub const DEFAULT_REGIONS: &[&str] = &[
    "ap-guangzhou",
    "ap-shanghai",
    "ap-beijing",
    "ap-shanghai-fsi",
    "ap-shenzhen-fsi",
    "ap-beijing-fsi",
    "ap-nanjing",
    "ap-chengdu",
    "ap-chongqing",
    "ap-hongkong",
    "ap-singapore",
    "ap-jakarta",
    "ap-seoul",
    "ap-tokyo",
    "ap-mumbai",
    "ap-bangkok",
    "na-siliconvalley",
    "na-ashburn",
    "na-toronto",
    "sa-saopaulo",
    "eu-frankfurt",
];
/// The documented rate limit of CleanUpInstance: 20 requests per second.
pub const DEFAULT_RATE_LIMIT: u32 = 20;

/// Where an instance is in its life, as far as CleanUpInstance cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum InstanceStatus {
    /// Exists and runs: CleanUpInstance answers `ResourceUnavailable.InstanceStatusAbnormal`.
    Running,
    /// Isolated in the recycle bin: the one state CleanUpInstance accepts.
    InRecycleBin,
    /// Already cleaned up by a successful CleanUpInstance; a second one is refused.
    CleanedUp,
}

/// The server's notion of "now", in Unix seconds.
pub type Clock = Arc<dyn Fn() -> u64 + Send + Sync>;

/// How a [`crate::FakeServer`] behaves: builder-style, start from [`FakeConfig::new`].
#[derive(Clone)]
pub struct FakeConfig {
    pub(crate) port: u16,
    /// (SecretId, SecretKey, token for temporary credentials).
    pub(crate) credentials: Vec<(String, String, Option<String>)>,
    pub(crate) regions: Vec<String>,
    pub(crate) rate_limit: Option<u32>,
    /// (InstanceId, name, the one region it lives in or `None` for every region, status).
    pub(crate) instances: Vec<(String, String, Option<String>, InstanceStatus)>,
    /// How long a cleanup task runs before it ends (DescribeTaskInfo says `running` until then).
    pub(crate) task_duration: std::time::Duration,
    /// Instances whose cleanup task ends `failed` instead of `succeed`.
    pub(crate) failing_tasks: Vec<String>,
    /// Actions the key may not call (a CAM policy without them).
    pub(crate) denied_actions: Vec<String>,
    pub(crate) clock: Clock,
    /// Roles `AssumeRole` may assume.
    pub(crate) sts_roles: Vec<String>,
    /// (provider id, token, role ARN) that `AssumeRoleWithWebIdentity` accepts.
    pub(crate) web_identities: Vec<crate::sts::WebIdentity>,
    /// `ExpiredTime` = now + this, instead of now + `DurationSeconds`.
    pub(crate) sts_expiry_offset: Option<i64>,
}

impl FakeConfig {
    /// One permanent credential ([`DEFAULT_SECRET_ID`], [`DEFAULT_SECRET_KEY`]), the
    /// [`DEFAULT_REGIONS`], a rate limit of [`DEFAULT_RATE_LIMIT`] requests per second and
    /// action, no instances, the system clock, and an ephemeral port on 127.0.0.1.
    pub fn new() -> Self {
        FakeConfig {
            port: 0,
            credentials: vec![(DEFAULT_SECRET_ID.into(), DEFAULT_SECRET_KEY.into(), None)],
            regions: DEFAULT_REGIONS.iter().map(|r| (*r).to_owned()).collect(),
            rate_limit: Some(DEFAULT_RATE_LIMIT),
            task_duration: std::time::Duration::ZERO,
            failing_tasks: Vec::new(),
            denied_actions: Vec::new(),
            instances: Vec::new(),
            clock: Arc::new(system_now),
            sts_roles: Vec::new(),
            web_identities: Vec::new(),
            sts_expiry_offset: None,
        }
    }

    /// Accepts another permanent key pair.
    pub fn credential(
        mut self,
        secret_id: impl Into<String>,
        secret_key: impl Into<String>,
    ) -> Self {
        self.credentials
            .push((secret_id.into(), secret_key.into(), None));
        self
    }

    /// Accepts a temporary key pair, valid only with `X-TC-Token: <token>` (else
    /// `AuthFailure.TokenFailure`).
    pub fn temporary_credential(
        mut self,
        secret_id: impl Into<String>,
        secret_key: impl Into<String>,
        token: impl Into<String>,
    ) -> Self {
        self.credentials
            .push((secret_id.into(), secret_key.into(), Some(token.into())));
        self
    }

    /// Adds an instance that sits in the recycle bin, so CleanUpInstance succeeds once. It is
    /// named after its id and answers in every region (see [`FakeConfig::instance`]).
    pub fn instance_in_recycle_bin(mut self, id: impl Into<String>) -> Self {
        let id = id.into();
        self.instances
            .push((id.clone(), id, None, InstanceStatus::InRecycleBin));
        self
    }

    /// Adds an instance that exists but is not in the recycle bin, named after its id, in every
    /// region.
    pub fn running_instance(mut self, id: impl Into<String>) -> Self {
        let id = id.into();
        self.instances
            .push((id.clone(), id, None, InstanceStatus::Running));
        self
    }

    /// Adds an instance with its name, in one region only (as the real API scopes them: a
    /// request in another region does not find it), in `status`. DescribeInstances lists
    /// instances in the order they were added.
    pub fn instance(
        mut self,
        id: impl Into<String>,
        name: impl Into<String>,
        region: impl Into<String>,
        status: InstanceStatus,
    ) -> Self {
        self.instances
            .push((id.into(), name.into(), Some(region.into()), status));
        self
    }

    /// Replaces the set of regions the fake accepts in `X-TC-Region`.
    pub fn regions<I, S>(mut self, regions: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.regions = regions.into_iter().map(Into::into).collect();
        self
    }

    /// At most this many requests per action within any one second (monotonic time, not
    /// [`FakeConfig::clock`]); more get `RequestLimitExceeded`. `None` turns the limit off.
    pub fn rate_limit(mut self, per_second: Option<u32>) -> Self {
        self.rate_limit = per_second;
        self
    }

    /// How long the task a CleanUpInstance starts keeps running (monotonic time) before
    /// DescribeTaskInfo reports it ended. Default zero: done at once.
    pub fn task_duration(mut self, duration: std::time::Duration) -> Self {
        self.task_duration = duration;
        self
    }

    /// The cleanup task of this instance ends `failed` (with a `TaskMessage`).
    pub fn failing_task(mut self, instance_id: impl Into<String>) -> Self {
        self.failing_tasks.push(instance_id.into());
        self
    }

    /// The keys may not call `action`, as under a CAM policy that leaves it out: its requests
    /// are answered `AuthFailure.UnauthorizedOperation`, after the signature checks and before
    /// the action runs.
    pub fn deny_action(mut self, action: impl Into<String>) -> Self {
        self.denied_actions.push(action.into());
        self
    }

    /// The server's "now" in Unix seconds, used for the signature's clock-skew check and the
    /// `Date` header. Pin it to replay recorded requests.
    pub fn clock(mut self, clock: Arc<dyn Fn() -> u64 + Send + Sync>) -> Self {
        self.clock = clock;
        self
    }

    /// STS `AssumeRole` may assume this role (`qcs::cam::uin/<uin>:roleName/<name>`); others
    /// get `ResourceNotFound.RoleNotFound`.
    pub fn sts_role(mut self, role_arn: impl Into<String>) -> Self {
        self.sts_roles.push(role_arn.into());
        self
    }

    /// STS `AssumeRoleWithWebIdentity` accepts `token` from identity provider `provider_id`
    /// for `role_arn`; anything else gets `InvalidParameter.WebIdentityTokenError`.
    pub fn web_identity(
        mut self,
        provider_id: impl Into<String>,
        token: impl Into<String>,
        role_arn: impl Into<String>,
    ) -> Self {
        self.web_identities
            .push((provider_id.into(), token.into(), role_arn.into()));
        self
    }

    /// STS answers `ExpiredTime` = now + `offset_secs` instead of now + `DurationSeconds`
    /// (a past or absurd expiry, to test what clients make of it).
    pub fn sts_expiry_offset(mut self, offset_secs: i64) -> Self {
        self.sts_expiry_offset = Some(offset_secs);
        self
    }

    /// Listens on this port of 127.0.0.1 instead of an ephemeral one.
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }
}

impl Default for FakeConfig {
    fn default() -> Self {
        FakeConfig::new()
    }
}

impl fmt::Debug for FakeConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ids: Vec<&str> = self.credentials.iter().map(|c| c.0.as_str()).collect();
        f.debug_struct("FakeConfig")
            .field("port", &self.port)
            .field("secret_ids", &ids)
            .field("regions", &self.regions)
            .field("rate_limit", &self.rate_limit)
            .field("instances", &self.instances)
            .finish_non_exhaustive()
    }
}

fn system_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
