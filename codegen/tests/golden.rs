//! The generated code for `api-spec/` is checked in as `tests/golden/api-spec.rs` (and STS's as
//! `tests/golden/sts.rs`); every change to the generator or the spec shows up as a diff of real
//! Rust.
//!
//! After an intended change, rewrite the golden files with
//! `TC_REDIS_BLESS=1 cargo test -p tc-redis-codegen --test golden` and review the diff.

use std::path::{Path, PathBuf};
use tc_redis_codegen::{Generator, Target};
use tc_redis_test_support::{TempDir, assert_golden};

const COMMAND: &str = "cargo test -p tc-redis-codegen --test golden";

fn api_spec_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../api-spec")
}

fn golden(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name)
}

/// The `*.json` files of `api-spec/`, in name order.
fn spec_files() -> Vec<PathBuf> {
    Generator::new()
        .spec(api_spec_dir())
        .files()
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn api_spec_matches_the_golden_file() {
    let generated = tc_redis_codegen::generate(api_spec_dir()).unwrap_or_else(|e| panic!("{e}"));
    assert_golden(golden("api-spec.rs"), &generated, COMMAND);
}

/// STS (`api-spec/sts/` with the common codes), generated for its own module `tc_redis::sts`
/// as `tc-redis/build.rs` does: each action's service and version, the unsigned
/// `AssumeRoleWithWebIdentity`, no `Client` methods and no `CommonErrorCode` of its own (its
/// enums embed the crate root's) show in `tests/golden/sts.rs`.
#[test]
fn sts_matches_its_golden_file() {
    let dir = api_spec_dir();
    let generated = Generator::new()
        .target(Target::Module)
        .spec(dir.join("sts"))
        .spec(dir.join("common.json"))
        .generate()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!generated.contains("pub enum CommonErrorCode"));
    assert!(generated.contains("Common(crate::CommonErrorCode)"));
    assert_golden(golden("sts.rs"), &generated, COMMAND);
}

#[test]
fn generating_twice_gives_the_same_bytes() {
    let generator = Generator::new().spec(api_spec_dir());
    let spec = generator.load().unwrap_or_else(|e| panic!("{e}"));
    let first = generator.render(&spec).unwrap_or_else(|e| panic!("{e}"));
    let second = generator.render(&spec).unwrap_or_else(|e| panic!("{e}"));
    assert!(first == second, "generation is not deterministic");
    let again = generator.generate().unwrap_or_else(|e| panic!("{e}"));
    assert!(first == again, "generate differs from load + render");
}

#[test]
fn the_order_files_are_found_in_does_not_matter() {
    let files = spec_files();
    assert!(files.len() >= 2, "api-spec/ has several files: {files:?}");
    let reference = Generator::new()
        .spec(api_spec_dir())
        .load()
        .unwrap_or_else(|e| panic!("{e}"));
    let reference_code = Generator::new()
        .render(&reference)
        .unwrap_or_else(|e| panic!("{e}"));

    // The same files under names that sort in the reverse order.
    let tmp = TempDir::new("golden-reversed");
    let count = files.len();
    for (i, file) in files.iter().enumerate() {
        let name = format!(
            "{:03}-{}",
            count - i,
            file.file_name().unwrap().to_string_lossy()
        );
        std::fs::copy(file, tmp.join(name)).expect("copy spec file");
    }
    let reversed = Generator::new()
        .spec(tmp.path())
        .load()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        reversed == reference,
        "loading the files in reverse order gives another spec"
    );

    // And given one by one, last file first.
    let merged = files
        .iter()
        .rev()
        .fold(Generator::new(), |g, file| g.spec(file))
        .load()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        merged == reference,
        "merging in reverse order gives another spec"
    );
    assert!(
        Generator::new()
            .render(&merged)
            .unwrap_or_else(|e| panic!("{e}"))
            == reference_code,
        "merging in reverse order gives other code"
    );
}

/// The reply members the client error correction rule (`codegen/src/reply.rs`) makes `Option`s
/// although the spec says they are always returned, over the whole official API (`api-spec/` and
/// `api-spec/full/`), are checked in as `tests/golden/reply-options.txt`: a change to the rule or
/// the spec shows up as a diff of that list.
#[test]
fn the_members_read_as_option_match_the_list() {
    let dir = api_spec_dir();
    let spec = Generator::new()
        .spec(&dir)
        .spec(dir.join("full"))
        .load()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_golden(
        golden("reply-options.txt"),
        &spec.reply_options_report(),
        COMMAND,
    );
}
