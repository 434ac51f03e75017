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
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let endpoint = line.trim_end().to_owned();
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
