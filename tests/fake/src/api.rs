//! The API behind the gateway: common-parameter checks, rate limiting, parameter validation and
//! the actions themselves, over the fake's state.

use crate::auth::{self, Secret};
use crate::config::{Clock, FakeConfig, InstanceStatus};
use crate::envelope::ApiError;
use crate::http::Request;
use crate::instances::{self, Instance};
use serde_json::{Map, Value};
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The one API version served.
pub(crate) const VERSION: &str = "2018-04-12";
/// The first TaskId handed out (the documentation's example value).
const FIRST_TASK_ID: u64 = 10856;

/// The type of a parameter, as the spec declares it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Kind {
    String,
    UInt,
    Int,
    /// An array of strings.
    Strings,
    /// An array of integers.
    Ints,
    /// An array of objects.
    Objects,
}

/// One input parameter: name, type, required.
pub(crate) type Param = (&'static str, Kind, bool);

/// The actions the fake implements, with their parameters.
const ACTIONS: &[(&str, &[Param])] = &[
    ("CleanUpInstance", &[("InstanceId", Kind::String, true)]),
    ("DescribeTaskInfo", &[("TaskId", Kind::UInt, true)]),
    ("DescribeInstances", instances::PARAMS),
];

#[derive(Debug)]
struct Task {
    instance_id: String,
    started: u64,
    /// When it ends, and whether it fails then.
    ends: Instant,
    fails: bool,
}

#[derive(Debug)]
struct State {
    instances: HashMap<String, Instance>,
    tasks: HashMap<u64, Task>,
    next_task: u64,
    /// Per action, the instants of the requests admitted within the last second.
    windows: HashMap<String, VecDeque<Instant>>,
}

/// Everything that decides the answer to a request, minus transport faults.
pub(crate) struct Service {
    secrets: HashMap<String, Secret>,
    /// The `sts` actions, and the temporary credentials they issued.
    sts: crate::sts::Sts,
    regions: Vec<String>,
    rate_limit: Option<u32>,
    task_duration: Duration,
    failing_tasks: Vec<String>,
    denied_actions: Vec<String>,
    pub(crate) clock: Clock,
    state: Mutex<State>,
}

impl Service {
    pub(crate) fn new(config: &FakeConfig) -> Service {
        let secrets = config
            .credentials
            .iter()
            .map(|(id, key, token)| {
                (
                    id.clone(),
                    Secret {
                        key: key.clone(),
                        token: token.clone(),
                        expires: None,
                    },
                )
            })
            .collect();
        Service {
            secrets,
            sts: crate::sts::Sts::new(config),
            regions: config.regions.clone(),
            rate_limit: config.rate_limit,
            task_duration: config.task_duration,
            failing_tasks: config.failing_tasks.clone(),
            denied_actions: config.denied_actions.clone(),
            clock: config.clock.clone(),
            state: Mutex::new(State {
                instances: config
                    .instances
                    .iter()
                    .enumerate()
                    .map(|(order, (id, name, region, status))| {
                        let instance = Instance {
                            name: name.clone(),
                            region: region.clone(),
                            status: *status,
                            order,
                        };
                        (id.clone(), instance)
                    })
                    .collect(),
                tasks: HashMap::new(),
                next_task: FIRST_TASK_ID,
                windows: HashMap::new(),
            }),
        }
    }

    /// A permanent key pair of the configuration, or one the fake's STS issued.
    pub(crate) fn secret(&self, id: &str) -> Option<Secret> {
        self.secrets
            .get(id)
            .cloned()
            .or_else(|| self.sts.issued(id))
    }

    /// Whether the fake serves `region`.
    pub(crate) fn serves_region(&self, region: &str) -> bool {
        self.regions.iter().any(|r| r == region)
    }

    pub(crate) fn now(&self) -> u64 {
        (self.clock)()
    }

    pub(crate) fn instance(&self, id: &str) -> Option<InstanceStatus> {
        self.lock().instances.get(id).map(|i| i.status)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic in another connection thread must not take the whole fake down.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Answers one request: the `Response` fields on success, else the error.
    pub(crate) fn handle(&self, req: &Request) -> Result<Map<String, Value>, ApiError> {
        if req.method != "POST" && req.method != "GET" {
            return Err(ApiError::new("UnsupportedProtocol"));
        }
        if let Some(answer) = self.sts.handle(self, req) {
            return answer;
        }
        auth::verify(req, &|id| self.secret(id), self.now(), auth::SERVICE)?;
        if req.method == "POST" {
            let media = req
                .header("content-type")
                .and_then(|c| c.split(';').next())
                .map(str::trim)
                .unwrap_or("");
            if !media.eq_ignore_ascii_case("application/json") {
                return Err(ApiError::with(
                    "InvalidParameter",
                    format!("Content-Type {media:?}: a TC3 POST must be application/json"),
                ));
            }
        }
        let action = common(req, "x-tc-action", "X-TC-Action")?;
        let Some((action, params_spec)) = ACTIONS.iter().find(|(a, _)| *a == action) else {
            return Err(ApiError::with(
                "InvalidAction",
                format!("`{action}` is not an action of redis {VERSION} served here"),
            ));
        };
        let version = common(req, "x-tc-version", "X-TC-Version")?;
        if version != VERSION {
            return Err(ApiError::with(
                "NoSuchVersion",
                format!("`{version}`; this service has {VERSION}"),
            ));
        }
        let region = common(req, "x-tc-region", "X-TC-Region")?;
        if !self.regions.iter().any(|r| r == region) {
            return Err(ApiError::with("UnsupportedRegion", format!("`{region}`")));
        }
        if self.denied_actions.iter().any(|a| a == action) {
            return Err(ApiError::with(
                "AuthFailure.UnauthorizedOperation",
                format!("the key's CAM policy does not allow {action}"),
            ));
        }
        self.admit(action)?;
        let params = parse_params(req)?;
        validate(&params, params_spec)?;
        match *action {
            "CleanUpInstance" => self.clean_up_instance(&params, region),
            "DescribeInstances" => instances::describe(&self.lock().instances, &params, region),
            _ => self.describe_task_info(&params),
        }
    }

    /// The rate limit: at most N admitted requests per action in any one second.
    fn admit(&self, action: &str) -> Result<(), ApiError> {
        let Some(limit) = self.rate_limit else {
            return Ok(());
        };
        let now = Instant::now();
        let mut state = self.lock();
        let window = state.windows.entry(action.to_owned()).or_default();
        while window
            .front()
            .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(1))
        {
            window.pop_front();
        }
        if window.len() >= limit as usize {
            return Err(ApiError::with(
                "RequestLimitExceeded",
                format!("{action}: at most {limit} requests per second"),
            ));
        }
        window.push_back(now);
        Ok(())
    }

    fn clean_up_instance(
        &self,
        params: &Map<String, Value>,
        region: &str,
    ) -> Result<Map<String, Value>, ApiError> {
        let id = params["InstanceId"].as_str().unwrap_or_default();
        let now = self.now();
        let mut guard = self.lock();
        // Through a plain reference, so that the instance and the task counter borrow apart.
        let state = &mut *guard;
        match state
            .instances
            .get_mut(id)
            .filter(|i| i.in_region(region))
            .map(|i| &mut i.status)
        {
            None => Err(ApiError::with(
                "ResourceNotFound.InstanceNotExists",
                format!("`{id}`"),
            )),
            Some(status @ InstanceStatus::InRecycleBin) => {
                *status = InstanceStatus::CleanedUp;
                let task = state.next_task;
                state.next_task += 1;
                state.tasks.insert(
                    task,
                    Task {
                        instance_id: id.to_owned(),
                        started: now,
                        ends: Instant::now() + self.task_duration,
                        fails: self.failing_tasks.iter().any(|f| f == id),
                    },
                );
                Ok(Map::from_iter([("TaskId".to_owned(), Value::from(task))]))
            }
            Some(status) => Err(ApiError::with(
                "ResourceUnavailable.InstanceStatusAbnormal",
                format!("`{id}` is {status:?}, not in the recycle bin"),
            )),
        }
    }

    fn describe_task_info(
        &self,
        params: &Map<String, Value>,
    ) -> Result<Map<String, Value>, ApiError> {
        let task_id = uint(&params["TaskId"]).unwrap_or_default();
        let state = self.lock();
        let task = state.tasks.get(&task_id).ok_or_else(|| {
            ApiError::with(
                "InvalidParameter.InvalidParameter",
                format!("no task {task_id}"),
            )
        })?;
        let (status, message) = match (Instant::now() >= task.ends, task.fails) {
            (false, _) => ("running", ""),
            (true, false) => ("succeed", ""),
            (true, true) => ("failed", "the instance could not be deactivated"),
        };
        let fields = [
            ("Status", Value::from(status)),
            ("StartTime", Value::from(beijing_time(task.started))),
            ("TaskType", Value::from("redis cache clearing process")),
            ("InstanceId", Value::from(task.instance_id.clone())),
            ("TaskMessage", Value::from(message)),
        ];
        Ok(fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
    }
}

/// A common parameter carried in a header: missing or empty is `MissingParameter`.
pub(crate) fn common<'r>(
    req: &'r Request,
    header: &str,
    display: &str,
) -> Result<&'r str, ApiError> {
    match req.header(header) {
        Some(v) if !v.is_empty() => Ok(v),
        _ => Err(ApiError::with(
            "MissingParameter",
            format!("the common parameter {display} is missing"),
        )),
    }
}

