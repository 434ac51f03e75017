//! The import command: from Tencent's official spec to `api-spec/` files. Checks that the
//! checked-in descriptions are what the importer makes of the official spec (so a newer spec
//! is one command away), and that importing is idempotent.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use tc_redis_codegen::import::Import;
use tc_redis_codegen::spec::{FieldType, Spec};
use tc_redis_codegen::{Generator, SpecError};

/// The specs of `paths`, merged in that order.
fn load_all(paths: &[&Path]) -> Result<Spec, SpecError> {
    paths.iter().fold(Generator::new(), |g, p| g.spec(p)).load()
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A fresh, empty directory under the system temp dir.
fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tc-redis-import-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn job(actions: &[&str], out: &Path, skip: Option<PathBuf>) -> Import {
    Import {
        official: fixture("redis-v20180412-api.json"),
        error_codes: Some(fixture("redis-errorcodes.json")),
        actions: actions.iter().map(|a| a.to_string()).collect(),
        skip_defined_in: skip,
        remove_from: None,
        out_dir: out.to_path_buf(),
    }
}

fn import(actions: &[&str], out: &Path, skip: Option<PathBuf>) -> Vec<PathBuf> {
    job(actions, out, skip).run().unwrap().written
}

fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The action names of the official spec (the fixture).
fn official_actions() -> BTreeSet<String> {
    read_json(&fixture("redis-v20180412-api.json"))["actions"]
        .as_object()
        .expect("actions")
        .keys()
        .cloned()
        .collect()
}

/// The action names a spec directory defines.
fn actions_in(dir: &Path) -> BTreeSet<String> {
    load_all(&[dir])
        .unwrap_or_else(|e| panic!("{e}"))
        .actions
        .into_keys()
        .collect()
}

fn files_in(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect()
}

fn same_files(a: &Path, b: &Path) {
    let (fa, fb) = (files_in(a), files_in(b));
    assert!(
        fa == fb,
        "{} ({} files) and {} ({} files) hold different files: only in the first {:?}, only in \
         the second {:?}",
        a.display(),
        fa.len(),
        b.display(),
        fb.len(),
        fa.difference(&fb).collect::<Vec<_>>(),
        fb.difference(&fa).collect::<Vec<_>>()
    );
    for name in &fa {
        let (x, y) = (
            std::fs::read(a.join(name)).unwrap(),
            std::fs::read(b.join(name)).unwrap(),
        );
        assert!(
            x == y,
            "{name} differs between {} and {}: re-run the import (README, \"Adding an action\")",
            a.display(),
            b.display()
        );
    }
}

fn copy_json_files(from: &Path, to: &Path) {
    for name in files_in(from) {
        std::fs::copy(from.join(&name), to.join(&name)).unwrap();
    }
}

/// The rule of README "Adding an action": every action of the official spec is defined in
/// exactly one of `api-spec/` and `api-spec/full/`.
#[test]
fn every_official_action_is_in_exactly_one_spec_directory() {
    let official = official_actions();
    let default = actions_in(&workspace().join("api-spec"));
    let full = actions_in(&workspace().join("api-spec/full"));
    let both: Vec<_> = default.intersection(&full).collect();
    assert!(
        both.is_empty(),
        "{} action(s) defined in both api-spec/ and api-spec/full/: {both:?}",
        both.len()
    );
    let defined: BTreeSet<String> = default.union(&full).cloned().collect();
    let missing: Vec<_> = official.difference(&defined).collect();
    let extra: Vec<_> = defined.difference(&official).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "the official spec has {} actions, api-spec/ defines {} and api-spec/full/ {}: missing \
         {missing:?}, not in the official spec {extra:?}",
        official.len(),
        default.len(),
        full.len()
    );
}

