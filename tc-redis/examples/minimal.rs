//! The smallest program that calls CleanUpInstance with credentials from the environment: what
//! the footprint figures of the README (stripped size, peak resident memory, crates in the tree)
//! measure. It is built twice: as this example, with tc-redis's default features, and as
//! `tests/lean` (`minimal-lean`), a program that depends on tc-redis with
//! `default-features = false`.
//!
//! ```text
//! TENCENTCLOUD_SECRET_ID=... TENCENTCLOUD_SECRET_KEY=... \
//!     cargo run --release -p tc-redis --example minimal -- <region> <endpoint> <instance-id>
//! TENCENTCLOUD_SECRET_ID=... TENCENTCLOUD_SECRET_KEY=... \
//!     cargo run --release -p tc-redis-lean -- <region> <endpoint> <instance-id>
//! ```
//!
//! `<endpoint>` is `https://redis.tencentcloudapi.com` for the real API; an `http://` endpoint
//! is accepted for a loopback server (the benchmark's, the fake's).

use tc_redis::{CleanUpInstanceRequest, Client};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(region), Some(endpoint), Some(instance_id)) = (args.next(), args.next(), args.next())
    else {
        return Err("usage: minimal <region> <endpoint> <instance-id>".into());
    };
    // No `.credentials(..)`: the default chain, whose first source is the environment (with
    // `default-features = false`, its only one).
    let client = Client::builder()
        .region(region)
        .allow_plain_http(endpoint.starts_with("http://"))
        .endpoint(endpoint)
        .build()?;
    let reply = client.clean_up_instance(&CleanUpInstanceRequest::new(instance_id))?;
    match reply.task_id {
        Some(task_id) => println!("{task_id}"),
        None => println!("accepted (the reply has no TaskId)"),
    }
    Ok(())
}
