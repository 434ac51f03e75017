//! One cancellation (issue 18): a [`Cancel`] handle fired from another thread ends the retry
//! wait, the rate limiter's wait and task waiting at once, and no request starts after it. Real
//! time, the system clock and the fake on loopback: the waits are long, the cancel short.

use std::time::{Duration, Instant};
use tc_redis::{
    Cancel, CleanUpInstanceErrorCode as Code, CleanUpInstanceRequest, CommonErrorCode, Error,
    Outcome, RateLimit, RetryPolicy, WaitError,
};
use tc_redis_fake::support::client_builder;
use tc_redis_fake::{FakeConfig, FakeServer, Fault};

const IDS: [&str; 2] = ["crs-cancel01", "crs-cancel02"];

fn server() -> FakeServer {
    let mut config = FakeConfig::new().task_duration(Duration::from_secs(3600));
    for id in IDS {
        config = config.instance_in_recycle_bin(id);
    }
    FakeServer::start(config).unwrap()
}

/// Fires `cancel` after `after`, from another thread.
fn cancel_after(cancel: &Cancel, after: Duration) -> std::thread::JoinHandle<()> {
    let cancel = cancel.clone();
    std::thread::spawn(move || {
        std::thread::sleep(after);
        cancel.cancel();
    })
}

fn cleanups(s: &FakeServer) -> usize {
    s.requests()
        .iter()
        .filter(|r| r.header("X-TC-Action") == Some("CleanUpInstance"))
        .count()
}

#[test]
fn a_cancel_during_the_retry_wait_sends_nothing_more_and_reports_the_refusal() {
    let s = server();
    s.set_fault(Some(Fault::ErrorFirst {
        code: "RequestLimitExceeded".into(),
        count: 1,
    }));
    let cancel = Cancel::new();
    let client = client_builder(&s)
        .retry(
            RetryPolicy::default()
                .max_attempts(3)
                .initial_backoff(Duration::from_secs(20))
                .max_backoff(Duration::from_secs(20)),
        )
        .cancel(cancel.clone())
        .build()
        .unwrap();
    let canceller = cancel_after(&cancel, Duration::from_millis(200));
    let started = Instant::now();
    let err = client
        .clean_up_instance(&CleanUpInstanceRequest::new(IDS[0]))
        .unwrap_err();
    let took = started.elapsed();
    canceller.join().unwrap();
    assert!(took < Duration::from_secs(5), "the wait lasted {took:?}");
    match &err {
        Error::Cancelled {
            previous: Some(previous),
        } => assert!(
            matches!(
                previous.as_ref(),
                Error::Api(e) if e.code == Code::Common(CommonErrorCode::RequestLimitExceeded)
            ),
            "{previous:?}"
        ),
        other => panic!("{other:?}"),
    }
    // The refusal said the action did not run; its request id is the error's.
    assert_eq!(err.outcome(), Outcome::Refused);
    assert!(err.request_id().is_some(), "{err:?}");
    // Well after the wait would have ended: exactly the one attempt reached the fake.
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(cleanups(&s), 1);
    // And every later call is refused before sending.
    let err = client
        .clean_up_instance(&CleanUpInstanceRequest::new(IDS[1]))
        .unwrap_err();
    assert!(
        matches!(err, Error::Cancelled { previous: None }),
        "{err:?}"
    );
    assert_eq!(err.outcome(), Outcome::NotSent);
    assert_eq!(cleanups(&s), 1);
}

#[test]
fn a_cancel_during_the_rate_limiters_wait_sends_nothing() {
    let s = server();
    let cancel = Cancel::new();
    let client = client_builder(&s)
        .rate_limit(RateLimit::PerSecond(1))
        .cancel(cancel.clone())
        .build()
        .unwrap();
    client
        .clean_up_instance(&CleanUpInstanceRequest::new(IDS[0]))
        .unwrap();
    // The next slot is a second away; the cancel comes first.
    let canceller = cancel_after(&cancel, Duration::from_millis(100));
    let started = Instant::now();
    let err = client
        .clean_up_instance(&CleanUpInstanceRequest::new(IDS[1]))
        .unwrap_err();
    canceller.join().unwrap();
    assert!(
        started.elapsed() < Duration::from_millis(800),
        "{:?}",
        started.elapsed()
    );
    assert!(
        matches!(err, Error::Cancelled { previous: None }),
        "{err:?}"
    );
    std::thread::sleep(Duration::from_millis(1200));
    assert_eq!(cleanups(&s), 1, "the limited request never left");
}

#[test]
fn a_cancel_during_task_waiting_returns_at_once_with_the_last_status() {
    let s = server();
    let cancel = Cancel::new();
    let client = client_builder(&s).cancel(cancel.clone()).build().unwrap();
    let task = client
        .clean_up_instance(&CleanUpInstanceRequest::new(IDS[0]))
        .unwrap()
        .task_id
        .unwrap();
    let canceller = cancel_after(&cancel, Duration::from_millis(200));
    let started = Instant::now();
    let err = client
        .wait_for_task(task, Duration::from_secs(600))
        .unwrap_err();
    canceller.join().unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    match err {
        WaitError::Cancelled { last: Some(last) } => assert_eq!(last.status, "running"),
        other => panic!("{other:?}"),
    }
    let polls = |s: &FakeServer| {
        s.requests()
            .iter()
            .filter(|r| r.header("X-TC-Action") == Some("DescribeTaskInfo"))
            .count()
    };
    let seen = polls(&s);
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(polls(&s), seen, "no poll after the cancel");
}
