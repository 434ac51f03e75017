//! The generated code for `api-spec/` is checked in as `tests/golden/api-spec.rs`; every change
//! to the generator or the spec shows up as a diff of real Rust.
//!
//! After an intended change, rewrite the golden file with
//! `TC_REDIS_BLESS=1 cargo test -p tc-redis-codegen --test golden` and review the diff.

use std::path::{Path, PathBuf};
use tc_redis_codegen::{generate, generate_path, load, parse_str, spec, spec_files};

const BLESS_VAR: &str = "TC_REDIS_BLESS";

fn api_spec_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../api-spec")
}

fn golden_file() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/api-spec.rs")
}

/// A few lines around the first difference, `-` for the golden file, `+` for the new output.
fn short_diff(expected: &str, actual: &str) -> String {
    let old: Vec<&str> = expected.lines().collect();
    let new: Vec<&str> = actual.lines().collect();
    let first = old
        .iter()
        .zip(&new)
        .position(|(a, b)| a != b)
        .unwrap_or(old.len().min(new.len()));
    // Align the ends too, so that an insertion shows as just the inserted lines.
    let common_tail = old[first..]
        .iter()
        .rev()
        .zip(new[first..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let old_end = old.len() - common_tail;
    let new_end = new.len() - common_tail;
    const MAX: usize = 20;
    let mut out = format!(
        "@@ golden line {}, generated line {} ({} line(s) in the golden file, {} generated) @@\n",
        first + 1,
        first + 1,
        old.len(),
        new.len()
    );
    for line in old.iter().take(first).skip(first.saturating_sub(3)) {
        out.push_str(&format!(" {line}\n"));
    }
    for line in old[first..old_end].iter().take(MAX) {
        out.push_str(&format!("-{line}\n"));
    }
    for line in new[first..new_end].iter().take(MAX) {
        out.push_str(&format!("+{line}\n"));
    }
    if old_end - first > MAX || new_end - first > MAX {
        out.push_str("... (more differences follow)\n");
    }
    if old_end == first && new_end == first {
        out.push_str(
            "(the lines are equal: the files differ in line endings or the final newline)\n",
        );
    }
    out
}

#[test]
fn api_spec_matches_the_golden_file() {
    let generated = generate_path(&api_spec_dir()).unwrap_or_else(|e| panic!("{e}"));
    let golden = golden_file();
    if std::env::var_os(BLESS_VAR).is_some_and(|v| v == "1") {
        std::fs::write(&golden, &generated).expect("write the golden file");
        println!("{BLESS_VAR}=1: rewrote {}", golden.display());
        return;
    }
    let expected = std::fs::read_to_string(&golden).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e}\ncreate it with `{BLESS_VAR}=1 cargo test -p tc-redis-codegen --test golden`",
            golden.display()
        )
    });
    if expected != generated {
        panic!(
            "the code generated from api-spec/ differs from {}:\n{}\n\
             If the change is intended, run `{BLESS_VAR}=1 cargo test -p tc-redis-codegen --test golden` \
             and review the diff of the golden file.",
            golden.display(),
            short_diff(&expected, &generated)
        );
    }
}

/// STS (`api-spec/sts/` with the common codes), generated for its own module `tc_redis::sts`
/// as `tc-redis/build.rs` does: each action's service and version, the unsigned
/// `AssumeRoleWithWebIdentity`, and no `Client` methods show in `tests/golden/sts.rs`.
#[test]
fn sts_matches_its_golden_file() {
    let dir = api_spec_dir();
    let paths = [dir.join("sts"), dir.join("common.json")];
    let paths: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
    let generated = tc_redis_codegen::generate_paths_for(&paths, tc_redis_codegen::Target::Module)
        .unwrap_or_else(|e| panic!("{e}"));
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/sts.rs");
    if std::env::var_os(BLESS_VAR).is_some_and(|v| v == "1") {
        std::fs::write(&golden, &generated).expect("write the golden file");
        return;
    }
    let expected = std::fs::read_to_string(&golden)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", golden.display()));
    assert!(
        expected == generated,
        "the code generated from api-spec/sts/ differs from {}:\n{}\nIf intended, run `{BLESS_VAR}=1 cargo test -p tc-redis-codegen --test golden`.",
        golden.display(),
        short_diff(&expected, &generated)
    );
}