#[test]
fn the_checked_in_full_api_is_the_import_of_the_official_spec() {
    let out = temp_dir("all");
    let written = import(&[], &out, Some(workspace().join("api-spec")));
    let (official, default) = (
        official_actions(),
        actions_in(&workspace().join("api-spec")),
    );
    let expected = official.difference(&default).count();
    assert_eq!(
        written.len(),
        expected,
        "importing every action not in api-spec/ wrote {} files: the official spec has {} \
         actions, api-spec/ defines {} of them",
        written.len(),
        official.len(),
        official.intersection(&default).count()
    );
    same_files(&out, &workspace().join("api-spec/full"));
    // Idempotent: a second import writes the same bytes.
    import(&[], &out, Some(workspace().join("api-spec")));
    same_files(&out, &workspace().join("api-spec/full"));
    // And the whole API loads and generates.
    let spec = load_all(&[&workspace().join("api-spec"), &out]).unwrap();
    let loaded: BTreeSet<String> = spec.actions.keys().cloned().collect();
    assert!(
        official.is_subset(&loaded),
        "api-spec/ and the import define {} actions, the official spec {}: missing {:?}",
        loaded.len(),
        official.len(),
        official.difference(&loaded).collect::<Vec<_>>()
    );
    Generator::new().render(&spec).unwrap();
}

/// Steps 2 and 6 of README "Adding an action" on a copy of the spec directories: the action
/// moves from full/ to the default spec, and re-importing everything removes a stale copy.
#[test]
fn moving_an_action_into_the_default_spec_keeps_it_in_one_file() {
    let root = temp_dir("move");
    let (default, full) = (root.join("api-spec"), root.join("api-spec/full"));
    std::fs::create_dir_all(&full).unwrap();
    copy_json_files(&workspace().join("api-spec"), &default);
    copy_json_files(&workspace().join("api-spec/full"), &full);
    let action = files_in(&full)
        .into_iter()
        .next()
        .expect("api-spec/full/ holds at least one action")
        .trim_end_matches(".json")
        .to_owned();
    let stale = std::fs::read(full.join(format!("{action}.json"))).unwrap();

    // Step 2: import into api-spec/, taking it out of full/.
    let mut step2 = job(&[&action], &default, None);
    step2.remove_from = Some(full.clone());
    let changes = step2.run().unwrap();
    assert_eq!(
        changes.removed,
        [full.join(format!("{action}.json"))],
        "moving {action} removes its file from full/"
    );
    assert!(
        actions_in(&default).contains(&action),
        "{action} is in api-spec/"
    );
    load_all(&[&default, &full])
        .unwrap_or_else(|e| panic!("the full build's spec after moving {action}: {e}"));

    // Step 6 with a stale copy left in full/ (as before --remove-from existed): it goes.
    std::fs::write(full.join(format!("{action}.json")), &stale).unwrap();
    let step6 = job(&[], &full, Some(default.clone()));
    let changes = step6.run().unwrap();
    assert_eq!(
        changes.removed,
        [full.join(format!("{action}.json"))],
        "re-importing everything removes the stale {action}.json from full/"
    );
    // Idempotent: again, the same files and nothing to remove.
    let before: Vec<Vec<u8>> = changes
        .written
        .iter()
        .map(|p| std::fs::read(p).unwrap())
        .collect();
    let again = step6.run().unwrap();
    assert!(
        again.removed.is_empty(),
        "a second import removed {:?}",
        again.removed
    );
    assert_eq!(
        again.written, changes.written,
        "a second import writes the same files"
    );
    for (path, bytes) in again.written.iter().zip(&before) {
        assert!(
            &std::fs::read(path).unwrap() == bytes,
            "{} changed on the second import",
            path.display()
        );
    }
    // common.json and the other default files are never removed.
    assert_eq!(
        files_in(&default).len(),
        files_in(&workspace().join("api-spec")).len() + 1,
        "api-spec/ holds its files plus {action}.json: {:?}",
        files_in(&default)
    );
}

