//! Performance and footprint harness (issue 6): tc-redis against a bare baseline written here
//! with hmac, sha2, serde_json and a ureq `Agent` directly, in the same run.
//!
//! `bench/run` runs everything and prints one table; `cargo bench -p tc-redis --bench perf`
//! runs the timing rows alone. Footprint rows appear when `bench/run` passes, in the
//! environment, the paths of the binaries to run (`TC_REDIS_BENCH_MINIMAL`,
//! `TC_REDIS_BENCH_CLEANUP`) and the figures it measured with cargo and strip
//! (`TC_REDIS_BENCH_MINIMAL_BYTES`, `TC_REDIS_BENCH_SMALL_BYTES`, `TC_REDIS_BENCH_CRATES`;
//! `TC_REDIS_BENCH_LEAN` and `TC_REDIS_BENCH_LEAN_BYTES`: the same program built by `tests/lean`
//! with tc-redis's default features off).
//!
//! The machine is shared and noisy: every figure is the median of several samples, with the
//! minimum and maximum beside it, and tc-redis and the baseline are sampled alternately so that
//! their ratio compares like with like. Nothing here is a test: no figure fails a build.

mod bare;

use bare::hmac;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::hint::black_box;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tc_redis::sign::{self, SigningKey};
use tc_redis::transport::{HttpRequest, HttpResponse, Transport};
use tc_redis::{
    CleanUpInstanceRequest, Client, Credentials, RateLimit, RetryPolicy, TransportError,
};

const SECRET_ID: &str = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE";
const SECRET_KEY: &str = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE";
const REGION: &str = "ap-guangzhou";
const INSTANCE_ID: &str = "crs-5a4py64p";
const HOST: &str = "redis.tencentcloudapi.com";
const SUCCESS_BODY: &[u8] =
    br#"{"Response":{"TaskId":10856,"RequestId":"6ef60bec-0242-43af-bb20-270359fb54a7"}}"#;
/// The fixed timestamp of the sign rows (2019-02-25, the official SDK's example).
const TIMESTAMP: u64 = 1_551_113_065;

// ---------------------------------------------------------------------------------------------
// The bare baseline: what a program with no abstraction writes. Key derivation is cached per day
// like the client's; everything else is done again on every call.

fn hex_into(bytes: &[u8], out: &mut String) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 15)] as char);
    }
}

struct BareSigner {
    secret_id: &'static str,
    secret_key: &'static str,
    host: String,
    /// (days since the epoch, `YYYY-MM-DD`, kSigning).
    cached: Option<(u64, String, [u8; 32])>,
}

impl BareSigner {
    fn new(host: &str) -> BareSigner {
        BareSigner {
            secret_id: SECRET_ID,
            secret_key: SECRET_KEY,
            host: host.to_owned(),
            cached: None,
        }
    }

    fn authorization(&mut self, timestamp: u64, body: &[u8]) -> String {
        let day = timestamp / 86_400;
        if self.cached.as_ref().is_none_or(|c| c.0 != day) {
            let date = bare::utc_date(day);
            let mut seed = b"TC3".to_vec();
            seed.extend_from_slice(self.secret_key.as_bytes());
            let k = hmac(&seed, date.as_bytes());
            let k = hmac(&k, b"redis");
            let k = hmac(&k, b"tc3_request");
            self.cached = Some((day, date, k));
        }
        let (_, date, key) = self.cached.as_ref().expect("just cached");

        let mut canonical = String::with_capacity(160);
        canonical.push_str("POST\n/\n\ncontent-type:application/json\nhost:");
        canonical.push_str(&self.host);
        canonical.push_str("\n\ncontent-type;host\n");
        hex_into(&Sha256::digest(body), &mut canonical);

        let mut to_sign = String::with_capacity(128);
        to_sign.push_str("TC3-HMAC-SHA256\n");
        to_sign.push_str(&timestamp.to_string());
        to_sign.push('\n');
        to_sign.push_str(date);
        to_sign.push_str("/redis/tc3_request\n");
        hex_into(&Sha256::digest(canonical.as_bytes()), &mut to_sign);

        let mut auth = String::with_capacity(200);
        auth.push_str("TC3-HMAC-SHA256 Credential=");
        auth.push_str(self.secret_id);
        auth.push('/');
        auth.push_str(date);
        auth.push_str("/redis/tc3_request, SignedHeaders=content-type;host, Signature=");
        hex_into(&hmac(key, to_sign.as_bytes()), &mut auth);
        auth
    }
}

