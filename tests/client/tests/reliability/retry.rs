//! Retries of what was certainly not executed (`RequestLimitExceeded*`), each attempt re-signed,
//! no sleep after the last, a retry that succeeds returning its success; and the clock-skew
//! correction from `AuthFailure.SignatureExpire`. No real waiting: the client's clock is fake.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tc_redis::CommonErrorCode;
use tc_redis::{
    CleanUpInstanceErrorCode as Code, CleanUpInstanceRequest, CleanUpInstanceResponse, Client,
    ClientBuilder, Error, RateLimit, RetryPolicy,
};
use tc_redis_fake::support::{ManualClock, client_builder, system_now};
use tc_redis_fake::{FakeConfig, FakeServer, Fault, InstanceStatus, RecordedRequest};

const ID: &str = "crs-inbin001";
const ID2: &str = "crs-inbin002";

type Outcome = Result<CleanUpInstanceResponse, Error<Code>>;

fn server(fault: Option<Fault>) -> FakeServer {
    let s = FakeServer::start(
        FakeConfig::new()
            .instance_in_recycle_bin(ID)
            .instance_in_recycle_bin(ID2),
    )
    .unwrap();
    s.set_fault(fault);
    s
}

fn rate_limited(count: usize) -> Option<Fault> {
    Some(Fault::ErrorFirst {
        code: "RequestLimitExceeded".into(),
        count,
    })
}

/// A default client for `s` on `clock`.
fn builder(s: &FakeServer, clock: &ManualClock) -> ClientBuilder {
    client_builder(s).clock(clock.clone())
}

fn clean(client: &Client, id: &str) -> Outcome {
    client.clean_up_instance(&CleanUpInstanceRequest::new(id))
}

/// Asserts that the fake answered with these error codes in order (`None`: a success), the
/// last answer being `reply`; returns the requests.
#[track_caller]
fn assert_answers(
    s: &FakeServer,
    expected: &[Option<&str>],
    reply: &CleanUpInstanceResponse,
) -> Vec<RecordedRequest> {
    let rec = s.requests();
    let codes: Vec<Option<&str>> = rec.iter().map(|r| r.error_code.as_deref()).collect();
    assert_eq!(codes, expected);
    assert_eq!(
        rec.last().and_then(|r| r.request_id.as_deref()),
        Some(reply.request_id.as_str())
    );
    rec
}

fn timestamp(r: &RecordedRequest) -> u64 {
    r.header("x-tc-timestamp").unwrap().parse().unwrap()
}

#[test]
fn rate_limited_twice_then_success_returns_the_third_attempts_success() {
    let s = server(rate_limited(2));
    let clock = ManualClock::system_offset(0);
    let client = builder(&s, &clock).build().unwrap();
    let reply = clean(&client, ID).unwrap();
    // The success returned is the third attempt's: its request id and its TaskId.
    let limited = Some("RequestLimitExceeded");
    let rec = assert_answers(&s, &[limited, limited, None], &reply);
    assert_eq!(reply.task_id, Some(10856));
    assert_eq!(s.instance(ID), Some(InstanceStatus::CleanedUp));
    // Two backoffs (0.5 s then 1 s, jittered into [d/2, d]), none after the success.
    let sleeps = clock.sleeps();
    assert_eq!(sleeps.len(), 2, "{sleeps:?}");
    assert!((250..=500).contains(&sleeps[0].as_millis()), "{sleeps:?}");
    assert!((500..=1000).contains(&sleeps[1].as_millis()), "{sleeps:?}");
    // Every attempt carried the same body.
    assert!(rec.iter().all(|r| r.body == rec[0].body));
}

#[test]
fn each_attempt_is_signed_again_with_a_fresh_timestamp() {
    let s = server(rate_limited(2));
    let clock = ManualClock::system_offset(0);
    // Backoffs of at least 1 s, so that the (whole-second) timestamp must move.
    let client = builder(&s, &clock)
        .retry(RetryPolicy::default().initial_backoff(Duration::from_secs(2)))
        .build()
        .unwrap();
    clean(&client, ID).unwrap();
    let rec = s.requests();
    assert_eq!(rec.len(), 3);
    let stamps: Vec<u64> = rec.iter().map(timestamp).collect();
    assert!(stamps[0] < stamps[1] && stamps[1] < stamps[2], "{stamps:?}");
    let start = clock.now().as_secs() - clock.sleeps().iter().sum::<Duration>().as_secs();
    assert!(stamps[0].abs_diff(start) <= 1, "{stamps:?} vs {start}");
    let auths: Vec<&str> = rec
        .iter()
        .map(|r| r.header("authorization").unwrap())
        .collect();
    assert!(
        auths[0] != auths[1] && auths[1] != auths[2] && auths[0] != auths[2],
        "{auths:?}"
    );
}

