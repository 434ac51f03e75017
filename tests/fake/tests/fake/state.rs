//! State transitions, TaskIds, DescribeTaskInfo, GET requests and the per-action rate limit.

use crate::client::{self, Call, Envelope};
use std::time::{Duration, Instant};
use tc_redis::sign::{self, SigningKey};
use tc_redis_fake::{
    DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, FakeConfig, FakeServer, InstanceStatus,
};

#[test]
fn clean_up_succeeds_once_then_the_instance_is_abnormal() {
    let s = FakeServer::start(FakeConfig::new().instance_in_recycle_bin("crs-aaaa0001")).unwrap();
    let c = Call::clean_up(&s, "crs-aaaa0001");
    let ok = c.send(s.addr()).unwrap();
    let r = ok.assert_success();
    assert_eq!(
        r.as_object().unwrap().len(),
        2,
        "TaskId and RequestId only: {r}"
    );
    assert!(r["TaskId"].is_u64(), "{r}");
    assert_eq!(s.instance("crs-aaaa0001"), Some(InstanceStatus::CleanedUp));
    c.send(s.addr())
        .unwrap()
        .assert_error("ResourceUnavailable.InstanceStatusAbnormal");
    assert_eq!(s.instance("crs-aaaa0001"), Some(InstanceStatus::CleanedUp));
    assert_eq!(s.instance("crs-never"), None);
}

#[test]
fn task_ids_increase_and_request_ids_are_fresh() {
    let ids = ["crs-aaaa0001", "crs-aaaa0002", "crs-aaaa0003"];
    let config = ids
        .iter()
        .fold(FakeConfig::new(), |c, id| c.instance_in_recycle_bin(*id));
    let s = FakeServer::start(config).unwrap();
    let mut tasks = Vec::new();
    let mut request_ids = Vec::new();
    for id in ids {
        let r = Call::clean_up(&s, id).send(s.addr()).unwrap();
        let response = r.assert_success();
        tasks.push(response["TaskId"].as_u64().unwrap());
        request_ids.push(r.request_id().unwrap());
    }
    assert!(tasks.windows(2).all(|w| w[0] < w[1]), "{tasks:?}");
    request_ids.sort();
    request_ids.dedup();
    assert_eq!(request_ids.len(), 3);
}

