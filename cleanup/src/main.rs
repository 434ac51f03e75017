//! `tc-redis-cleanup`: deactivates a Redis instance that sits in the recycle bin
//! (CleanUpInstance), the main job of tc-redis as a user runs it.
//!
//! ```text
//! tc-redis-cleanup [--region R] [--endpoint URL] [--language zh-CN|en-US] [--json] [--sandbox]
//!                  [--wait [--wait-timeout SECS]] <instance-id>
//! ```
//!
//! Credentials come from the default chain (environment, `~/.tencentcloud/credentials`, CVM
//! role). `--sandbox` runs against an in-process fake of the API instead, with test
//! credentials; it is never chosen on its own.
//!
//! Exit status: 0 done; 1 the API refused (error code printed); 2 bad usage or input;
//! 3 no usable credentials; 4 network, HTTP or malformed-response failure; with `--wait`,
//! 5 the task failed and 6 it was still running when the wait timed out.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::{Duration, Instant};
use tc_redis::credentials::{Credentials, DefaultChain, ProvideCredentials};
use tc_redis::{
    CleanUpInstanceErrorCode, CleanUpInstanceRequest, Client, DescribeTaskInfoResponse, Error,
    Language, WaitError,
};
use tc_redis_fake::{DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, FakeConfig, FakeServer};

const USAGE: &str = "\
usage: tc-redis-cleanup [--region R] [--endpoint URL] [--language zh-CN|en-US] [--json] [--sandbox]
                        [--wait [--wait-timeout SECS]] <instance-id>

Immediately deactivates a Redis instance in the recycle bin (CleanUpInstance).

  --region R        region of the instance, e.g. ap-guangzhou (default: $TENCENTCLOUD_REGION)
  --endpoint URL    API endpoint (default: redis.tencentcloudapi.com, or
                    redis.<region>.tencentcloudapi.com for a *-fsi region);
                    http:// only for a loopback address
  --language L      language of server messages: zh-CN (default) or en-US
  --json            print one JSON object instead of text
  --wait            wait until the cleanup task ends, showing its progress
  --wait-timeout S  give up waiting after S seconds (default 600)
  --sandbox         run against a local fake endpoint with test credentials,
                    with <instance-id> in its recycle bin (nothing reaches Tencent Cloud)

Credentials: TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY (/ TENCENTCLOUD_SESSION_TOKEN),
else ~/.tencentcloud/credentials ($TENCENTCLOUD_CREDENTIALS_FILE), else the CVM role.

Exit status: 0 done, 1 API error, 2 bad usage or input, 3 no credentials, 4 network/HTTP failure,
5 the task failed, 6 still running when --wait-timeout passed.";

struct Args {
    region: Option<String>,
    endpoint: Option<String>,
    language: Language,
    json: bool,
    sandbox: bool,
    /// `Some(timeout)` with `--wait`.
    wait: Option<Duration>,
    instance_id: String,
}

/// A failure to report: one line, and the exit status.
struct Failure {
    status: u8,
    json: serde_json::Value,
    line: String,
}

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    if argv.iter().any(|a| a == "-h" || a == "--help") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let json = argv.iter().any(|a| a == "--json");
    match parse_args(&argv).and_then(run) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            if json {
                println!("{}", f.json);
            }
            eprintln!("tc-redis-cleanup: {}", f.line);
            ExitCode::from(f.status)
        }
    }
}

fn usage_error(line: String) -> Failure {
    Failure {
        status: 2,
        json: serde_json::json!({ "Error": { "Code": "ClientError.Usage", "Message": line } }),
        line: format!("{line}\n(run with --help for usage)"),
    }
}

