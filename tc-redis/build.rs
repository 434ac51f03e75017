//! Generates the API types from `api-spec/` (or `$TC_REDIS_API_SPEC`) into `$OUT_DIR/api.rs`,
//! and, with the `credentials-sts` feature, STS's into `$OUT_DIR/sts.rs`. A thin caller of
//! `tc_redis_codegen::Generator`.

use std::path::{Path, PathBuf};
use tc_redis_codegen::{Generator, Target};

fn main() {
    println!("cargo:rerun-if-env-changed=TC_REDIS_API_SPEC");
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    // `tc-redis/api-spec` links to the workspace's `api-spec/`, so that a packaged crate
    // carries its spec; a checkout without symlinks falls back to the workspace path.
    let spec_dir = [manifest.join("api-spec"), manifest.join("../api-spec")]
        .into_iter()
        .find(|p| p.is_dir())
        .unwrap_or_else(|| manifest.join("api-spec"));
    let spec =
        std::env::var_os("TC_REDIS_API_SPEC").map_or_else(|| spec_dir.clone(), PathBuf::from);
    // The whole directory is watched (Cargo scans it, subdirectories included), so that a spec
    // file added to it is built without touching anything; the price is that an edit under
    // `api-spec/full/` reruns the default build too (README, "Adding an action").
    println!("cargo:rerun-if-changed={}", spec.display());

    let mut api = Generator::new().spec(&spec);
    // The `full-api` feature adds every other action of the official spec, imported into
    // api-spec/full/ by `tc-redis-codegen import --all`.
    if std::env::var_os("CARGO_FEATURE_FULL_API").is_some() {
        api = api.spec(spec_dir.join("full"));
    }
    generate("api.rs", &api);

    // STS (api-spec/sts/, with the common error codes) goes to its own module, `tc_redis::sts`,
    // used by the STS credential providers: its types stay off the Redis API's crate root.
    if std::env::var_os("CARGO_FEATURE_CREDENTIALS_STS").is_some() {
        let sts = Generator::new()
            .target(Target::Module)
            .spec(spec_dir.join("sts"))
            .spec(spec_dir.join("common.json"));
        println!("cargo:rerun-if-changed={}", spec_dir.join("sts").display());
        println!(
            "cargo:rerun-if-changed={}",
            spec_dir.join("common.json").display()
        );
        generate("sts.rs", &sts);
    }
}

/// Writes the code of `generator` to `$OUT_DIR/<name>`, or fails the build with one line that
/// names the file, the JSON path and the problem.
fn generate(name: &str, generator: &Generator) {
    let code = generator.generate().unwrap_or_else(|e| {
        eprintln!("error: {e}");
        println!("cargo:warning=tc-redis: invalid API spec: {e}");
        std::process::exit(1);
    });
    let out = Path::new(&std::env::var_os("OUT_DIR").expect("set by cargo")).join(name);
    if let Err(e) = std::fs::write(&out, code) {
        eprintln!("error: cannot write {}: {e}", out.display());
        std::process::exit(1);
    }
}