#[derive(Serialize)]
struct BareRequest<'a> {
    #[serde(rename = "InstanceId")]
    instance_id: &'a str,
}

#[derive(Deserialize)]
struct BareEnvelope {
    #[serde(rename = "Response")]
    response: BareResponse,
}

#[derive(Deserialize)]
struct BareResponse {
    #[serde(rename = "Error")]
    error: Option<BareError>,
    #[serde(rename = "TaskId")]
    task_id: Option<i64>,
    #[serde(rename = "RequestId")]
    request_id: String,
}

#[derive(Deserialize)]
struct BareError {
    #[serde(rename = "Code")]
    code: String,
}

fn bare_parse(body: &[u8]) -> (i64, String) {
    let envelope: BareEnvelope = serde_json::from_slice(body).expect("JSON");
    if let Some(e) = envelope.response.error {
        panic!("API error {}", e.code);
    }
    (
        envelope.response.task_id.expect("TaskId"),
        envelope.response.request_id,
    )
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
}

/// Serialise, sign and build the headers, as the bare program does before sending.
fn bare_prepare(signer: &mut BareSigner) -> (Vec<u8>, String, String) {
    let body = serde_json::to_vec(&BareRequest {
        instance_id: INSTANCE_ID,
    })
    .expect("serialises");
    let timestamp = now_secs();
    let auth = signer.authorization(timestamp, &body);
    (body, timestamp.to_string(), auth)
}

fn bare_call(agent: &ureq::Agent, url: &str, signer: &mut BareSigner) -> i64 {
    let (body, timestamp, auth) = bare_prepare(signer);
    let mut response = agent
        .post(url)
        .header("Content-Type", "application/json")
        .header("X-TC-Action", "CleanUpInstance")
        .header("X-TC-Timestamp", &timestamp)
        .header("X-TC-Version", "2018-04-12")
        .header("X-TC-Region", REGION)
        .header("X-TC-Language", "zh-CN")
        .header("Authorization", &auth)
        .send(&body[..])
        .expect("sent");
    let bytes = response.body_mut().read_to_vec().expect("body");
    bare_parse(&bytes).0
}

// ---------------------------------------------------------------------------------------------
// tc-redis's public signing path, stage by stage, as `Client` runs it.

struct TcSigner {
    credentials: Credentials,
    host: String,
    cached: Option<(String, SigningKey)>,
}

impl TcSigner {
    fn authorization(&mut self, timestamp: u64, body: &[u8]) -> String {
        let c = &self.credentials;
        let hashed_payload = sign::hash_hex(body);
        let headers = [
            ("content-type", "application/json"),
            ("host", self.host.as_str()),
        ];
        let canonical = sign::canonical_request("POST", "/", "", &headers, &hashed_payload);
        let date = sign::utc_date(timestamp);
        let scope = sign::credential_scope(&date, "redis");
        let to_sign = sign::string_to_sign(timestamp, &scope, &canonical);
        if self.cached.as_ref().is_none_or(|k| k.0 != date) {
            let key = SigningKey::derive(c.secret_key(), &date, "redis");
            self.cached = Some((date, key));
        }
        let key = &self.cached.as_ref().expect("just cached").1;
        sign::authorization(
            c.secret_id(),
            &scope,
            "content-type;host",
            &key.sign(&to_sign),
        )
    }
}

/// Answers every request with the same success body, from memory.
#[derive(Debug)]
struct MemoryTransport;

impl Transport for MemoryTransport {
    fn send(&self, request: &HttpRequest<'_>) -> Result<HttpResponse, TransportError> {
        black_box(request);
        Ok(HttpResponse {
            status: 200,
            date: None,
            body: SUCCESS_BODY.to_vec(),
        })
    }
}

// ---------------------------------------------------------------------------------------------
// A minimal fast HTTP/1.1 server: one thread per connection, keep-alive, a canned 200. It runs
// in a child process (this program again, with `SERVE_ENV` set), so that the getrusage of this
// process counts the client side alone, helper threads included.

