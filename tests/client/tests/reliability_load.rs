//! Load: 8 threads × 1,000 successful CleanUpInstance calls through one shared client against a
//! fake with 8,000 recycle-bin instances. No failure, at most one connection per thread (the
//! keep-alive pool is reused), and no memory growth worth the name (measured with the fake in
//! another process, whose request log would otherwise dominate).
//!
//! `cargo test --release -p tc-redis-client-tests --test reliability_load -- --nocapture` prints the
//! numbers.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Instant;
use tc_redis::{CleanUpInstanceRequest, Client, RateLimit, RetryPolicy};
use tc_redis_fake::support::endpoint_builder;
use tc_redis_fake::{FakeConfig, FakeServer, InstanceStatus};

const THREADS: usize = 8;
const CALLS: usize = 1_000;

/// Resident memory of this process, in KiB (`VmRSS` of `/proc/self/status`).
fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

fn id(thread: usize, call: usize) -> String {
    format!("crs-t{thread}c{call:05}")
}

/// Each thread makes `calls` calls on its own instances, `[from, from + calls)`.
fn run(client: &Client, from: usize, calls: usize) -> usize {
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let client = client.clone();
            std::thread::spawn(move || {
                let mut failures = 0;
                for c in from..from + calls {
                    match client.clean_up_instance(&CleanUpInstanceRequest::new(id(t, c))) {
                        Ok(reply) => {
                            assert!(reply.task_id.is_some_and(|id| id >= 10856), "{reply:?}")
                        }
                        Err(e) => {
                            eprintln!("thread {t} call {c}: {e}");
                            failures += 1;
                        }
                    }
                }
                failures
            })
        })
        .collect();
    handles.into_iter().map(|h| h.join().unwrap()).sum()
}

fn client(endpoint: String) -> Client {
    endpoint_builder(endpoint)
        .rate_limit(RateLimit::Off)
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
}

/// The fake as a child process, killed on drop, so that its request log does not count in this
/// process's memory.
struct FakeProcess(Child);

impl FakeProcess {
    fn start() -> (FakeProcess, String) {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_tc-redis-fake-process"));
        cmd.arg("--no-rate-limit");
        for t in 0..THREADS {
            for c in 0..CALLS {
                cmd.arg("--instance").arg(id(t, c));
            }
        }
        let mut child = cmd.stdout(Stdio::piped()).spawn().unwrap();
        let mut endpoint = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut endpoint)
            .unwrap();
        (FakeProcess(child), endpoint.trim().to_owned())
    }
}

impl Drop for FakeProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// One test, so that no other test of this binary allocates while memory is measured: first
/// the memory phase against a fake in another process, then the connection count against an
/// in-process fake.
#[test]
fn eight_threads_share_one_client() {
    let total = THREADS * CALLS;
    let warm = CALLS / THREADS;

    // Memory: this process holds only the client.
    let (_fake, endpoint) = FakeProcess::start();
    let client_a = client(endpoint);
    let started = Instant::now();
    let mut failures = run(&client_a, 0, warm);
    let rss_warm = rss_kib();
    failures += run(&client_a, warm, CALLS - warm);
    let elapsed = started.elapsed();
    let rss_end = rss_kib();
    println!(
        "load: {total} calls in {elapsed:.2?} ({:.0} calls/s); client VmRSS after {} calls \
         {rss_warm} KiB, at the end {rss_end} KiB (growth {} KiB)",
        total as f64 / elapsed.as_secs_f64(),
        warm * THREADS,
        rss_end as i64 - rss_warm as i64,
    );
    assert_eq!(failures, 0);
    assert!(
        rss_end.saturating_sub(rss_warm) < 20 * 1024,
        "VmRSS grew from {rss_warm} KiB to {rss_end} KiB"
    );
    drop(client_a);

    // Connections: an in-process fake counts them.
    let mut config = FakeConfig::new().rate_limit(None);
    for t in 0..THREADS {
        for c in 0..CALLS {
            config = config.instance_in_recycle_bin(id(t, c));
        }
    }
    let s = FakeServer::start(config).unwrap();
    let client_b = client(s.endpoint());
    let started = Instant::now();
    let failures = run(&client_b, 0, CALLS);
    let elapsed = started.elapsed();
    let stats = s.stats();
    println!(
        "load (fake in process): {total} calls in {elapsed:.2?} ({:.0} calls/s), {} connections",
        total as f64 / elapsed.as_secs_f64(),
        stats.connections,
    );
    assert_eq!(failures, 0);
    assert_eq!(stats.requests, total as u64);
    assert!(
        s.requests().iter().all(|r| r.error_code.is_none()),
        "an API error"
    );
    assert!(stats.connections <= THREADS as u64, "{stats:?}");
    assert_eq!(
        s.instance(&id(7, CALLS - 1)),
        Some(InstanceStatus::CleanedUp)
    );
}
