//! Generates the API types from `api-spec/` (or `$TC_REDIS_API_SPEC`) into `$OUT_DIR/api.rs`.

use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-env-changed=TC_REDIS_API_SPEC");
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let spec = std::env::var_os("TC_REDIS_API_SPEC")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest.join("../api-spec"));
    println!("cargo:rerun-if-changed={}", spec.display());
    let files = tc_redis_codegen::spec_files(&spec).unwrap_or_default();
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
    }
    let code = match tc_redis_codegen::generate_path(&spec) {
        Ok(code) => code,
        Err(e) => {
            // One line that names the file, the JSON path and the problem.
            eprintln!("error: {e}");
            println!("cargo:warning=tc-redis: invalid API spec: {e}");
            std::process::exit(1);
        }
    };
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("set by cargo")).join("api.rs");
    if let Err(e) = std::fs::write(&out, code) {
        eprintln!("error: cannot write {}: {e}", out.display());
        std::process::exit(1);
    }
}
