//! The client's `log` events (target `tc_redis`), captured by a test logger: a retried call, a
//! give-up, a clock-skew correction and a credential refresh, each with its fields; and no
//! secret key, session token or signature in any event, of any crate, at debug and above, nor
//! in any `tc_redis` event at any level.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::Duration;
use tc_redis::credentials::{CredentialsError, ProvideCredentials};
use tc_redis::{CleanUpInstanceRequest, Credentials, DescribeTaskInfoRequest, RetryPolicy};
use tc_redis_fake::support::{ManualClock, client_builder, system_now};
use tc_redis_fake::{FakeConfig, FakeServer, Fault};

const ID: &str = "crs-events01";
/// Distinctive secrets: none may appear in an event.
const SECRET_KEY_1: &str = "EVENTSsecretKEYone0000000000000001";
const SECRET_KEY_2: &str = "EVENTSsecretKEYtwo0000000000000002";
const TOKEN_2: &str = "EVENTSsessionTOKENtwo000000000000000000002";

#[derive(Debug, Clone)]
struct Event {
    level: log::Level,
    target: String,
    message: String,
}

/// Every record of every crate, kept in memory.
struct Capture(Mutex<Vec<Event>>);

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        let event = Event {
            level: record.level(),
            target: record.target().to_owned(),
            message: record.args().to_string(),
        };
        self.0.lock().unwrap_or_else(|p| p.into_inner()).push(event);
    }

    fn flush(&self) {}
}

static CAPTURE: OnceLock<&'static Capture> = OnceLock::new();
/// The tests of this binary run one at a time: the logger is process-wide.
static SERIAL: Mutex<()> = Mutex::new(());

/// Installs the logger (once), empties it, and holds the binary's lock.
fn capture() -> MutexGuard<'static, ()> {
    let guard = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let capture = CAPTURE.get_or_init(|| {
        let capture: &'static Capture = Box::leak(Box::new(Capture(Mutex::new(Vec::new()))));
        log::set_logger(capture).unwrap();
        log::set_max_level(log::LevelFilter::Trace);
        capture
    });
    capture.0.lock().unwrap().clear();
    guard
}

fn events() -> Vec<Event> {
    CAPTURE.get().unwrap().0.lock().unwrap().clone()
}

/// The client's own events, as `(level, message)`.
fn ours() -> Vec<(log::Level, String)> {
    events()
        .into_iter()
        .filter(|e| e.target == "tc_redis")
        .map(|e| (e.level, e.message))
        .collect()
}

/// No secret in any event at debug and above, and none in any `tc_redis` event at all.
/// `ureq_proto` prints request heads at trace: that is why the main job's `-vv` stops at debug.
fn assert_no_secret(server: &FakeServer, secrets: &[&str]) {
    let signatures: Vec<String> = server
        .requests()
        .iter()
        .filter_map(|r| r.header("authorization"))
        .filter_map(|a| a.split("Signature=").nth(1).map(str::to_owned))
        .collect();
    assert!(!signatures.is_empty(), "no signed request was recorded");
    let mut checked = 0;
    for e in events() {
        if e.level > log::Level::Debug && e.target != "tc_redis" {
            continue;
        }
        checked += 1;
        for s in secrets
            .iter()
            .copied()
            .chain(signatures.iter().map(String::as_str))
        {
            assert!(
                !e.message.contains(s),
                "{:?} event of {} holds a secret: {}",
                e.level,
                e.target,
                e.message
            );
        }
        assert!(
            !e.message.contains("TC3-HMAC-SHA256 Credential="),
            "an Authorization value: {}",
            e.message
        );
    }
    assert!(checked > 0, "no event was captured");
}

fn field<'a>(message: &'a str, key: &str) -> Option<&'a str> {
    message
        .split_whitespace()
        .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
}

#[test]
fn a_retried_call_logs_each_attempt_the_retry_and_no_secret() {
    let _guard = capture();
    let server = FakeServer::start(
        FakeConfig::new()
            .credential("AKIDevents1", SECRET_KEY_1)
            .instance_in_recycle_bin(ID),
    )
    .unwrap();
    server.set_fault(Some(Fault::ErrorFirst {
        code: "RequestLimitExceeded".into(),
        count: 1,
    }));
    let client = client_builder(&server)
        .credentials(Credentials::new("AKIDevents1", SECRET_KEY_1).unwrap())
        .clock(ManualClock::new(system_now()))
        .build()
        .unwrap();
    client
        .clean_up_instance(&CleanUpInstanceRequest::new(ID))
        .unwrap();

    let request_ids: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r.request_id.clone().unwrap())
        .collect();
    let events = ours();
    let attempts: Vec<&String> = events
        .iter()
        .filter(|(l, m)| *l == log::Level::Debug && m.starts_with("attempt "))
        .map(|(_, m)| m)
        .collect();
    assert_eq!(attempts.len(), 2, "attempt events: {events:?}");
    let host = server.host();
    for (i, (message, outcome)) in attempts
        .iter()
        .zip([("api_error", "RequestLimitExceeded"), ("status", "200")])
        .enumerate()
    {
        let expected = [
            ("action", "CleanUpInstance"),
            ("service", "redis"),
            ("region", "ap-guangzhou"),
            ("host", host.as_str()),
            ("attempt", &(i + 1).to_string()),
            outcome,
            ("request_id", request_ids[i].as_str()),
        ];
        for (key, value) in expected {
            assert_eq!(field(message, key), Some(value), "{key} in {message}");
        }
        assert!(
            field(message, "elapsed_ms").is_some_and(|ms| ms.parse::<u64>().is_ok()),
            "{message}"
        );
    }
    let retries: Vec<_> = events
        .iter()
        .filter(|(l, m)| *l == log::Level::Info && m.starts_with("retry "))
        .collect();
    assert_eq!(retries.len(), 1, "{events:?}");
    let retry = &retries[0].1;
    for (key, value) in [
        ("action", "CleanUpInstance"),
        ("failed_attempt", "1"),
        ("max_attempts", "3"),
        ("api_error", "RequestLimitExceeded"),
    ] {
        assert_eq!(field(retry, key), Some(value), "{key} in {retry}");
    }
    assert!(
        !events.iter().any(|(l, _)| *l == log::Level::Warn),
        "{events:?}"
    );
    assert_no_secret(&server, &[SECRET_KEY_1]);
}

