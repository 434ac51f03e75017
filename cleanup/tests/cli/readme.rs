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

/// `Type -> [(member, JSON types)]` from the README's `### JSON output` table.
fn json_table(readme: &str) -> std::collections::BTreeMap<String, Vec<(String, Vec<String>)>> {
    let section = readme
        .split("### JSON output")
        .nth(1)
        .expect("README has a '### JSON output' section")
        .split("\n#")
        .next()
        .unwrap_or_default();
    let mut table = std::collections::BTreeMap::<String, Vec<(String, Vec<String>)>>::new();
    for line in section.lines().filter(|l| l.starts_with("| ")) {
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        let [kind, member, types] = cells[..] else {
            continue;
        };
        if kind == "Type" && member == "member" {
            continue;
        }
        // "string or null: what it holds" -> ["string", "null"]
        let types = types
            .split(':')
            .next()
            .unwrap_or_default()
            .split(" or ")
            .map(|t| t.trim().to_owned())
            .collect();
        table
            .entry(kind.to_owned())
            .or_default()
            .push((member.to_owned(), types));
    }
    table
}

fn json_type(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "boolean",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "array",
        serde_json::Value::Object(_) => "object",
    }
}

/// Every object type the README documents, produced for real by the sandbox (and one run with
/// no credentials for `Error`), has exactly the documented members, each of a documented type;
/// and every type produced is documented.
#[test]
fn the_readme_json_table_is_what_the_tool_prints() {
    use crate::support::run;
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    let table = json_table(&readme);
    let runs: [&[&str]; 6] = [
        &["--sandbox", "--json", "--list"],
        &[
            "--sandbox",
            "--json",
            "--dry-run",
            "crs-5a4py64p",
            "crs-nothere1",
        ],
        &[
            "--sandbox",
            "--json",
            "--yes",
            "--wait",
            "crs-5a4py64p",
            "crs-6h2nd8fr",
            "crs-nothere1",
        ],
        &["--sandbox", "--json", "--wait-task", "999999"],
        &["--sandbox", "--json", "--wait-task", "10856"],
        &["--json", "--region", "ap-guangzhou", "--list"],
    ];
    let mut seen = std::collections::BTreeSet::new();
    for args in runs {
        let r = run(args, &[]);
        for line in r.stdout.lines() {
            let object: serde_json::Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {line}"));
            let kind = object["Type"].as_str().unwrap_or_default().to_owned();
            let documented = table
                .get(&kind)
                .unwrap_or_else(|| panic!("{args:?}: type {kind:?} is not in the README: {line}"));
            let members: Vec<&String> = object.as_object().unwrap().keys().collect();
            let expected: Vec<&String> = {
                let mut m: Vec<&String> = documented.iter().map(|(m, _)| m).collect();
                m.sort();
                m
            };
            assert_eq!(members, expected, "{args:?}: members of {kind}: {line}");
            for (member, types) in documented {
                let got = json_type(&object[member.as_str()]);
                assert!(
                    types.iter().any(|t| t == got),
                    "{args:?}: {kind}.{member} is {got}, the README says {types:?}: {line}"
                );
            }
            seen.insert(kind);
        }
    }
    let documented: std::collections::BTreeSet<String> = table.keys().cloned().collect();
    assert_eq!(seen, documented, "every documented type was produced");
}

/// The members objects share have one documented type whatever the object (a script's `jq` join
/// on `TaskId` or `InstanceId` then meets every type), and every object about an instance has
/// all four of its members.
#[test]
fn the_readme_json_table_gives_shared_members_one_type() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    let table = json_table(&readme);
    let about_instance = ["InstanceId", "Outcome", "MayHaveBeenExecuted", "RequestId"];
    for shared in about_instance.iter().chain(&["TaskId"]) {
        let rows: Vec<(&String, &Vec<String>)> = table
            .iter()
            .filter_map(|(kind, members)| {
                let (_, types) = members.iter().find(|(m, _)| m == shared)?;
                Some((kind, types))
            })
            .collect();
        assert!(rows.len() > 1, "{shared}: in {} type(s)", rows.len());
        for (kind, types) in &rows {
            assert_eq!(
                *types, rows[0].1,
                "{shared}: {kind} says {types:?}, {} says {:?}",
                rows[0].0, rows[0].1
            );
        }
        if *shared == "TaskId" {
            assert_eq!(rows[0].1, &["number", "null"], "TaskId");
        }
    }
    for (kind, members) in &table {
        if members.iter().any(|(m, _)| m == "InstanceId") {
            for shared in about_instance {
                assert!(
                    members.iter().any(|(m, _)| m == shared),
                    "{kind} is about an instance but has no {shared}"
                );
            }
        }
    }
}
