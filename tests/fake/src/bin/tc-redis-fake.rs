//! `tc-redis-fake`: runs the fake Tencent Cloud Redis API until killed.
//!
//! ```text
//! tc-redis-fake [--port N] [--secret-id ID --secret-key KEY] [--instance ID]... \
//!               [--running-instance ID]... [--no-rate-limit]
//! ```
//! Prints the endpoint URL (`http://127.0.0.1:PORT`) as the first line of stdout, then what it
//! accepts as shell lines: `export` lines of the default test key pair (test values, public in
//! this crate as `DEFAULT_SECRET_ID`/`DEFAULT_SECRET_KEY`) and of the endpoint, and comments
//! naming the extra key pair's SecretId (never its key) and the instances.

use std::io::Write;
use std::process::ExitCode;
use tc_redis_fake::{DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, FakeConfig, FakeServer};

const USAGE: &str = "usage: tc-redis-fake [--port N] [--secret-id ID --secret-key KEY] \
[--instance ID]... [--running-instance ID]... [--no-rate-limit]
  --instance ID          an instance in the recycle bin (repeatable)
  --running-instance ID  an instance that exists but is not in the recycle bin (repeatable)
  --secret-id/--secret-key  an extra accepted key pair (the default one stays)";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tc-redis-fake: {e}\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<(), String> {
    let mut config = FakeConfig::new();
    let (mut secret_id, mut secret_key) = (None, None);
    let (mut in_bin, mut running) = (Vec::new(), Vec::new());
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--port" => {
                let port = value()?;
                config = config.port(port.parse().map_err(|_| format!("bad port {port}"))?);
            }
            "--secret-id" => secret_id = Some(value()?),
            "--secret-key" => secret_key = Some(value()?),
            "--instance" => {
                let id = value()?;
                in_bin.push(id.clone());
                config = config.instance_in_recycle_bin(id);
            }
            "--running-instance" => {
                let id = value()?;
                running.push(id.clone());
                config = config.running_instance(id);
            }
            "--no-rate-limit" => config = config.rate_limit(None),
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    match (secret_id.clone(), secret_key) {
        (Some(id), Some(key)) => config = config.credential(id, key),
        (None, None) => {}
        _ => return Err("--secret-id and --secret-key go together".into()),
    }
    let server = FakeServer::start(config).map_err(|e| format!("cannot listen: {e}"))?;
    let mut out = std::io::stdout().lock();
    let endpoint = server.endpoint();
    writeln!(out, "{endpoint}").map_err(|e| e.to_string())?;
    out.flush().map_err(|e| e.to_string())?;
    let mut text = format!(
        "# Accepted: this test key pair (any region), e.g. for tc-redis-cleanup --endpoint {endpoint}\n\
         export TENCENTCLOUD_SECRET_ID={DEFAULT_SECRET_ID}\n\
         export TENCENTCLOUD_SECRET_KEY={DEFAULT_SECRET_KEY}\n"
    );
    if let Some(id) = &secret_id {
        text.push_str(&format!(
            "# Accepted too: SecretId {id} with the --secret-key given\n"
        ));
    }
    text.push_str(&format!(
        "# In the recycle bin: {}; running: {}\n",
        list(&in_bin),
        list(&running)
    ));
    // Informational: a reader that took the endpoint and closed the pipe is no failure.
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
    drop(out);
    loop {
        std::thread::park();
    }
}

/// At most ten ids, then a count.
fn list(ids: &[String]) -> String {
    const SHOWN: usize = 10;
    match ids.len() {
        0 => "none".to_owned(),
        n if n <= SHOWN => ids.join(", "),
        n => format!("{} and {} more", ids[..SHOWN].join(", "), n - SHOWN),
    }
}