#[test]
fn a_call_that_runs_out_of_attempts_gives_up_at_warn() {
    let _guard = capture();
    let server = FakeServer::start(FakeConfig::new().instance_in_recycle_bin(ID)).unwrap();
    server.set_fault(Some(Fault::ErrorFirst {
        code: "RequestLimitExceeded".into(),
        count: 10,
    }));
    let client = client_builder(&server)
        .retry(RetryPolicy::default().max_attempts(2))
        .clock(ManualClock::new(system_now()))
        .build()
        .unwrap();
    client
        .clean_up_instance(&CleanUpInstanceRequest::new(ID))
        .unwrap_err();
    let events = ours();
    let warnings: Vec<_> = events
        .iter()
        .filter(|(l, _)| *l == log::Level::Warn)
        .collect();
    assert_eq!(warnings.len(), 1, "{events:?}");
    let last_id = server
        .requests()
        .last()
        .unwrap()
        .request_id
        .clone()
        .unwrap();
    for (key, value) in [
        ("action", "CleanUpInstance"),
        ("attempts", "2"),
        ("api_error", "RequestLimitExceeded"),
        ("outcome", "Refused"),
        ("request_id", last_id.as_str()),
    ] {
        assert_eq!(
            field(&warnings[0].1, key),
            Some(value),
            "{key} in {warnings:?}"
        );
    }
}

#[test]
fn a_clock_skew_correction_is_logged_with_its_size() {
    let _guard = capture();
    let server = FakeServer::start(FakeConfig::new().instance_in_recycle_bin(ID)).unwrap();
    // The local clock an hour behind the server's.
    let client = client_builder(&server)
        .clock(ManualClock::new(system_now() - Duration::from_secs(3600)))
        .build()
        .unwrap();
    client
        .clean_up_instance(&CleanUpInstanceRequest::new(ID))
        .unwrap();
    let events = ours();
    let skews: Vec<_> = events
        .iter()
        .filter(|(l, m)| *l == log::Level::Info && m.starts_with("clock skew corrected "))
        .collect();
    assert_eq!(skews.len(), 1, "{events:?}");
    let skew: i64 = field(&skews[0].1, "skew_seconds").unwrap().parse().unwrap();
    assert!((3598..=3602).contains(&skew), "skew {skew}: {skews:?}");
    assert_eq!(
        field(&skews[0].1, "action"),
        Some("CleanUpInstance"),
        "{skews:?}"
    );
    // The refused attempt is logged with its code, the re-signed one as attempt 1 again.
    let attempts: Vec<_> = events
        .iter()
        .filter(|(_, m)| m.starts_with("attempt "))
        .map(|(_, m)| {
            (
                field(m, "attempt"),
                field(m, "api_error"),
                field(m, "status"),
            )
        })
        .collect();
    assert_eq!(
        attempts,
        [
            (Some("1"), Some("AuthFailure.SignatureExpire"), None),
            (Some("1"), None, Some("200"))
        ],
        "{events:?}"
    );
}

/// Permanent credentials for the first call, temporary ones (with a token) after it.
#[derive(Debug, Default)]
struct Rotating(AtomicUsize);

impl ProvideCredentials for Rotating {
    fn provide(&self) -> Result<Credentials, CredentialsError> {
        match self.0.fetch_add(1, Ordering::SeqCst) {
            0 => Credentials::new("AKIDevents1", SECRET_KEY_1),
            _ => Credentials::new("AKIDevents2", SECRET_KEY_2)?.with_token(TOKEN_2),
        }
    }

    fn name(&self) -> &'static str {
        "rotating-test"
    }
}

#[test]
fn a_credential_refresh_is_logged_without_the_credentials() {
    let _guard = capture();
    let server = FakeServer::start(
        FakeConfig::new()
            .credential("AKIDevents1", SECRET_KEY_1)
            .temporary_credential("AKIDevents2", SECRET_KEY_2, TOKEN_2)
            .instance_in_recycle_bin(ID),
    )
    .unwrap();
    let client = client_builder(&server)
        .credentials_provider(Rotating::default())
        .build()
        .unwrap();
    let task = client
        .clean_up_instance(&CleanUpInstanceRequest::new(ID))
        .unwrap();
    client
        .describe_task_info(&DescribeTaskInfoRequest::new(
            task.task_id.expect("a TaskId") as u64,
        ))
        .unwrap();
    let events = ours();
    let refreshes: Vec<_> = events
        .iter()
        .filter(|(l, m)| *l == log::Level::Info && m.starts_with("credentials refreshed "))
        .collect();
    assert_eq!(refreshes.len(), 1, "{events:?}");
    assert_eq!(
        field(&refreshes[0].1, "provider"),
        Some("rotating-test"),
        "{refreshes:?}"
    );
    assert_no_secret(&server, &[SECRET_KEY_1, SECRET_KEY_2, TOKEN_2]);
}
