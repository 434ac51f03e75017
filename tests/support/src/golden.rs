//! Golden files: a test compares what it produced with a file checked in beside it, and
//! `TC_REDIS_BLESS=1` rewrites the file instead, so that every change is reviewed as a diff.
//!
//! ```no_run
//! use tc_redis_test_support::assert_golden;
//!
//! let generated = String::from("pub struct CleanUpInstanceRequest;\n");
//! assert_golden(
//!     "tests/golden/api-spec.rs",
//!     &generated,
//!     "cargo test -p tc-redis-codegen --test golden",
//! );
//! ```

use std::path::Path;

/// The variable that, set to `1`, rewrites golden files instead of comparing them.
pub const BLESS_VAR: &str = "TC_REDIS_BLESS";

/// Whether this run rewrites golden files (`TC_REDIS_BLESS=1`).
pub fn blessing() -> bool {
    std::env::var_os(BLESS_VAR).is_some_and(|v| v == "1")
}

/// Compares `actual` with the file at `path`, or writes it there when [`blessing`].
///
/// `test_command` is the command that runs this test (`cargo test -p PACKAGE --test NAME`);
/// a failure tells how to rewrite the file with it.
///
/// # Panics
///
/// When the file differs (with [`short_diff`] and the command that rewrites it), cannot be
/// read, or cannot be written.
#[track_caller]
pub fn assert_golden(path: impl AsRef<Path>, actual: &str, test_command: &str) {
    if let Err(e) = check_golden(path.as_ref(), actual, test_command, blessing()) {
        panic!("{e}");
    }
}

/// [`assert_golden`] with the choice to bless given, returning the failure.
pub fn check_golden(
    path: &Path,
    actual: &str,
    test_command: &str,
    bless: bool,
) -> Result<(), String> {
    let shown = path.display();
    if bless {
        std::fs::write(path, actual).map_err(|e| format!("cannot write {shown}: {e}"))?;
        println!("{BLESS_VAR}=1: rewrote {shown}");
        return Ok(());
    }
    let expected = std::fs::read_to_string(path).map_err(|e| {
        format!("cannot read {shown}: {e}\ncreate it with `{BLESS_VAR}=1 {test_command}`")
    })?;
    if expected == actual {
        return Ok(());
    }
    Err(format!(
        "{shown} differs from what the test produced:\n{}\nIf the change is intended, run \
         `{BLESS_VAR}=1 {test_command}` and review the diff of {shown}.",
        short_diff(&expected, actual)
    ))
}

/// A few lines around the first difference, `-` for the golden file, `+` for the new output,
/// with the common end aligned so that an insertion shows as just the inserted lines.
pub fn short_diff(expected: &str, actual: &str) -> String {
    const MAX: usize = 20;
    let old: Vec<&str> = expected.lines().collect();
    let new: Vec<&str> = actual.lines().collect();
    let first = old
        .iter()
        .zip(&new)
        .position(|(a, b)| a != b)
        .unwrap_or(old.len().min(new.len()));
    let common_tail = old[first..]
        .iter()
        .rev()
        .zip(new[first..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let old_end = old.len() - common_tail;
    let new_end = new.len() - common_tail;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TempDir;

    const COMMAND: &str = "cargo test -p demo --test golden";

    #[test]
    fn a_diff_shows_the_changed_lines_an_insertion_alone_and_a_lost_final_newline() {
        let d = short_diff("a\nb\nc\nd\n", "a\nb\nX\nd\n");
        assert!(d.contains("golden line 3"), "{d}");
        assert!(d.contains(" b\n-c\n+X\n"), "{d}");
        let inserted = short_diff("a\nb\n", "a\nnew\nb\n");
        assert!(inserted.contains("+new\n"), "{inserted}");
        assert!(!inserted.contains("-b"), "{inserted}");
        let newline = short_diff("a\n", "a");
        assert!(newline.contains("final newline"), "{newline}");
    }

    #[test]
    fn bless_writes_then_the_same_output_passes_and_another_fails_saying_how_to_bless() {
        let dir = TempDir::new("golden");
        let path = dir.join("out.rs");
        let missing = check_golden(&path, "one\n", COMMAND, false).unwrap_err();
        assert!(
            missing.contains("cannot read")
                && missing.contains(&format!("`TC_REDIS_BLESS=1 {COMMAND}`")),
            "{missing}"
        );
        check_golden(&path, "one\ntwo\n", COMMAND, true).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "one\ntwo\n");
        check_golden(&path, "one\ntwo\n", COMMAND, false).unwrap();
        let differs = check_golden(&path, "one\n2\n", COMMAND, false).unwrap_err();
        assert!(differs.contains("-two\n+2\n"), "{differs}");
        assert!(
            differs.contains(&format!("run `TC_REDIS_BLESS=1 {COMMAND}`")),
            "{differs}"
        );
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "one\ntwo\n",
            "a failed comparison leaves the file alone"
        );
    }
}