#[test]
fn generating_twice_gives_the_same_bytes() {
    let spec = load(&api_spec_dir()).unwrap_or_else(|e| panic!("{e}"));
    let first = generate(&spec).unwrap_or_else(|e| panic!("{e}"));
    let second = generate(&spec).unwrap_or_else(|e| panic!("{e}"));
    assert!(first == second, "generate is not deterministic");
    let again = generate_path(&api_spec_dir()).unwrap_or_else(|e| panic!("{e}"));
    assert!(first == again, "generate_path differs from load + generate");
}

/// A fresh, empty directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!(
            "tc-redis-codegen-golden-{tag}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create temp dir");
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn the_order_files_are_found_in_does_not_matter() {
    let dir = api_spec_dir();
    let files = spec_files(&dir).unwrap_or_else(|e| panic!("{e}"));
    assert!(files.len() >= 2, "api-spec/ has several files: {files:?}");
    let reference = load(&dir).unwrap_or_else(|e| panic!("{e}"));
    let reference_code = generate(&reference).unwrap_or_else(|e| panic!("{e}"));

    // The same files under names that sort in the reverse order.
    let tmp = TempDir::new("reversed");
    let count = files.len();
    for (i, file) in files.iter().enumerate() {
        let name = format!(
            "{:03}-{}",
            count - i,
            file.file_name().unwrap().to_string_lossy()
        );
        std::fs::copy(file, tmp.0.join(name)).expect("copy spec file");
    }
    let reversed = load(&tmp.0).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        reversed == reference,
        "loading the files in reverse order gives another spec"
    );
    assert!(
        generate(&reversed).unwrap_or_else(|e| panic!("{e}")) == reference_code,
        "loading the files in reverse order gives other code"
    );

    // And merged by hand, last file first.
    let mut merged: Option<tc_redis_codegen::Spec> = None;
    for file in files.iter().rev() {
        let text = std::fs::read_to_string(file).expect("read spec file");
        let one = parse_str(&text, file).unwrap_or_else(|e| panic!("{e}"));
        match merged.as_mut() {
            None => merged = Some(one),
            Some(into) => spec::merge(into, one, file).unwrap_or_else(|e| panic!("{e}")),
        }
    }
    let merged = merged.expect("at least one file");
    assert!(
        merged == reference,
        "merging in reverse order gives another spec"
    );
    assert!(
        generate(&merged).unwrap_or_else(|e| panic!("{e}")) == reference_code,
        "merging in reverse order gives other code"
    );
}

#[test]
fn the_short_diff_points_at_the_first_difference() {
    let d = short_diff("a\nb\nc\nd\n", "a\nb\nX\nd\n");
    assert!(d.contains("golden line 3"), "{d}");
    assert!(d.contains("-c\n+X\n"), "{d}");
    let inserted = short_diff("a\nb\n", "a\nnew\nb\n");
    assert!(inserted.contains("+new\n"), "{inserted}");
    assert!(!inserted.contains("-b"), "{inserted}");
    let newline = short_diff("a\n", "a");
    assert!(newline.contains("final newline"), "{newline}");
}

/// The reply members the client error correction rule (`tc_redis_codegen::reply`) makes
/// `Option`s although the spec says they are always returned, over the whole official API
/// (`api-spec/` and `api-spec/full/`), are checked in as `tests/golden/reply-options.txt`: a
/// change to the rule or the spec shows up as a diff of that list.
#[test]
fn the_members_read_as_option_match_the_list() {
    let dir = api_spec_dir();
    let spec = tc_redis_codegen::load_all(&[dir.as_path(), dir.join("full").as_path()])
        .unwrap_or_else(|e| panic!("{e}"));
    let report = tc_redis_codegen::reply::selected_report(&spec);
    let list = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/reply-options.txt");
    if std::env::var_os(BLESS_VAR).is_some_and(|v| v == "1") {
        std::fs::write(&list, &report).expect("write the list");
        println!("{BLESS_VAR}=1: rewrote {}", list.display());
        return;
    }
    let expected = std::fs::read_to_string(&list).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e}\ncreate it with `{BLESS_VAR}=1 cargo test -p tc-redis-codegen --test golden`",
            list.display()
        )
    });
    assert!(
        expected == report,
        "the members read as Option differ from {}:\n{}\nIf the change is intended, run \
         `{BLESS_VAR}=1 cargo test -p tc-redis-codegen --test golden` and review the diff.",
        list.display(),
        short_diff(&expected, &report)
    );
}