/// The action parameters: the JSON object of a POST body, or the query of a GET (strings).
pub(crate) fn parse_params(req: &Request) -> Result<Map<String, Value>, ApiError> {
    if req.method == "GET" {
        return Ok(form_decode(req.query())
            .into_iter()
            .map(|(k, v)| (k, Value::String(v)))
            .collect());
    }
    match serde_json::from_slice::<Value>(&req.body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::with(
            "InvalidParameter",
            "the request body must be a JSON object",
        )),
        Err(e) => Err(ApiError::with(
            "InvalidParameter",
            format!("the request body is not JSON: {e}"),
        )),
    }
}

/// Unknown names, then missing required ones, then types, then empty strings.
pub(crate) fn validate(params: &Map<String, Value>, spec: &[Param]) -> Result<(), ApiError> {
    if let Some(name) = params.keys().find(|k| !spec.iter().any(|(n, _, _)| n == k)) {
        return Err(ApiError::with("UnknownParameter", format!("`{name}`")));
    }
    for (name, kind, required) in spec {
        let value = params.get(*name).filter(|v| !v.is_null());
        let Some(value) = value else {
            if *required {
                return Err(ApiError::with("MissingParameter", format!("`{name}`")));
            }
            continue;
        };
        let all = |ok: fn(&Value) -> bool| value.as_array().is_some_and(|l| l.iter().all(ok));
        let ok = match kind {
            Kind::String => value.is_string(),
            Kind::UInt => uint(value).is_some(),
            Kind::Int => value.is_i64(),
            Kind::Strings => all(Value::is_string),
            Kind::Ints => all(Value::is_i64),
            Kind::Objects => all(Value::is_object),
        };
        if !ok {
            return Err(ApiError::with(
                "InvalidParameter",
                format!(
                    "`{name}` must be {}",
                    match kind {
                        Kind::String => "a string",
                        Kind::UInt => "an unsigned integer",
                        Kind::Int => "an integer",
                        Kind::Strings => "an array of strings",
                        Kind::Ints => "an array of integers",
                        Kind::Objects => "an array of objects",
                    }
                ),
            ));
        }
        if value.as_str() == Some("") {
            return Err(ApiError::with(
                "InvalidParameter.EmptyParam",
                format!("`{name}`"),
            ));
        }
    }
    Ok(())
}