const SERVE_ENV: &str = "TC_REDIS_BENCH_SERVE";

/// The child: prints its URL, serves until its standard input closes (the parent is gone).
fn serve_forever() -> ! {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let _ = serve(stream);
            });
        }
    });
    println!("http://{addr}");
    let _ = std::io::stdout().flush();
    let _ = std::io::copy(&mut std::io::stdin(), &mut std::io::sink());
    std::process::exit(0)
}

/// The server process; it exits when this handle drops (its standard input closes).
struct Server {
    child: Child,
    url: String,
}

impl Server {
    fn start() -> Server {
        let mut child = Command::new(std::env::current_exe().expect("own path"))
            .env(SERVE_ENV, "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("server process");
        let mut url = String::new();
        BufReader::new(child.stdout.take().expect("piped"))
            .read_line(&mut url)
            .expect("server URL");
        Server {
            child,
            url: url.trim().to_owned(),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

fn serve(stream: TcpStream) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    let mut response = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
         Date: Mon, 25 Feb 2019 16:44:25 GMT\r\nConnection: keep-alive\r\n\r\n",
        SUCCESS_BODY.len()
    )
    .into_bytes();
    response.extend_from_slice(SUCCESS_BODY);
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::with_capacity(16 * 1024, stream);
    let mut line = Vec::with_capacity(256);
    let mut body = Vec::with_capacity(256);
    loop {
        let mut content_length = 0usize;
        loop {
            line.clear();
            if reader.read_until(b'\n', &mut line)? == 0 {
                return Ok(());
            }
            if line == b"\r\n" {
                break;
            }
            if line.len() > 15 && line[..15].eq_ignore_ascii_case(b"content-length:") {
                content_length = std::str::from_utf8(&line[15..])
                    .ok()
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(0);
            }
        }
        body.resize(content_length, 0);
        reader.read_exact(&mut body)?;
        writer.write_all(&response)?;
    }
}

// ---------------------------------------------------------------------------------------------
// Measurement.

#[derive(Clone, Copy)]
struct Summary {
    median: f64,
    min: f64,
    max: f64,
}

fn summarize(mut v: Vec<f64>) -> Summary {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let median = if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    };
    Summary {
        median,
        min: v[0],
        max: v[n - 1],
    }
}

/// How many iterations take about `target`.
fn calibrate(target: Duration, f: &mut dyn FnMut()) -> usize {
    let mut n = 1usize;
    loop {
        let start = Instant::now();
        for _ in 0..n {
            f();
        }
        let took = start.elapsed();
        if took >= target / 4 {
            let per = took.as_secs_f64() / n as f64;
            return ((target.as_secs_f64() / per) as usize).max(1);
        }
        n *= 2;
    }
}

/// Nanoseconds per iteration of `a` and of `b`, sampled alternately (a b, b a, a b, ...) in
/// short samples, so that sample `i` of each ran at nearly the same time.
fn paired(samples: usize, a: &mut dyn FnMut(), b: &mut dyn FnMut()) -> (Vec<f64>, Vec<f64>) {
    let target = Duration::from_millis(10);
    let na = calibrate(target, a);
    let nb = calibrate(target, b);
    let time = |f: &mut dyn FnMut(), n: usize| {
        let start = Instant::now();
        for _ in 0..n {
            f();
        }
        start.elapsed().as_nanos() as f64 / n as f64
    };
    let (mut ta, mut tb) = (Vec::new(), Vec::new());
    for i in 0..samples {
        if i % 2 == 0 {
            ta.push(time(a, na));
            tb.push(time(b, nb));
        } else {
            tb.push(time(b, nb));
            ta.push(time(a, na));
        }
    }
    (ta, tb)
}

/// User plus system CPU time of the calling thread (`RUSAGE_THREAD`) or of this whole process
/// (`RUSAGE_SELF`).
fn cpu_time(who: libc::c_int) -> Duration {
    // SAFETY: getrusage writes one `rusage` through a valid pointer.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::getrusage(who, &mut ru) };
    assert_eq!(rc, 0, "getrusage");
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(ru.ru_utime) + tv(ru.ru_stime)
}

const GNU_TIME: &str = "/usr/bin/time";
const RSS_MARK: &str = "tc-redis-bench maxrss KiB:";

/// Runs `program` to completion; its peak resident set in KiB and its standard output.
///
/// Through GNU time when it is installed: a child spawned straight from this (larger) process
/// would report this process's resident set as its own peak, since Linux carries the pre-exec
/// peak of the forked copy over into `ru_maxrss`. Without it, `wait4` gives that upper bound.
fn peak_rss_kib(
    program: &str,
    args: &[&str],
    envs: &[(&str, &str)],
) -> Result<(i64, String), String> {
    let via_time = std::path::Path::new(GNU_TIME).exists();
    let mut cmd = if via_time {
        let mut c = Command::new(GNU_TIME);
        c.args(["-f", &format!("{RSS_MARK} %M"), program]);
        c
    } else {
        Command::new(program)
    };
    cmd.args(args).envs(envs.iter().copied());
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("spawn {cmd:?}: {e}"))?;
    let mut status = 0;
    // SAFETY: wait4 on our own child, writing one `rusage` through a valid pointer.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut ru) };
    let mut out = String::new();
    let mut err = String::new();
    if let Some(mut s) = child.stdout.take() {
        let _ = s.read_to_string(&mut out);
    }
    if let Some(mut s) = child.stderr.take() {
        let _ = s.read_to_string(&mut err);
    }
    if pid <= 0 || !libc::WIFEXITED(status) || libc::WEXITSTATUS(status) != 0 {
        return Err(format!("{cmd:?} failed (status {status}): {out}{err}"));
    }
    if !via_time {
        return Ok((ru.ru_maxrss, out));
    }
    err.lines()
        .find_map(|l| l.strip_prefix(RSS_MARK))
        .and_then(|v| v.trim().parse().ok())
        .map(|kib| (kib, out))
        .ok_or_else(|| format!("no peak RSS from {GNU_TIME}: {err}"))
}

