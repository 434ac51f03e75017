//! `tc-redis-codegen SPEC`: prints the Rust generated for a spec file or directory.

use std::io::Write;
use std::process::ExitCode;

const USAGE: &str = "usage: tc-redis-codegen <spec.json | spec-dir>\n\
    Prints the Rust code generated for the spec (a file in Tencent's api.json format, or a\n\
    directory of them, such as api-spec/).";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [path] = args.as_slice() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    if path == "-h" || path == "--help" {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    match tc_redis_codegen::generate_path(std::path::Path::new(path)) {
        Ok(code) => {
            if std::io::stdout().write_all(code.as_bytes()).is_err() {
                return ExitCode::FAILURE;
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