#[test]
fn describe_task_info_reports_the_clean_up() {
    let s = FakeServer::start(FakeConfig::new().instance_in_recycle_bin("crs-aaaa0001")).unwrap();
    let task = Call::clean_up(&s, "crs-aaaa0001")
        .send(s.addr())
        .unwrap()
        .assert_success()["TaskId"]
        .as_u64()
        .unwrap();
    let body = format!(r#"{{"TaskId": {task}}}"#).into_bytes();
    let info = Call::new(s.host(), "DescribeTaskInfo", body)
        .send(s.addr())
        .unwrap()
        .assert_success();
    assert_eq!(info["Status"], "succeed");
    assert_eq!(info["InstanceId"], "crs-aaaa0001");
    assert_eq!(info["StartTime"].as_str().map(str::len), Some(19), "{info}");
    let unknown = Call::new(s.host(), "DescribeTaskInfo", br#"{"TaskId": 1}"#.to_vec());
    unknown
        .send(s.addr())
        .unwrap()
        .assert_error("InvalidParameter.InvalidParameter");
    let wrong = Call::new(s.host(), "DescribeTaskInfo", br#"{"TaskId": "x"}"#.to_vec());
    wrong
        .send(s.addr())
        .unwrap()
        .assert_error("InvalidParameter");
}

#[test]
fn get_with_a_signed_query_works() {
    let s = FakeServer::start(FakeConfig::new().instance_in_recycle_bin("crs-aaaa0001")).unwrap();
    let ts = client::unix_now();
    let query = "InstanceId=crs-aaaa0001";
    let host = s.host();
    let signed = [
        ("content-type", "application/x-www-form-urlencoded"),
        ("host", host.as_str()),
    ];
    let canonical = sign::canonical_request("GET", "/", query, &signed, &sign::hash_hex(b""));
    let date = sign::utc_date(ts);
    let scope = sign::credential_scope(&date, "redis");
    let signature = SigningKey::derive(DEFAULT_SECRET_KEY, &date, "redis")
        .sign(&sign::string_to_sign(ts, &scope, &canonical));
    let auth = sign::authorization(DEFAULT_SECRET_ID, &scope, "content-type;host", &signature);
    let headers: Vec<(String, String)> = [
        ("Content-Type", "application/x-www-form-urlencoded"),
        ("Host", host.as_str()),
        ("X-TC-Action", "CleanUpInstance"),
        ("X-TC-Timestamp", &ts.to_string()),
        ("X-TC-Version", "2018-04-12"),
        ("X-TC-Region", "ap-guangzhou"),
        ("Authorization", &auth),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    let r = client::exchange(s.addr(), "GET", &format!("/?{query}"), &headers, b"").unwrap();
    r.assert_success();
    assert_eq!(s.instance("crs-aaaa0001"), Some(InstanceStatus::CleanedUp));
    // The query is signed: another instance id under the same signature fails.
    let r = client::exchange(s.addr(), "GET", "/?InstanceId=crs-aaaa0002", &headers, b"").unwrap();
    r.assert_error("AuthFailure.SignatureFailure");
}

/// Sends `n` CleanUpInstance requests over one keep-alive connection as fast as possible;
/// returns their error codes and the time it took.
fn burst(s: &FakeServer, action: &str, n: usize) -> (Vec<Option<String>>, Duration) {
    let stream = std::net::TcpStream::connect(s.addr()).unwrap();
    let mut reader = std::io::BufReader::new(&stream);
    let start = Instant::now();
    let mut codes = Vec::new();
    for _ in 0..n {
        let c = Call::new(
            s.host(),
            action,
            br#"{"InstanceId": "crs-running1"}"#.to_vec(),
        );
        let bytes = client::request_bytes("POST", "/", &c.headers(), &c.body);
        std::io::Write::write_all(&mut &stream, &bytes).unwrap();
        let r = client::read_response(&mut reader).unwrap();
        codes.push(r.error_code());
    }
    (codes, start.elapsed())
}

#[test]
fn more_than_twenty_per_second_is_request_limit_exceeded() {
    let s = FakeServer::start(FakeConfig::new().running_instance("crs-running1")).unwrap();
    let (codes, took) = burst(&s, "CleanUpInstance", 25);
    let limited = |c: &Option<String>| c.as_deref() == Some("RequestLimitExceeded");
    // The first 20 always pass (the instance is running, so they are business errors).
    assert!(codes[..20].iter().all(|c| !limited(c)), "{codes:?}");
    if took < Duration::from_millis(900) {
        assert!(codes[20..].iter().all(limited), "{codes:?} in {took:?}");
        // Another action has its own budget.
        let (other, _) = burst(&s, "DescribeTaskInfo", 1);
        assert_eq!(other[0].as_deref(), Some("UnknownParameter"));
    }
    // A second later the budget is back.
    std::thread::sleep(Duration::from_millis(1100));
    let (codes, _) = burst(&s, "CleanUpInstance", 1);
    assert_eq!(
        codes[0].as_deref(),
        Some("ResourceUnavailable.InstanceStatusAbnormal")
    );
    let limited_requests = s
        .requests()
        .iter()
        .filter(|r| r.error_code.as_deref() == Some("RequestLimitExceeded"))
        .count();
    assert!(limited_requests >= 1 || took >= Duration::from_millis(900));
}

#[test]
fn rate_limit_can_be_turned_off_or_changed() {
    let s = FakeServer::start(
        FakeConfig::new()
            .running_instance("crs-running1")
            .rate_limit(None),
    )
    .unwrap();
    let (codes, _) = burst(&s, "CleanUpInstance", 60);
    assert!(
        codes
            .iter()
            .all(|c| c.as_deref() == Some("ResourceUnavailable.InstanceStatusAbnormal")),
        "{codes:?}"
    );
    let s = FakeServer::start(
        FakeConfig::new()
            .running_instance("crs-running1")
            .rate_limit(Some(2)),
    )
    .unwrap();
    let (codes, took) = burst(&s, "CleanUpInstance", 3);
    if took < Duration::from_millis(900) {
        assert_eq!(codes[2].as_deref(), Some("RequestLimitExceeded"));
    }
}