// ---------------------------------------------------------------------------------------------
// The table.

struct Row {
    name: String,
    median: String,
    min: String,
    max: String,
    baseline: String,
    ratio: String,
    target: String,
    met: String,
}

/// A row from index-aligned samples of tc-redis (`a`) and its baseline (`b`), divided by
/// `scale`. The ratio is the median of the per-sample ratios `a[i] / b[i]`: samples taken at
/// nearly the same time share the machine's load, which the ratio of the medians does not
/// always. `target: None` marks a diagnostic row.
fn timing_row(
    name: &str,
    unit: &str,
    scale: f64,
    a: &[f64],
    b: &[f64],
    target: Option<f64>,
) -> Row {
    let scaled = |v: &[f64]| summarize(v.iter().map(|x| x / scale).collect());
    let (s, base) = (scaled(a), scaled(b));
    let ratios = summarize(a.iter().zip(b).map(|(x, y)| x / y).collect());
    let ratio = ratios.median;
    Row {
        name: name.to_owned(),
        median: format!("{:.2} {unit}", s.median),
        min: format!("{:.2}", s.min),
        max: format!("{:.2}", s.max),
        baseline: format!(
            "{:.2} {unit} ({:.2}–{:.2})",
            base.median, base.min, base.max
        ),
        ratio: format!("{ratio:.2}x ({:.2}–{:.2})", ratios.min, ratios.max),
        target: target.map_or("(diagnostic)".to_owned(), |t| format!("≤ {t}x")),
        met: match target {
            Some(t) if ratio <= t => "yes".to_owned(),
            Some(t) => format!("missed by {:.2}x", ratio - t),
            None => "–".to_owned(),
        },
    }
}

/// A row of one figure; `met` is filled in by the caller when there is a target.
fn absolute_row(name: &str, value: String, target: &str) -> Row {
    Row {
        name: name.to_owned(),
        median: value,
        min: "–".to_owned(),
        max: "–".to_owned(),
        baseline: "–".to_owned(),
        ratio: "–".to_owned(),
        target: target.to_owned(),
        met: "–".to_owned(),
    }
}

