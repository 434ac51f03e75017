//! Generates the API types from `api-spec/` (or `$TC_REDIS_API_SPEC`) into `$OUT_DIR/api.rs`.

use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-env-changed=TC_REDIS_API_SPEC");
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    // `tc-redis/api-spec` links to the workspace's `api-spec/`, so that a packaged crate
    // carries its spec; a checkout without symlinks falls back to the workspace path.
    let default_spec = [manifest.join("api-spec"), manifest.join("../api-spec")]
        .into_iter()
        .find(|p| p.is_dir())
        .unwrap_or_else(|| manifest.join("api-spec"));
    let mut specs = match std::env::var_os("TC_REDIS_API_SPEC") {
        Some(path) => vec![PathBuf::from(path)],
        None => vec![default_spec.clone()],
    };
    // The `full-api` feature adds every other action of the official spec, imported into
    // api-spec/full/ by `tc-redis-codegen import --all`.
    if std::env::var_os("CARGO_FEATURE_FULL_API").is_some() {
        specs.push(default_spec.join("full"));
    }
    // Cargo reruns this script when a watched path changes, and it scans a watched directory
    // recursively: watching `api-spec/` would make every edit in `api-spec/full/` rebuild the
    // default build. So it watches exactly the files it reads. A file *added* to a spec
    // directory is not seen until one of them changes (README, "Adding an action", step 4).
    let mut paths = Vec::new();
    for spec in &specs {
        for file in tc_redis_codegen::spec_files(spec).unwrap_or_default() {
            println!("cargo:rerun-if-changed={}", file.display());
        }
        paths.push(spec.as_path());
    }
    let code = match tc_redis_codegen::generate_paths(&paths) {
        Ok(code) => code,
        Err(e) => {
            // One line that names the file, the JSON path and the problem.
            eprintln!("error: {e}");
            println!("cargo:warning=tc-redis: invalid API spec: {e}");
            std::process::exit(1);
        }
    };
    write_out("api.rs", &code);
    // STS (api-spec/sts/, with the common error codes) goes to its own module, `tc_redis::sts`,
    // used by the STS credential providers: its types stay off the Redis API's crate root.
    let sts = [default_spec.join("sts"), default_spec.join("common.json")];
    for path in &sts {
        println!("cargo:rerun-if-changed={}", path.display());
    }
    let sts: Vec<&std::path::Path> = sts.iter().map(PathBuf::as_path).collect();
    match tc_redis_codegen::generate_paths_for(&sts, tc_redis_codegen::Target::Module) {
        Ok(code) => write_out("sts.rs", &code),
        Err(e) => {
            eprintln!("error: {e}");
            println!("cargo:warning=tc-redis: invalid STS spec: {e}");
            std::process::exit(1);
        }
    }
}

fn write_out(name: &str, code: &str) {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("set by cargo")).join(name);
    if let Err(e) = std::fs::write(&out, code) {
        eprintln!("error: cannot write {}: {e}", out.display());
        std::process::exit(1);
    }
}