fn parse_args(argv: &[String]) -> Result<Args, Failure> {
    let mut region = None;
    let mut endpoint = None;
    let mut language = Language::ZhCn;
    let mut json = false;
    let mut sandbox = false;
    let mut wait = false;
    let mut wait_timeout = Duration::from_secs(600);
    let mut positional = Vec::new();
    let mut it = argv.iter();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| usage_error(format!("{name} needs a value")))
        };
        match arg.as_str() {
            "--region" => region = Some(value("--region")?),
            "--endpoint" => endpoint = Some(value("--endpoint")?),
            "--language" => {
                let l = value("--language")?;
                language = l.parse().map_err(|e| usage_error(format!("{e}")))?;
            }
            "--json" => json = true,
            "--sandbox" => sandbox = true,
            "--wait" => wait = true,
            "--wait-timeout" => {
                let v = value("--wait-timeout")?;
                let secs: u64 = v.parse().ok().filter(|s| *s > 0).ok_or_else(|| {
                    usage_error(format!("--wait-timeout {v:?} is not a number of seconds"))
                })?;
                wait_timeout = Duration::from_secs(secs);
            }
            flag if flag.starts_with("--") => {
                return Err(usage_error(format!("unknown option {flag}")));
            }
            _ => positional.push(arg.clone()),
        }
    }
    let instance_id = match positional.as_slice() {
        [id] => id.clone(),
        [] => return Err(usage_error("missing <instance-id>".to_owned())),
        _ => return Err(usage_error("expected exactly one <instance-id>".to_owned())),
    };
    check_instance_id(&instance_id)?;
    let region = region.or_else(|| std::env::var("TENCENTCLOUD_REGION").ok());
    Ok(Args {
        region,
        endpoint,
        language,
        json,
        sandbox,
        wait: wait.then_some(wait_timeout),
        instance_id,
    })
}

/// Redis instance ids are `crs-` followed by lower-case letters and digits.
fn check_instance_id(id: &str) -> Result<(), Failure> {
    let valid = id.strip_prefix("crs-").is_some_and(|rest| {
        !rest.is_empty()
            && rest
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    });
    if valid {
        Ok(())
    } else {
        Err(usage_error(format!(
            "{id:?} is not a Redis instance id (expected crs- followed by lower-case letters and digits, e.g. crs-5a4py64p)"
        )))
    }
}

fn is_loopback(endpoint: &str) -> bool {
    let rest = endpoint.split_once("://").map_or(endpoint, |(_, r)| r);
    let host = rest.split(['/', ':']).next().unwrap_or("");
    host == "127.0.0.1" || host == "localhost" || rest.starts_with("[::1]")
}

fn run(args: Args) -> Result<(), Failure> {
    // The sandbox lives as long as this function: the fake serves on a background thread.
    let mut _sandbox = None;
    let mut builder = Client::builder().language(args.language);
    let region = match (&args.region, args.sandbox) {
        (Some(r), _) => r.clone(),
        (None, true) => "ap-guangzhou".to_owned(),
        (None, false) => {
            return Err(usage_error(
                "no region: pass --region (e.g. ap-guangzhou) or set TENCENTCLOUD_REGION"
                    .to_owned(),
            ));
        }
    };
    builder = builder.region(&region);
    if args.sandbox {
        // The sandbox's task runs a little while, so that --wait has progress to show.
        let config = FakeConfig::new()
            .instance_in_recycle_bin(&args.instance_id)
            .task_duration(Duration::from_secs(2));
        let server = FakeServer::start(config)
            .map_err(|e| Failure {
                status: 4,
                json: serde_json::json!({ "Error": { "Code": "ClientError.Sandbox", "Message": e.to_string() } }),
                line: format!("cannot start the sandbox endpoint: {e}"),
            })?;
        eprintln!(
            "sandbox: using a local fake of the Tencent Cloud Redis API at {} with test credentials; nothing is sent to Tencent Cloud",
            server.endpoint()
        );
        let credentials = Credentials::new(DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY)
            .map_err(|e| usage_error(e.to_string()))?;
        builder = builder
            .endpoint(server.endpoint())
            .allow_plain_http(true)
            .credentials(credentials);
        _sandbox = Some(server);
    } else {
        let chain = DefaultChain::new();
        // Resolve credentials before sending, so that "none found" is its own clear failure.
        if let Err(e) = chain.provide() {
            return Err(Failure {
                status: 3,
                json: serde_json::json!({ "Error": { "Code": "ClientError.Credentials", "Message": e.to_string() } }),
                line: format!(
                    "no credentials: {e}\nTo try the tool without an account, run it with --sandbox."
                ),
            });
        }
        builder = builder.credentials_provider(chain);
        if let Some(endpoint) = &args.endpoint {
            builder = builder
                .endpoint(endpoint)
                .allow_plain_http(is_loopback(endpoint));
        }
    }
    let client = builder.build().map_err(|e| usage_error(e.to_string()))?;
    let reply = client
        .clean_up_instance(&CleanUpInstanceRequest::new(&args.instance_id))
        .map_err(failure)?;
    let Some(timeout) = args.wait else {
        if args.json {
            println!(
                "{}",
                serde_json::json!({ "RequestId": reply.request_id, "TaskId": reply.task_id })
            );
        } else {
            println!("RequestId: {}", reply.request_id);
            println!("TaskId: {}", shown_task_id(reply.task_id));
        }
        return Ok(());
    };
    if !args.json {
        println!("RequestId: {}", reply.request_id);
        println!("TaskId: {}", shown_task_id(reply.task_id));
    }
    // A reply without a TaskId (`None`, never an invented 0): the cleanup was accepted, but
    // there is nothing to wait for.
    let Some(task) = reply.task_id else {
        let message = "the reply has no TaskId, so there is no task to wait for; the cleanup was accepted: check the instance in the console";
        return Err(Failure {
            status: 4,
            json: serde_json::json!({ "Error": { "Code": "ClientError.NoTaskId", "Message": message }, "RequestId": reply.request_id, "TaskId": null }),
            line: message.to_owned(),
        });
    };
    let mut progress = Progress::new(task);
    let waited = client.wait_for_task_with(task, timeout, |r| progress.show(r));
    progress.finish();
    match waited {
        Ok(done) => {
            if args.json {
                println!(
                    "{}",
                    serde_json::json!({ "RequestId": reply.request_id, "TaskId": reply.task_id, "TaskStatus": done.status })
                );
            } else {
                println!("TaskStatus: {}", done.status);
            }
            Ok(())
        }
        Err(e) => {
            let (status, code) = match &e {
                WaitError::TaskFailed(_) => (5, "ClientError.TaskFailed"),
                WaitError::Timeout { .. } => (6, "ClientError.WaitTimeout"),
                WaitError::InvalidTaskId(_) => (4, "ClientError.MalformedResponse"),
                _ => (4, "ClientError.Poll"),
            };
            Err(Failure {
                status,
                json: serde_json::json!({ "Error": { "Code": code, "Message": e.to_string() }, "RequestId": reply.request_id, "TaskId": reply.task_id }),
                line: e.to_string(),
            })
        }
    }
}