fn print_table(rows: &[Row]) {
    println!(
        "| benchmark | median | min | max | baseline median (min–max) | ratio | target | met? |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for r in rows {
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            r.name, r.median, r.min, r.max, r.baseline, r.ratio, r.target, r.met
        );
    }
    println!();
    println!(
        "Median, min and max over the samples of one run. Timing ratios: the median (min–max) of \
         per-sample ratios, tc-redis and its baseline sampled alternately. CPU: getrusage \
         user+sys over the timed loop; the local server runs in another process. A target \
         that is missed says by how much."
    );
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

fn mb(bytes: f64) -> String {
    format!("{:.2} MB", bytes / 1e6)
}

// ---------------------------------------------------------------------------------------------

fn bench_sign(rows: &mut Vec<Row>, samples: usize) {
    let body = serde_json::to_vec(&CleanUpInstanceRequest::new(INSTANCE_ID)).expect("JSON");
    let mut tc = TcSigner {
        credentials: Credentials::new(SECRET_ID, SECRET_KEY).expect("credentials"),
        host: HOST.to_owned(),
        cached: None,
    };
    let mut bare = BareSigner::new(HOST);
    assert_eq!(
        tc.authorization(TIMESTAMP, &body),
        bare.authorization(TIMESTAMP, &body),
        "the bare signer must sign exactly as tc-redis does"
    );
    let (s, b) = paired(
        samples,
        &mut || {
            black_box(tc.authorization(black_box(TIMESTAMP), black_box(&body)));
        },
        &mut || {
            black_box(bare.authorization(black_box(TIMESTAMP), black_box(&body)));
        },
    );
    rows.push(timing_row(
        "sign (µs/op; baseline: bare hmac+sha2 signer)",
        "µs",
        1e3,
        &s,
        &b,
        Some(1.2),
    ));
}

fn bench_call_in_memory(rows: &mut Vec<Row>, samples: usize) {
    let client = Client::builder()
        .region(REGION)
        .credentials(Credentials::new(SECRET_ID, SECRET_KEY).expect("credentials"))
        .rate_limit(RateLimit::Off)
        .retry(RetryPolicy::default())
        .transport(MemoryTransport)
        .build()
        .expect("client");
    let request = CleanUpInstanceRequest::new(INSTANCE_ID);
    let mut bare = BareSigner::new(HOST);
    let (s, b) = paired(
        samples,
        &mut || {
            let reply = client.clean_up_instance(black_box(&request)).expect("call");
            black_box(reply);
        },
        &mut || {
            let (body, timestamp, auth) = bare_prepare(&mut bare);
            black_box((&body, &timestamp, &auth));
            black_box(bare_parse(black_box(SUCCESS_BODY)));
        },
    );
    rows.push(timing_row(
        "call without network (µs/op; baseline: bare signer + serde_json out and in)",
        "µs",
        1e3,
        &s,
        &b,
        Some(1.5),
    ));
}

