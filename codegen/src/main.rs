//! `tc-redis-codegen`: prints the Rust generated for a spec, or imports actions from Tencent's
//! official spec file into `api-spec/`.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use tc_redis_codegen::import::Import;
use tc_redis_codegen::{Generator, Target};

const USAGE: &str = "\
usage:
  tc-redis-codegen [--module] <spec.json | spec-dir>...
      Prints the Rust code generated for the spec (files in Tencent's api.json format, or
      directories of them such as api-spec/, merged). --module: as generated for a module of
      its own (api-spec/sts/ -> tc_redis::sts): no Client methods.

  tc-redis-codegen import <official-api.json> [--error-codes <errorcodes.json>] [--out <dir>]
                          [--skip-defined-in <dir>] [--remove-from <dir>] (--all | <Action>...)
      Writes <dir>/<Action>.json (default dir: api-spec) for each action: the action, its
      request/response objects and every structure they use, copied unchanged, plus its
      documented error codes and, for Describe*/Inquiry* actions, idempotent: true.
      An action is defined in one file only: --remove-from deletes <Action>.json of each
      imported action from that directory (it moves to --out), and --all removes the
      one-action files of --out it did not write (now defined in --skip-defined-in, or no
      longer in the official spec). Re-running it is idempotent.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.is_empty() {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    }
    if args.iter().any(|a| a == "-h" || a == "--help") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let result = if args[0] == "import" {
        import(&args[1..])
    } else {
        let target = if args.iter().any(|a| a == "--module") {
            Target::Module
        } else {
            Target::CrateRoot
        };
        let generator = args
            .iter()
            .filter(|a| *a != "--module")
            .fold(Generator::new().target(target), |g, path| g.spec(path));
        generator
            .generate()
            .map_err(|e| e.to_string())
            .and_then(|code| {
                std::io::stdout()
                    .write_all(code.as_bytes())
                    .map_err(|e| format!("cannot write the output: {e}"))
            })
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn import(args: &[String]) -> Result<(), String> {
    let mut it = args.iter();
    let mut official = None;
    let mut job = Import {
        official: PathBuf::new(),
        error_codes: None,
        actions: Vec::new(),
        skip_defined_in: None,
        remove_from: None,
        out_dir: PathBuf::from("api-spec"),
    };
    let mut all = false;
    while let Some(arg) = it.next() {
        let mut value = |flag: &str| {
            it.next()
                .map(PathBuf::from)
                .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))
        };
        match arg.as_str() {
            "--error-codes" => job.error_codes = Some(value("--error-codes")?),
            "--out" => job.out_dir = value("--out")?,
            "--skip-defined-in" => job.skip_defined_in = Some(value("--skip-defined-in")?),
            "--remove-from" => job.remove_from = Some(value("--remove-from")?),
            "--all" => all = true,
            flag if flag.starts_with("--") => {
                return Err(format!("unknown option {flag}\n{USAGE}"));
            }
            _ if official.is_none() => official = Some(PathBuf::from(arg)),
            action => job.actions.push(action.to_owned()),
        }
    }
    job.official = official.ok_or_else(|| format!("missing <official-api.json>\n{USAGE}"))?;
    if all != job.actions.is_empty() {
        return Err(format!("give either --all or action names\n{USAGE}"));
    }
    let changes = job.run().map_err(|e| e.to_string())?;
    eprintln!(
        "wrote {} file(s) to {}",
        changes.written.len(),
        job.out_dir.display()
    );
    for path in &changes.removed {
        eprintln!("removed {}", path.display());
    }
    Ok(())
}