#[test]
fn describe_task_info_is_imported_unchanged() {
    let out = temp_dir("dti");
    import(&["DescribeTaskInfo"], &out, None);
    assert_eq!(
        std::fs::read_to_string(out.join("DescribeTaskInfo.json")).unwrap(),
        std::fs::read_to_string(workspace().join("api-spec/DescribeTaskInfo.json")).unwrap()
    );
    let spec = load_all(&[&out]).unwrap();
    let action = &spec.actions["DescribeTaskInfo"];
    assert!(action.idempotent, "a read-only action is marked idempotent");
    let documented = read_json(&fixture("redis-errorcodes.json"))["per_action_documented_codes"]
        ["DescribeTaskInfo"]
        .as_array()
        .map_or(0, Vec::len);
    assert_eq!(
        action.error_codes.len(),
        documented,
        "DescribeTaskInfo has {} error codes, the error-code list documents {documented}",
        action.error_codes.len()
    );
}

fn shape(spec: &Spec, object: &str) -> Vec<(String, FieldType, bool, Option<bool>, bool)> {
    spec.objects[object]
        .members
        .iter()
        .map(|m| {
            (
                m.name.clone(),
                m.ty.clone(),
                m.required,
                m.output_required,
                m.value_allowed_null,
            )
        })
        .collect()
}

/// CleanUpInstance in api-spec/ was written from the seed (Tencent's API page); importing it
/// from the official spec gives the same shapes. The differences are the seed's facts the
/// official format lacks, and they are exactly these.
#[test]
fn clean_up_instance_from_the_official_spec_differs_only_by_the_seeds_facts() {
    let out = temp_dir("cui");
    import(&["CleanUpInstance"], &out, None);
    let imported = load_all(&[&out, &workspace().join("api-spec/common.json")]).unwrap();
    let checked_in = load_all(&[
        &workspace().join("api-spec/CleanUpInstance.json"),
        &workspace().join("api-spec/common.json"),
    ])
    .unwrap();
    let (i, c) = (
        &imported.actions["CleanUpInstance"],
        &checked_in.actions["CleanUpInstance"],
    );

    // Same wire shape: request and response members, types, optionality.
    for object in ["CleanUpInstanceRequest", "CleanUpInstanceResponse"] {
        assert_eq!(
            shape(&imported, object),
            shape(&checked_in, object),
            "{object}"
        );
    }
    assert_eq!(
        (&i.input, &i.output, i.idempotent),
        (&c.input, &c.output, c.idempotent)
    );
    assert!(!c.idempotent);

    // The rate limit is on Tencent's page, not in the official spec.
    assert_eq!(i.rate_limit_per_second, None);
    assert_eq!(c.rate_limit_per_second, Some(20));

    // Error codes: the official Go SDK's, plus the one the API answers for an unknown id
    // (recorded in CleanUpInstance.json `sources.error_codes`).
    let codes = |a: &tc_redis_codegen::spec::Action| -> BTreeSet<String> {
        a.error_codes.iter().map(|e| e.code.clone()).collect()
    };
    let extra: Vec<String> = codes(c).difference(&codes(i)).cloned().collect();
    assert_eq!(extra, ["ResourceNotFound.InstanceNotExists"]);
    assert!(codes(i).is_subset(&codes(c)));

    // Documentation: the seed's wording, with its financial-zone note.
    assert_eq!(
        i.document,
        "This API is used to immediately terminate instances in the recycle bin."
    );
    assert!(
        c.document
            .starts_with("This API immediately deactivates instances in the recycle bin.")
    );
    assert!(c.document.contains("ap-shanghai-fsi"));
}

#[test]
fn unknown_actions_and_files_are_errors() {
    let out = temp_dir("err");
    let job = |official: PathBuf, actions: &[&str]| Import {
        official,
        error_codes: None,
        actions: actions.iter().map(|a| a.to_string()).collect(),
        skip_defined_in: None,
        remove_from: None,
        out_dir: out.clone(),
    };
    let e = job(fixture("redis-v20180412-api.json"), &["NoSuchAction"])
        .run()
        .unwrap_err();
    assert_eq!(e.path, "actions.NoSuchAction");
    let e = job(out.join("missing.json"), &[]).run().unwrap_err();
    assert!(e.message.contains("cannot read"), "{e}");
}