fn bench_end_to_end(rows: &mut Vec<Row>, samples: usize, calls: usize) {
    let server = Server::start();
    let url = server.url.as_str();
    let client = Client::builder()
        .region(REGION)
        .endpoint(url)
        .allow_plain_http(true)
        .credentials(Credentials::new(SECRET_ID, SECRET_KEY).expect("credentials"))
        .rate_limit(RateLimit::Off)
        .retry(RetryPolicy::default())
        .build()
        .expect("client");
    let request = CleanUpInstanceRequest::new(INSTANCE_ID);
    let host = url.trim_start_matches("http://");
    // The bare baseline: ureq's defaults, as a program with no abstraction writes it.
    let bare_agent = ureq::Agent::new_with_defaults();
    let mut bare = BareSigner::new(host);
    let mut run_client = || {
        for _ in 0..calls {
            black_box(client.clean_up_instance(&request).expect("call"));
        }
    };
    let mut run_bare = || {
        for _ in 0..calls {
            black_box(bare_call(&bare_agent, url, &mut bare));
        }
    };
    let mut contestants: [&mut dyn FnMut(); 2] = [&mut run_client, &mut run_bare];
    // Warm up: connections open, caches filled.
    for f in contestants.iter_mut() {
        f();
        f();
    }
    // Per contestant: process CPU, thread CPU (µs per call), calls per second.
    let mut figures: [[Vec<f64>; 3]; 2] = Default::default();
    for i in 0..samples {
        for k in 0..2 {
            let c = (i + k) % 2; // alternate the order from sample to sample
            let (process, thread) = (cpu_time(libc::RUSAGE_SELF), cpu_time(libc::RUSAGE_THREAD));
            let start = Instant::now();
            contestants[c]();
            let wall = start.elapsed();
            let per_call = |d: Duration| d.as_secs_f64() * 1e6 / calls as f64;
            figures[c][0].push(per_call(cpu_time(libc::RUSAGE_SELF) - process));
            figures[c][1].push(per_call(cpu_time(libc::RUSAGE_THREAD) - thread));
            figures[c][2].push(calls as f64 / wall.as_secs_f64());
        }
    }
    drop(server);
    let [client_f, bare_f] = &figures;
    rows.push(timing_row(
        &format!(
            "end-to-end client CPU, whole process (µs/call; {calls} calls × {samples} samples, one keep-alive connection; baseline: bare ureq Agent)"
        ),
        "µs",
        1.0,
        &client_f[0],
        &bare_f[0],
        Some(1.1),
    ));
    rows.push(timing_row(
        "end-to-end client CPU, calling thread only (µs/call; baseline: bare ureq Agent)",
        "µs",
        1.0,
        &client_f[1],
        &bare_f[1],
        Some(1.1),
    ));
    // Higher is better: baseline over client, so that ≤ 1 is as good as bare.
    let mut rate = timing_row(
        "end-to-end throughput (calls/s; ratio = baseline/client; baseline: bare ureq Agent)",
        "/s",
        1.0,
        &bare_f[2],
        &client_f[2],
        None,
    );
    (rate.median, rate.min, rate.max, rate.baseline) = {
        let (c, b) = (summarize(client_f[2].clone()), summarize(bare_f[2].clone()));
        (
            format!("{:.0} /s", c.median),
            format!("{:.0}", c.min),
            format!("{:.0}", c.max),
            format!("{:.0} /s ({:.0}–{:.0})", b.median, b.min, b.max),
        )
    };
    rate.target = "–".to_owned();
    rows.push(rate);
}

/// Peak resident set of a few runs of `program`, in KiB.
fn rss_runs(program: &str, args: &[&str], envs: &[(&str, &str)], expect: &str) -> Option<Summary> {
    let mut runs = Vec::new();
    for _ in 0..5 {
        match peak_rss_kib(program, args, envs) {
            Ok((kib, out)) => {
                assert!(out.contains(expect), "{program} printed {out:?}");
                runs.push(kib as f64 * 1024.0);
            }
            Err(e) => {
                eprintln!("{e}");
                return None;
            }
        }
    }
    Some(summarize(runs))
}

fn footprint_row(
    name: &str,
    value: Summary,
    baseline: Option<Summary>,
    target: &str,
    limit: Option<f64>,
) -> Row {
    let mut row = absolute_row(name, mb(value.median), target);
    if let Some(limit) = limit {
        row.met = if value.median <= limit {
            "yes".to_owned()
        } else {
            format!("missed by {}", mb(value.median - limit))
        };
    }
    if value.min != value.max {
        row.min = mb(value.min);
        row.max = mb(value.max);
    }
    if let Some(b) = baseline {
        row.baseline = if b.min == b.max {
            mb(b.median)
        } else {
            format!("{} ({}–{})", mb(b.median), mb(b.min), mb(b.max))
        };
        row.ratio = format!("{:.2}x", value.median / b.median);
    }
    row
}

fn one(x: f64) -> Summary {
    Summary {
        median: x,
        min: x,
        max: x,
    }
}