#[test]
fn rate_limited_on_every_attempt_gives_the_last_error_after_exactly_three_sends() {
    let s = server(rate_limited(5));
    let clock = ManualClock::system_offset(0);
    let client = builder(&s, &clock).build().unwrap();
    match clean(&client, ID) {
        Err(Error::Api(e)) => {
            assert_eq!(e.code, Code::Common(CommonErrorCode::RequestLimitExceeded));
            let rec = s.requests();
            assert_eq!(rec.len(), 3);
            // The error is the last attempt's, with its request id.
            assert_eq!(rec[2].request_id.as_deref(), Some(e.request_id.as_str()));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(s.stats().requests, 3);
    // No sleep after the last attempt.
    assert_eq!(clock.sleeps().len(), 2, "{:?}", clock.sleeps());
    assert_eq!(s.instance(ID), Some(InstanceStatus::InRecycleBin));
}

#[test]
fn max_attempts_is_honoured_exactly() {
    for attempts in [1u32, 2, 5] {
        let s = server(rate_limited(10));
        let clock = ManualClock::system_offset(0);
        let client = builder(&s, &clock)
            .retry(RetryPolicy::default().max_attempts(attempts))
            .build()
            .unwrap();
        let err = clean(&client, ID).unwrap_err();
        assert_eq!(
            err.code(),
            Some(&Code::Common(CommonErrorCode::RequestLimitExceeded))
        );
        assert_eq!(s.requests().len(), attempts as usize);
        assert_eq!(clock.sleeps().len(), attempts as usize - 1);
    }
}

#[test]
fn backoff_is_capped_by_max_backoff() {
    let s = server(rate_limited(10));
    let clock = ManualClock::system_offset(0);
    // The limiter off: a jittered 50 ms backoff is shorter than its 52.5 ms spacing, and its
    // top-up wait would count as one more sleep.
    let client = builder(&s, &clock)
        .rate_limit(RateLimit::Off)
        .retry(
            RetryPolicy::default()
                .max_attempts(6)
                .initial_backoff(Duration::from_millis(100))
                .max_backoff(Duration::from_millis(300)),
        )
        .build()
        .unwrap();
    clean(&client, ID).unwrap_err();
    let sleeps = clock.sleeps();
    assert_eq!(sleeps.len(), 5, "{sleeps:?}");
    assert!(
        sleeps.iter().all(|d| *d <= Duration::from_millis(300)),
        "{sleeps:?}"
    );
    assert!(
        sleeps[2..].iter().all(|d| *d >= Duration::from_millis(150)),
        "{sleeps:?}"
    );
}

#[test]
fn every_request_limit_exceeded_code_is_retried() {
    for code in [
        "RequestLimitExceeded.UinLimitExceeded",
        "RequestLimitExceeded.IPLimitExceeded",
        "RequestLimitExceeded.GlobalRegionUinLimitExceeded",
    ] {
        let s = server(Some(Fault::ErrorFirst {
            code: code.into(),
            count: 1,
        }));
        let clock = ManualClock::system_offset(0);
        let client = builder(&s, &clock).build().unwrap();
        let reply = clean(&client, ID).unwrap();
        assert_answers(&s, &[Some(code), None], &reply);
        assert_eq!(clock.sleeps().len(), 1);
    }
}

#[test]
fn look_alike_codes_are_not_retried() {
    for (code, typed) in [
        (
            "LimitExceeded",
            Code::Common(CommonErrorCode::LimitExceeded),
        ),
        (
            "InternalError",
            Code::Common(CommonErrorCode::InternalError),
        ),
        (
            "ServiceUnavailable",
            Code::Common(CommonErrorCode::ServiceUnavailable),
        ),
        (
            "RequestLimitExceededX",
            Code::Other("RequestLimitExceededX".into()),
        ),
    ] {
        let s = server(Some(Fault::ErrorFirst {
            code: code.into(),
            count: 1,
        }));
        let clock = ManualClock::system_offset(0);
        let client = builder(&s, &clock).build().unwrap();
        let err = clean(&client, ID).unwrap_err();
        assert_eq!(err.code(), Some(&typed), "{code}");
        assert_eq!(err.request_id(), s.requests()[0].request_id.as_deref());
        assert_eq!(s.requests().len(), 1, "{code}");
        assert!(clock.sleeps().is_empty(), "{code}");
    }
}

#[test]
fn retry_policy_none_sends_once() {
    let s = server(rate_limited(1));
    let clock = ManualClock::system_offset(0);
    let client = builder(&s, &clock)
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let err = clean(&client, ID).unwrap_err();
    assert_eq!(
        err.code(),
        Some(&Code::Common(CommonErrorCode::RequestLimitExceeded))
    );
    assert_eq!(err.request_id(), s.requests()[0].request_id.as_deref());
    assert_eq!(s.requests().len(), 1);
    assert!(clock.sleeps().is_empty());
    // The fault is used up: the next call goes through, once.
    clean(&client, ID).unwrap();
    assert_eq!(s.requests().len(), 2);
}

#[test]
fn gateway_5xx_is_not_retried_for_a_non_idempotent_action() {
    let s = server(Some(Fault::HttpStatus(503, "<html>busy</html>".into())));
    let clock = ManualClock::system_offset(0);
    let client = builder(&s, &clock)
        .retry(RetryPolicy::default().max_attempts(5))
        .build()
        .unwrap();
    let err = clean(&client, ID).unwrap_err();
    assert!(matches!(err, Error::Http { status: 503, .. }), "{err:?}");
    assert_eq!(s.requests().len(), 1);
    assert!(clock.sleeps().is_empty());
}

// ---------------------------------------------------------------------------------------------
// Clock skew
// ---------------------------------------------------------------------------------------------

/// Sleeps longer than the rate limiter's spacing (52.5 ms at 20/s, with its 5 % margin): retry
/// backoffs.
fn backoffs(clock: &ManualClock) -> usize {
    clock
        .sleeps()
        .iter()
        .filter(|d| **d > Duration::from_micros(52_500))
        .count()
}

fn check_skew_learnt(offset: i64) {
    let s = server(None);
    let clock = ManualClock::system_offset(offset);
    let client = builder(&s, &clock).build().unwrap();
    assert_eq!(client.clock_skew(), 0);
    let reply = clean(&client, ID).unwrap();
    let rec = assert_answers(&s, &[Some("AuthFailure.SignatureExpire"), None], &reply);
    let skew = client.clock_skew();
    assert!((-offset - 2..=-offset + 2).contains(&skew), "{skew}");
    // The re-signed request carries the server's time, and the correction did not back off
    // (the only wait is the rate limiter's 52.5 ms spacing of two sends at 20/s).
    let server_now = system_now().as_secs();
    assert!(timestamp(&rec[1]).abs_diff(server_now) <= 2);
    assert!(rec[0].header("authorization") != rec[1].header("authorization"));
    assert_eq!(backoffs(&clock), 0, "{:?}", clock.sleeps());

    // The offset is kept: clones share it, and the next call needs one request.
    let clone = client.clone();
    assert_eq!(clone.clock_skew(), skew);
    let err = clean(&clone, ID).unwrap_err();
    assert_eq!(
        err.code(),
        Some(&Code::ResourceUnavailableInstanceStatusAbnormal)
    );
    clean(&client, ID2).unwrap();
    assert_eq!(s.requests().len(), 4);
}

#[test]
fn client_clock_600s_behind_is_corrected_once_and_remembered() {
    check_skew_learnt(-600);
}

#[test]
fn client_clock_600s_ahead_is_corrected_once_and_remembered() {
    check_skew_learnt(600);
}

#[test]
fn skew_correction_works_with_retries_off_and_is_not_an_attempt() {
    let s = server(None);
    let clock = ManualClock::system_offset(-600);
    let client = builder(&s, &clock)
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    clean(&client, ID).unwrap();
    assert_eq!(s.requests().len(), 2);

    // Rate limited once, then the skew: 2 attempts allowed, 3 sends (the re-sign is free).
    let s = server(rate_limited(1));
    let clock = ManualClock::system_offset(-600);
    let client = builder(&s, &clock)
        .retry(RetryPolicy::default().max_attempts(2))
        .build()
        .unwrap();
    let reply = clean(&client, ID).unwrap();
    let expected = [
        Some("RequestLimitExceeded"),
        Some("AuthFailure.SignatureExpire"),
        None,
    ];
    assert_answers(&s, &expected, &reply);
    assert_eq!(backoffs(&clock), 1, "{:?}", clock.sleeps());
}

#[test]
fn skew_is_corrected_at_most_once_per_call() {
    // A server whose clock jumps 1000 s at every reading: the learnt offset is always stale.
    let ticks = Arc::new(AtomicU64::new(0));
    let base = system_now().as_secs();
    let server_clock = {
        let ticks = ticks.clone();
        Arc::new(move || base + 1000 * ticks.fetch_add(1, Ordering::SeqCst))
    };
    let s = FakeServer::start(
        FakeConfig::new()
            .instance_in_recycle_bin(ID)
            .clock(server_clock),
    )
    .unwrap();
    ticks.store(1, Ordering::SeqCst);
    let clock = ManualClock::system_offset(0);
    let client = builder(&s, &clock).build().unwrap();
    match clean(&client, ID) {
        Err(Error::Api(e)) => {
            assert_eq!(
                e.code,
                Code::Common(CommonErrorCode::AuthFailureSignatureExpire)
            );
            assert_eq!(
                s.requests()[1].request_id.as_deref(),
                Some(e.request_id.as_str())
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(s.requests().len(), 2, "no loop, no retry of a stale skew");
    assert_eq!(backoffs(&clock), 0, "{:?}", clock.sleeps());
}
