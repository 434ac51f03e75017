//! The standalone `tc-redis-fake` program: endpoint on the first stdout line, flags applied.

use crate::client::{Call, Envelope};
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Command, Stdio};

#[test]
fn prints_its_endpoint_first_and_serves_the_flags() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tc-redis-fake"))
        .args([
            "--instance",
            "crs-bin00001",
            "--running-instance",
            "crs-bin00002",
        ])
        .args(["--secret-id", "AKIDbinary", "--secret-key", "binaryKey"])
        .args(["--no-rate-limit"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("tc-redis-fake starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut next = || lines.next().unwrap().unwrap();
    let endpoint = next();
    // Then what it accepts, as shell lines: the test key pair, the extra SecretId (never its
    // key), the instances.
    let accepted: Vec<String> = (0..5).map(|_| next()).collect();
    assert_eq!(
        accepted[1..3],
        [
            format!(
                "export TENCENTCLOUD_SECRET_ID={}",
                tc_redis_fake::DEFAULT_SECRET_ID
            ),
            format!(
                "export TENCENTCLOUD_SECRET_KEY={}",
                tc_redis_fake::DEFAULT_SECRET_KEY
            ),
        ]
    );
    assert_eq!(
        accepted[3],
        "# Accepted too: SecretId AKIDbinary with the --secret-key given"
    );
    assert_eq!(
        accepted[4],
        "# In the recycle bin: crs-bin00001; running: crs-bin00002"
    );
    assert!(!accepted.concat().contains("binaryKey"), "{accepted:?}");
    let result = std::panic::catch_unwind(|| {
        let host = endpoint
            .strip_prefix("http://")
            .unwrap_or_else(|| panic!("endpoint {endpoint:?}"));
        let addr: SocketAddr = host.parse().unwrap();
        let mut c = Call::new(
            host,
            "CleanUpInstance",
            br#"{"InstanceId":"crs-bin00001"}"#.to_vec(),
        );
        (c.secret_id, c.secret_key) = ("AKIDbinary".into(), "binaryKey".into());
        c.send(addr).unwrap().assert_success();
        c.send(addr)
            .unwrap()
            .assert_error("ResourceUnavailable.InstanceStatusAbnormal");
        // --no-rate-limit: 30 more in a burst are all answered by the action.
        for _ in 0..30 {
            c.send(addr)
                .unwrap()
                .assert_error("ResourceUnavailable.InstanceStatusAbnormal");
        }
    });
    child.kill().unwrap();
    child.wait().unwrap();
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

#[test]
fn rejects_unknown_flags() {
    let out = Command::new(env!("CARGO_BIN_EXE_tc-redis-fake"))
        .arg("--bogus")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown argument --bogus"));
}