fn bench_footprint(rows: &mut Vec<Row>) {
    let env = |name: &str| std::env::var(name).ok();
    let creds = [
        ("TENCENTCLOUD_SECRET_ID", SECRET_ID),
        ("TENCENTCLOUD_SECRET_KEY", SECRET_KEY),
    ];
    if let Some(minimal) = env("TC_REDIS_BENCH_MINIMAL") {
        let server = Server::start();
        let args = [REGION, server.url.as_str(), INSTANCE_ID];
        let bare = env("TC_REDIS_BENCH_BARE").and_then(|b| rss_runs(&b, &args, &creds, "10856"));
        if let Some(s) = rss_runs(&minimal, &args, &creds, "10856") {
            rows.push(footprint_row(
                "peak RSS, examples/minimal.rs, one call to a local server (baseline: the bare program)",
                s,
                bare,
                "≤ 4 MB",
                Some(4e6),
            ));
        }
    }
    if let Some(lean) = env("TC_REDIS_BENCH_LEAN") {
        let server = Server::start();
        let args = [REGION, server.url.as_str(), INSTANCE_ID];
        let bare = env("TC_REDIS_BENCH_BARE").and_then(|b| rss_runs(&b, &args, &creds, "10856"));
        if let Some(s) = rss_runs(&lean, &args, &creds, "10856") {
            rows.push(footprint_row(
                "peak RSS, the same program with tc-redis default-features = false (tests/lean) (baseline: the bare program)",
                s,
                bare,
                "(informational)",
                None,
            ));
        }
    }
    if let Some(cleanup) = env("TC_REDIS_BENCH_CLEANUP") {
        // --yes: without a terminal the main job cleans up only when told not to ask.
        let args = ["--sandbox", "--yes", INSTANCE_ID];
        if let Some(s) = rss_runs(&cleanup, &args, &[], "10856") {
            rows.push(footprint_row(
                "peak RSS, main job `tc-redis-cleanup --sandbox` (includes the in-process fake)",
                s,
                None,
                "(informational)",
                None,
            ));
        }
    }
    let bytes = |name: &str| env_u64(name).map(|b| one(b as f64));
    if let Some(s) = bytes("TC_REDIS_BENCH_MINIMAL_BYTES") {
        rows.push(footprint_row(
            "stripped size, examples/minimal.rs, --release, rustls (baseline: the bare program)",
            s,
            bytes("TC_REDIS_BENCH_BARE_BYTES"),
            "≤ 3 MB",
            Some(3e6),
        ));
    }
    if let Some(s) = bytes("TC_REDIS_BENCH_LEAN_BYTES") {
        // The same program built against the lean core: its cost over the bare program is what
        // a CleanUpInstance-only embedder pays for tc-redis.
        let bare = bytes("TC_REDIS_BENCH_BARE_BYTES");
        let mut row = footprint_row(
            "stripped size, the same program with tc-redis default-features = false (tests/lean), --release (baseline: the bare program)",
            s,
            bare,
            "≤ 1.08x",
            None,
        );
        if let Some(b) = bare {
            let ratio = s.median / b.median;
            row.met = if ratio <= 1.08 {
                "yes".to_owned()
            } else {
                format!("missed by {:.2}x", ratio - 1.08)
            };
        }
        rows.push(row);
    }
    if let Some(s) = bytes("TC_REDIS_BENCH_SMALL_BYTES") {
        rows.push(footprint_row(
            "stripped size, examples/minimal.rs, --profile release-small (opt z, fat LTO, abort)",
            s,
            bytes("TC_REDIS_BENCH_BARE_SMALL_BYTES"),
            "(informational)",
            None,
        ));
    }
    if let Some(n) = env_u64("TC_REDIS_BENCH_CRATES") {
        let mut row = absolute_row(
            "crates in the normal dependency tree, itself included (baseline: ureq+hmac+sha2+serde_json)",
            n.to_string(),
            "each needed",
        );
        if let Some(b) = env_u64("TC_REDIS_BENCH_BARE_CRATES") {
            row.baseline = b.to_string();
            row.ratio = format!("{:.2}x", n as f64 / b as f64);
        }
        rows.push(row);
    }
}

fn main() {
    if std::env::var_os(SERVE_ENV).is_some() {
        serve_forever();
    }
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing useful either: a
    // quick smoke run then (one sample each) keeps the harness itself checked.
    // `bench/run --quick` passes `--quick`, to check the script and the table's shape.
    let quick =
        std::env::args().all(|a| a != "--bench") || std::env::args().any(|a| a == "--quick");
    let (micro_samples, e2e_samples, calls) = if quick { (1, 1, 10) } else { (41, 21, 500) };
    let mut rows = Vec::new();
    bench_sign(&mut rows, micro_samples);
    bench_call_in_memory(&mut rows, micro_samples);
    bench_end_to_end(&mut rows, e2e_samples, calls);
    bench_footprint(&mut rows);
    print_table(&rows);
}
