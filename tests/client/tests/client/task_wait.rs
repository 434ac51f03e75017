//! `Client::wait_for_task` against the fake, whose cleanup tasks run for a set time.

use std::time::{Duration, Instant};
use tc_redis::{CleanUpInstanceRequest, Client, TaskStatus, WaitError};
use tc_redis_fake::support::client_builder;
use tc_redis_fake::{FakeConfig, FakeServer};

fn client(server: &FakeServer) -> Client {
    client_builder(server).build().unwrap()
}

fn start(config: FakeConfig, id: &str) -> (FakeServer, Client, i64) {
    let server = FakeServer::start(config.instance_in_recycle_bin(id)).unwrap();
    let client = client(&server);
    let task = client
        .clean_up_instance(&CleanUpInstanceRequest::new(id))
        .unwrap()
        .task_id
        .expect("the fake's reply has a TaskId");
    (server, client, task)
}

#[test]
fn waits_until_the_task_succeeds() {
    let config = FakeConfig::new().task_duration(Duration::from_millis(600));
    let (server, client, task) = start(config, "crs-wait0001");
    let mut seen = Vec::new();
    let done = client
        .wait_for_task_with(task, Duration::from_secs(20), |r| {
            seen.push(r.status.clone())
        })
        .unwrap();
    assert_eq!(TaskStatus::parse(&done.status), TaskStatus::Succeeded);
    assert_eq!(done.instance_id.as_deref(), Some("crs-wait0001"));
    // It polled while running, then saw the end: at least two polls, the last one final.
    assert_eq!(
        seen.first().map(String::as_str),
        Some("running"),
        "{seen:?}"
    );
    assert_eq!(seen.last().map(String::as_str), Some("succeed"), "{seen:?}");
    let polls = server
        .requests()
        .iter()
        .filter(|r| r.header("x-tc-action") == Some("DescribeTaskInfo"))
        .count();
    assert_eq!(polls, seen.len());
}

#[test]
fn a_failed_task_is_an_error_with_its_message() {
    let config = FakeConfig::new().failing_task("crs-wait0002");
    let (_server, client, task) = start(config, "crs-wait0002");
    match client.wait_for_task(task, Duration::from_secs(10)) {
        Err(WaitError::TaskFailed(r)) => {
            assert_eq!(r.status, "failed");
            assert!(!r.task_message.is_empty());
            assert!(
                WaitError::TaskFailed(r)
                    .to_string()
                    .contains("crs-wait0002")
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn times_out_while_the_task_runs() {
    let config = FakeConfig::new().task_duration(Duration::from_secs(60));
    let (_server, client, task) = start(config, "crs-wait0003");
    let t0 = Instant::now();
    match client.wait_for_task(task, Duration::from_millis(300)) {
        Err(WaitError::Timeout { waited, last }) => {
            assert!(waited >= Duration::from_millis(300), "{waited:?}");
            assert_eq!(last.status, "running");
        }
        other => panic!("{other:?}"),
    }
    assert!(t0.elapsed() < Duration::from_secs(5), "{:?}", t0.elapsed());
}

#[test]
fn an_unknown_task_is_a_poll_error() {
    let server = FakeServer::start(FakeConfig::new()).unwrap();
    match client(&server).wait_for_task(999_999, Duration::from_secs(5)) {
        Err(WaitError::Poll(tc_redis::Error::Api(e))) => {
            assert_eq!(
                e.code,
                tc_redis::DescribeTaskInfoErrorCode::InvalidParameterInvalidParameter
            )
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_negative_or_zero_task_id_is_refused_before_sending() {
    let server = FakeServer::start(FakeConfig::new()).unwrap();
    for id in [-1, 0] {
        match client(&server).wait_for_task(id, Duration::from_secs(5)) {
            Err(WaitError::InvalidTaskId(got)) if got == id => {}
            other => panic!("task {id}: {other:?}"),
        }
    }
    assert_eq!(server.stats().requests, 0, "task 0 and -1 are never polled");
}
