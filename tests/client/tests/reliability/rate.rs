//! Client-side rate limiting: a token bucket per action at the spec's rate (20/s for
//! CleanUpInstance), shared by clones and threads; `RateLimit::Off` disables it. The one test
//! against the fake's real-time limit takes about 2.2 s; the others never really wait.

use std::sync::Arc;
use std::time::{Duration, Instant};
use tc_redis::CommonErrorCode;
use tc_redis::{CleanUpInstanceRequest, ClientBuilder, Error, RateLimit, RetryPolicy};
use tc_redis_fake::support::{ManualClock, client_builder, system_now};
use tc_redis_fake::{FakeConfig, FakeServer};

/// A clock frozen at the time it was made, recording every sleep without waiting: the limiter
/// then hands out its slots as if every request came at once.
fn frozen_clock() -> ManualClock {
    ManualClock::frozen(system_now())
}

fn ids(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("crs-bin{i:05}")).collect()
}

fn server(ids: &[String], rate_limit: Option<u32>) -> FakeServer {
    let mut config = FakeConfig::new().rate_limit(rate_limit);
    for id in ids {
        config = config.instance_in_recycle_bin(id.clone());
    }
    FakeServer::start(config).unwrap()
}

/// The positions of the sends the fake refused for their rate.
fn rate_limited(s: &FakeServer) -> Vec<usize> {
    s.requests()
        .iter()
        .enumerate()
        .filter(|(_, r)| {
            r.error_code
                .as_deref()
                .is_some_and(|c| c.starts_with("RequestLimitExceeded"))
        })
        .map(|(i, _)| i)
        .collect()
}

/// 45 sequential calls through `client` on distinct recycle-bin instances, against the fake's
/// real-time 20/s limit: all succeed and the server never refused one for its rate.
fn paced_loop_stays_under_the_limit(configure: impl FnOnce(ClientBuilder) -> ClientBuilder) {
    let ids = ids(45);
    let s = server(&ids, Some(20));
    let client = configure(client_builder(&s)).build().unwrap();
    let started = Instant::now();
    for id in &ids {
        let reply = client.clean_up_instance(&CleanUpInstanceRequest::new(id.as_str()));
        assert!(reply.is_ok(), "{id}: {reply:?}");
    }
    let elapsed = started.elapsed();
    let refused = rate_limited(&s);
    assert!(
        refused.is_empty(),
        "sends refused for their rate: {refused:?}"
    );
    assert_eq!(s.requests().len(), 45);
    // 45 sends at most 20/s: the first at once, then one every 50 ms or more.
    assert!(elapsed >= Duration::from_millis(2150), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(6), "{elapsed:?}");
}

#[test]
fn default_limiter_keeps_a_loop_under_the_servers_limit() {
    // The client's defaults: RateLimit::FromSpec (20/s) and 3 attempts.
    paced_loop_stays_under_the_limit(|b| b);
}

#[test]
fn a_limiter_with_a_margin_keeps_a_loop_under_the_servers_limit() {
    // What the default should achieve: 19/s leaves the margin that exact 20/s spacing lacks.
    paced_loop_stays_under_the_limit(|b| {
        b.rate_limit(RateLimit::PerSecond(19))
            .retry(RetryPolicy::none())
    });
}

#[test]
fn without_the_limiter_the_server_refuses_a_burst() {
    let ids = ids(30);
    let s = server(&ids, Some(20));
    let client = client_builder(&s)
        .rate_limit(RateLimit::Off)
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let mut refused = 0;
    for id in &ids {
        match client.clean_up_instance(&CleanUpInstanceRequest::new(id.as_str())) {
            Ok(_) => {}
            Err(Error::Api(e)) if e.code == CommonErrorCode::RequestLimitExceeded => {
                assert!(!e.request_id.is_empty());
                refused += 1;
            }
            Err(e) => panic!("{id}: {e:?}"),
        }
    }
    assert!(refused > 0, "30 unpaced calls all passed a 20/s limit");
    assert_eq!(rate_limited(&s).len(), refused);
    assert_eq!(s.requests().len(), 30, "retries are off: one send each");
}

#[test]
fn clones_and_threads_share_one_bucket() {
    let ids = ids(40);
    let s = server(&ids, None);
    let clock = frozen_clock();
    let client = client_builder(&s).clock(clock.clone()).build().unwrap();
    let ids = Arc::new(ids);
    let handles: Vec<_> = (0..4)
        .map(|t| {
            let (client, ids) = (client.clone(), ids.clone());
            std::thread::spawn(move || {
                for id in &ids[t * 10..(t + 1) * 10] {
                    client
                        .clean_up_instance(&CleanUpInstanceRequest::new(id.as_str()))
                        .unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    // 40 slots at 20/s (+5 % margin) from one bucket: waits of 52.5 ms, 105 ms, ... each once.
    let mut sleeps = clock.sleeps();
    sleeps.sort();
    let expected: Vec<Duration> = (1..40).map(|k| Duration::from_micros(52_500 * k)).collect();
    assert_eq!(sleeps, expected);
    assert_eq!(s.requests().len(), 40);
}

#[test]
fn separate_clients_have_separate_buckets() {
    let ids = ids(2);
    let s = server(&ids, None);
    let clock = frozen_clock();
    for id in &ids {
        let client = client_builder(&s).clock(clock.clone()).build().unwrap();
        client
            .clean_up_instance(&CleanUpInstanceRequest::new(id.as_str()))
            .unwrap();
    }
    assert!(clock.sleeps().is_empty(), "{:?}", clock.sleeps());
}

#[test]
fn per_second_override_and_off() {
    let ids = ids(10);
    let s = server(&ids, None);
    let clock = frozen_clock();
    let client = client_builder(&s)
        .clock(clock.clone())
        .rate_limit(RateLimit::PerSecond(4))
        .build()
        .unwrap();
    for id in &ids[..5] {
        client
            .clean_up_instance(&CleanUpInstanceRequest::new(id.as_str()))
            .unwrap();
    }
    // 4/s plus the 5 % margin: 262.5 ms apart.
    let expected: Vec<Duration> = (1..5).map(|k| Duration::from_micros(262_500 * k)).collect();
    assert_eq!(clock.sleeps(), expected);

    let clock = frozen_clock();
    let client = client_builder(&s)
        .clock(clock.clone())
        .rate_limit(RateLimit::Off)
        .build()
        .unwrap();
    for id in &ids[5..] {
        client
            .clean_up_instance(&CleanUpInstanceRequest::new(id.as_str()))
            .unwrap();
    }
    assert!(clock.sleeps().is_empty(), "{:?}", clock.sleeps());
    assert_eq!(s.requests().len(), 10);
}
