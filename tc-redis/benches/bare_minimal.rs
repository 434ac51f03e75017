//! The footprint baseline of `bench/run`: the program of `examples/minimal.rs` written with no
//! abstraction at all (ureq `Agent` defaults, hmac, sha2, serde_json), built with the same
//! profile, so that its stripped size and peak resident memory sit beside tc-redis's.
//!
//! ```text
//! TENCENTCLOUD_SECRET_ID=... TENCENTCLOUD_SECRET_KEY=... bare_minimal <region> <endpoint> <instance-id>
//! ```
//!
//! A bench target only so that it needs no crate beyond tc-redis's own dependencies; run by
//! `cargo bench` without those arguments it does nothing.

mod bare;

use bare::hmac;
use sha2::{Digest, Sha256};
use std::time::{SystemTime, UNIX_EPOCH};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [region, endpoint, instance_id] = args.as_slice() else {
        return Ok(()); // `cargo bench` runs every bench target: nothing to do here.
    };
    let secret_id = std::env::var("TENCENTCLOUD_SECRET_ID")?;
    let secret_key = std::env::var("TENCENTCLOUD_SECRET_KEY")?;
    let host = endpoint
        .split_once("://")
        .map_or(endpoint.as_str(), |(_, h)| h)
        .trim_end_matches('/');
    let body = serde_json::to_vec(&serde_json::json!({ "InstanceId": instance_id }))?;
    let timestamp = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs();
    let date = bare::utc_date(timestamp / 86_400);

    let canonical = format!(
        "POST\n/\n\ncontent-type:application/json\nhost:{host}\n\ncontent-type;host\n{}",
        hex(&Sha256::digest(&body))
    );
    let scope = format!("{date}/redis/tc3_request");
    let to_sign = format!(
        "TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{}",
        hex(&Sha256::digest(canonical.as_bytes()))
    );
    let k_date = hmac(format!("TC3{secret_key}").as_bytes(), date.as_bytes());
    let k_service = hmac(&k_date, b"redis");
    let k_signing = hmac(&k_service, b"tc3_request");
    let signature = hex(&hmac(&k_signing, to_sign.as_bytes()));
    let authorization = format!(
        "TC3-HMAC-SHA256 Credential={secret_id}/{scope}, SignedHeaders=content-type;host, Signature={signature}"
    );

    let mut response = ureq::Agent::new_with_defaults()
        .post(endpoint.as_str())
        .header("Content-Type", "application/json")
        .header("X-TC-Action", "CleanUpInstance")
        .header("X-TC-Timestamp", &timestamp.to_string())
        .header("X-TC-Version", "2018-04-12")
        .header("X-TC-Region", region.as_str())
        .header("Authorization", &authorization)
        .send(&body[..])?;
    let reply: serde_json::Value = serde_json::from_slice(&response.body_mut().read_to_vec()?)?;
    let inner = &reply["Response"];
    if let Some(code) = inner["Error"]["Code"].as_str() {
        return Err(format!("API error {code}").into());
    }
    println!("{}", inner["TaskId"]);
    Ok(())
}
