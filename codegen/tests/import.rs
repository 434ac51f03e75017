//! The import command: from Tencent's official spec to `api-spec/` files. Checks that the
//! checked-in descriptions are what the importer makes of the official spec (so a newer spec
//! is one command away), and that importing is idempotent.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use tc_redis_codegen::import::Import;
use tc_redis_codegen::spec::{FieldType, Spec};

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

fn import(actions: &[&str], out: &Path, skip: Option<PathBuf>) -> Vec<PathBuf> {
    Import {
        official: fixture("redis-v20180412-api.json"),
        error_codes: Some(fixture("redis-errorcodes.json")),
        actions: actions.iter().map(|a| a.to_string()).collect(),
        skip_defined_in: skip,
        out_dir: out.to_path_buf(),
    }
    .run()
    .unwrap()
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
    assert_eq!(
        fa,
        fb,
        "{} and {} hold different files",
        a.display(),
        b.display()
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

#[test]
fn the_checked_in_full_api_is_the_import_of_the_official_spec() {
    let out = temp_dir("all");
    let written = import(&[], &out, Some(workspace().join("api-spec")));
    // 123 actions, minus those api-spec/ describes itself.
    assert_eq!(
        written.len(),
        120,
        "123 official actions minus the 3 in api-spec/ (CleanUpInstance, DescribeInstances, DescribeTaskInfo); wrote {}",
        written.len()
    );
    same_files(&out, &workspace().join("api-spec/full"));
    // Idempotent: a second import writes the same bytes.
    import(&[], &out, Some(workspace().join("api-spec")));
    same_files(&out, &workspace().join("api-spec/full"));
    // And the whole API loads and generates.
    let spec = tc_redis_codegen::load_all(&[&workspace().join("api-spec"), &out]).unwrap();
    assert_eq!(spec.actions.len(), 123);
    tc_redis_codegen::generate(&spec).unwrap();
}

#[test]
fn describe_task_info_is_imported_unchanged() {
    let out = temp_dir("dti");
    import(&["DescribeTaskInfo"], &out, None);
    assert_eq!(
        std::fs::read_to_string(out.join("DescribeTaskInfo.json")).unwrap(),
        std::fs::read_to_string(workspace().join("api-spec/DescribeTaskInfo.json")).unwrap()
    );
    let spec = tc_redis_codegen::load(&out).unwrap();
    let action = &spec.actions["DescribeTaskInfo"];
    assert!(action.idempotent, "a read-only action is marked idempotent");
    assert_eq!(action.error_codes.len(), 3);
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
    let imported =
        tc_redis_codegen::load_all(&[&out, &workspace().join("api-spec/common.json")]).unwrap();
    let checked_in = tc_redis_codegen::load_all(&[
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

    // Error codes: the official Go SDK's five, plus the one PROTOCOL.md section 10 shows the
    // API answering for an unknown id.
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
        out_dir: out.clone(),
    };
    let e = job(fixture("redis-v20180412-api.json"), &["NoSuchAction"])
        .run()
        .unwrap_err();
    assert_eq!(e.path, "actions.NoSuchAction");
    let e = job(out.join("missing.json"), &[]).run().unwrap_err();
    assert!(e.message.contains("cannot read"), "{e}");
}