/// The task's progress on stderr: a status line redrawn in place with a spinner on a
/// terminal, plain lines (one per change of status) otherwise.
struct Progress {
    task: i64,
    terminal: bool,
    started: Instant,
    polls: usize,
    last_status: String,
}

impl Progress {
    fn new(task: i64) -> Self {
        Progress {
            task,
            terminal: std::io::stderr().is_terminal(),
            started: Instant::now(),
            polls: 0,
            last_status: String::new(),
        }
    }

    fn show(&mut self, reply: &DescribeTaskInfoResponse) {
        const SPINNER: [char; 4] = ['|', '/', '-', '\\'];
        let mut err = std::io::stderr().lock();
        let secs = self.started.elapsed().as_secs();
        if self.terminal {
            let spin = SPINNER[self.polls % SPINNER.len()];
            let _ = write!(
                err,
                "\r\x1b[2K{spin} task {}: {} ({secs} s)",
                self.task, reply.status
            );
            let _ = err.flush();
        } else if reply.status != self.last_status {
            let _ = writeln!(err, "task {}: {} ({secs} s)", self.task, reply.status);
        }
        self.polls += 1;
        self.last_status.clone_from(&reply.status);
    }

    fn finish(&self) {
        if self.terminal && self.polls > 0 {
            eprintln!();
        }
    }
}

fn failure(e: Error<CleanUpInstanceErrorCode>) -> Failure {
    let line = e.to_string();
    let request_id = e.request_id().map(str::to_owned);
    let (status, code, message) = match &e {
        Error::Api(api) => (1, api.code.as_str().to_owned(), api.message.clone()),
        Error::Credentials(_) => (3, "ClientError.Credentials".to_owned(), line.clone()),
        Error::Config(_) => (2, "ClientError.Config".to_owned(), line.clone()),
        Error::InvalidRequest(_) => (2, "ClientError.InvalidRequest".to_owned(), line.clone()),
        Error::Http { status, .. } => (4, format!("ClientError.HttpStatus{status}"), line.clone()),
        Error::MalformedResponse { .. } => {
            (4, "ClientError.MalformedResponse".to_owned(), line.clone())
        }
        _ => (4, "ClientError.Network".to_owned(), line.clone()),
    };
    Failure {
        status,
        json: serde_json::json!({ "Error": { "Code": code, "Message": message }, "RequestId": request_id }),
        line,
    }
}

/// A task id as the text output shows it: `none` when the reply lacked it.
fn shown_task_id(task_id: Option<i64>) -> String {
    task_id.map_or_else(
        || "none (the reply has no TaskId)".to_owned(),
        |id| id.to_string(),
    )
}