/// A JSON unsigned integer, or a decimal string (GET parameters are all strings).
pub(crate) fn uint(value: &Value) -> Option<u64> {
    value
        .as_u64()
        .or_else(|| value.as_str().and_then(|s| s.parse().ok()))
}

/// `application/x-www-form-urlencoded` pairs (`+` is a space, `%XX` a byte).
fn form_decode(query: &str) -> Vec<(String, String)> {
    fn decode(s: &str) -> String {
        let b = s.as_bytes();
        let mut out = Vec::with_capacity(b.len());
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'+' => out.push(b' '),
                b'%' if i + 2 < b.len()
                    && b[i + 1].is_ascii_hexdigit()
                    && b[i + 2].is_ascii_hexdigit() =>
                {
                    let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("0");
                    out.push(u8::from_str_radix(hex, 16).unwrap_or(0));
                    i += 2;
                }
                c => out.push(c),
            }
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    }
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

/// `YYYY-MM-DD HH:MM:SS` in Beijing time (UTC+8), the format of the API's time fields.
pub(crate) fn beijing_time(unix: u64) -> String {
    let t = unix + 8 * 3600;
    let s = t % 86_400;
    format!(
        "{} {:02}:{:02}:{:02}",
        tc_redis::sign::utc_date(t),
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}
