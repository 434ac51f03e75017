//! The README's exit-status table is the one `--help` prints: both are an interface for
//! scripts, so they must never disagree.

use crate::support::BIN;
use std::process::Command;

/// `(status, meaning)` rows of a `| N | meaning |` table in `text`.
fn readme_rows(text: &str) -> Vec<(u8, String)> {
    text.lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.trim().trim_matches('|').split('|').collect();
            match cells.as_slice() {
                [code, meaning] => Some((code.trim().parse().ok()?, meaning.trim().to_owned())),
                _ => None,
            }
        })
        .collect()
}

/// `(status, meaning)` rows of the `Exit status:` block of `--help`.
fn help_rows(help: &str) -> Vec<(u8, String)> {
    help.lines()
        .skip_while(|l| !l.starts_with("Exit status:"))
        .skip(1)
        .filter_map(|line| {
            let (code, meaning) = line.trim().split_once("  ")?;
            Some((code.parse().ok()?, meaning.trim().to_owned()))
        })
        .collect()
}

#[test]
fn the_readme_exit_table_is_the_help_exit_table() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"))
        .expect("README.md at the workspace root");
    let section = readme
        .split("### Exit status")
        .nth(1)
        .expect("README has a '### Exit status' section")
        .split("\n#")
        .next()
        .unwrap_or_default();
    let out = Command::new(BIN).arg("--help").output().unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    let (from_readme, from_help) = (readme_rows(section), help_rows(&help));
    assert!(
        !from_help.is_empty(),
        "--help printed no exit-status rows:\n{help}"
    );
    assert_eq!(
        from_readme,
        from_help,
        "README rows (left, {}) differ from --help rows (right, {})",
        from_readme.len(),
        from_help.len()
    );
    let order = help
        .lines()
        .find(|l| l.starts_with("A run with several outcomes"))
        .expect("--help states the order of outcomes");
    let order = order.rsplit(": ").next().unwrap().trim_end_matches('.');
    assert!(
        section.contains(order),
        "README's exit-status section does not state the order {order:?}"
    );
}
