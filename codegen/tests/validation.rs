//! Every way a spec can be wrong gives one error that names the file, the JSON path and what is
//! wrong. Each test writes a small spec to its own temporary directory and calls `load`.

use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use tc_redis_codegen::{Generator, Spec, SpecError, Target};

/// A spec file or directory, read and validated as `build.rs` reads it.
fn load(path: &Path) -> Result<Spec, SpecError> {
    Generator::new().spec(path).load()
}

/// A fresh directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "tc-redis-codegen-validation-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create temp dir");
        TempDir(dir)
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, text).expect("write spec file");
        path
    }

    fn write_json(&self, name: &str, spec: &Value) -> PathBuf {
        self.write(name, &serde_json::to_string_pretty(spec).unwrap())
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A small valid spec: one action `Foo` with a request, a response and a data structure.
fn valid() -> Value {
    json!({
        "version": "1.0",
        "metadata": { "apiVersion": "2018-04-12", "serviceShortName": "redis" },
        "actions": {
            "Foo": {
                "name": "Does foo",
                "document": "Foo.",
                "input": "FooRequest",
                "output": "FooResponse",
                "status": "online",
                "rate_limit_per_second": 20,
                "error_codes": [ { "code": "FailedOperation.Foo", "description": "Foo failed." } ]
            }
        },
        "objects": {
            "FooRequest": {
                "document": "Foo request.",
                "type": "object",
                "members": [
                    { "name": "InstanceId", "type": "string", "member": "string", "required": true, "document": "Id." },
                    { "name": "Tags", "type": "list", "member": "Tag", "required": false, "document": "Tags." }
                ]
            },
            "FooResponse": {
                "document": "Foo response.",
                "type": "object",
                "members": [
                    { "name": "TaskId", "type": "int", "member": "int64", "document": "Task." },
                    { "name": "RequestId", "type": "string", "member": "string", "document": "Request." }
                ]
            },
            "Tag": {
                "document": "A tag.",
                "usage": "both",
                "members": [
                    { "name": "Key", "type": "string", "member": "string", "document": "Key." }
                ]
            }
        }
    })
}

/// The same service and version with only common error codes, as `api-spec/common.json`.
fn common() -> Value {
    json!({
        "version": "1.0",
        "metadata": { "apiVersion": "2018-04-12", "serviceShortName": "redis" },
        "common_error_codes": [ { "code": "InternalError", "description": "Internal error." } ]
    })
}

/// Writes `spec` as the only file of a fresh directory, loads it and returns the error.
fn load_err(spec: &Value) -> (TempDir, PathBuf, SpecError) {
    let dir = TempDir::new();
    let file = dir.write_json("spec.json", spec);
    let err = match load(&file) {
        Ok(_) => panic!("{} loaded, but it is invalid", file.display()),
        Err(e) => e,
    };
    (dir, file, err)
}

/// Asserts the error's file, JSON path and message, and that its one-line Display names all three.
#[track_caller]
fn assert_error(err: &SpecError, file: &Path, path: &str, message_parts: &[&str]) {
    let shown = err.to_string();
    assert_eq!(err.file, file, "file of: {shown}");
    assert_eq!(err.path, path, "JSON path of: {shown}");
    for part in message_parts {
        assert!(
            err.message.contains(part),
            "message of `{shown}` lacks `{part}`"
        );
    }
    assert!(
        shown.starts_with(&format!("{}: {path}: ", file.display())),
        "Display is not `<file>: <path>: <message>`: {shown}"
    );
    assert!(!shown.contains('\n'), "not one line: {shown}");
}

#[test]
fn the_valid_base_spec_loads() {
    let dir = TempDir::new();
    let file = dir.write_json("spec.json", &valid());
    let spec = load(&file).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(spec.actions["Foo"].rate_limit_per_second, Some(20));
    dir.write_json("common.json", &common());
    let merged = load(&dir.0).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(merged.common_error_codes.len(), 1);
}

#[test]
fn invalid_json_gives_line_and_column() {
    let dir = TempDir::new();
    let file = dir.write(
        "broken.json",
        "{\n  \"version\": \"1.0\",\n  \"metadata\": {,\n}\n",
    );
    let err = load(&file).unwrap_err();
    let shown = err.to_string();
    assert_eq!(err.file, file);
    assert_eq!(err.path, "", "no JSON path for a file that is not JSON");
    assert!(
        err.message.contains("invalid JSON at line 3, column 16"),
        "{shown}"
    );
    assert!(
        shown.starts_with(&format!("{}: invalid JSON", file.display())),
        "{shown}"
    );
}

#[test]
fn an_action_without_input() {
    let mut spec = valid();
    spec["actions"]["Foo"]
        .as_object_mut()
        .unwrap()
        .remove("input");
    let (_dir, file, err) = load_err(&spec);
    assert_error(&err, &file, "actions.Foo", &["missing field `input`"]);
}

#[test]
fn a_member_without_type() {
    let mut spec = valid();
    spec["objects"]["FooRequest"]["members"][1]
        .as_object_mut()
        .unwrap()
        .remove("type");
    let (_dir, file, err) = load_err(&spec);
    assert_error(
        &err,
        &file,
        "objects.FooRequest.members[1]",
        &["missing field `type`"],
    );
}

#[test]
fn metadata_without_the_service() {
    let mut spec = valid();
    spec["metadata"]
        .as_object_mut()
        .unwrap()
        .remove("serviceShortName");
    let (_dir, file, err) = load_err(&spec);
    assert_error(
        &err,
        &file,
        "metadata",
        &["missing field `serviceShortName`"],
    );
}

#[test]
fn an_unknown_type() {
    let mut spec = valid();
    spec["objects"]["FooResponse"]["members"][0]["type"] = json!("datetime");
    spec["objects"]["FooResponse"]["members"][0]["member"] = json!("string");
    let (_dir, file, err) = load_err(&spec);
    assert_error(
        &err,
        &file,
        "objects.FooResponse.members[0].type",
        &["unknown type `datetime`"],
    );
}

#[test]
fn an_unknown_member_for_a_scalar() {
    let mut spec = valid();
    spec["objects"]["FooRequest"]["members"][0]["member"] = json!("int32");
    let (_dir, file, err) = load_err(&spec);
    assert_error(
        &err,
        &file,
        "objects.FooRequest.members[0].member",
        &["unknown member `int32`", "type `string`"],
    );
}

#[test]
fn a_member_that_does_not_fit_its_type() {
    let mut spec = valid();
    spec["objects"]["FooResponse"]["members"][0]["member"] = json!("bool");
    let (_dir, file, err) = load_err(&spec);
    assert_error(
        &err,
        &file,
        "objects.FooResponse.members[0].member",
        &["`bool`", "does not fit type `int`"],
    );
}

#[test]
fn a_member_referencing_a_missing_object() {
    let mut spec = valid();
    spec["objects"]["FooRequest"]["members"][1]["member"] = json!("NoSuchObject");
    let (_dir, file, err) = load_err(&spec);
    assert_error(
        &err,
        &file,
        "objects.FooRequest.members[1].member",
        &["`NoSuchObject` is not defined"],
    );
}

#[test]
fn an_action_input_referencing_a_missing_object() {
    let mut spec = valid();
    spec["actions"]["Foo"]["input"] = json!("NoSuchRequest");
    let (_dir, file, err) = load_err(&spec);
    assert_error(
        &err,
        &file,
        "actions.Foo.input",
        &["`NoSuchRequest` is not defined"],
    );
}

#[test]
fn two_members_mapping_to_the_same_rust_field() {
    let mut spec = valid();
    let members = spec["objects"]["FooRequest"]["members"]
        .as_array_mut()
        .unwrap();
    members[0]["name"] = json!("VpcId");
    members[1] = json!({ "name": "VpcID", "type": "string", "member": "string" });
    let (_dir, file, err) = load_err(&spec);
    assert_error(
        &err,
        &file,
        "objects.FooRequest.members[1].name",
        &["`VpcID`", "`VpcId`", "`vpc_id`"],
    );
}

#[test]
fn two_error_codes_mapping_to_the_same_variant() {
    let mut spec = valid();
    spec["actions"]["Foo"]["error_codes"] = json!([
        { "code": "FailedOperation.Foo", "description": "a" },
        { "code": "FailedOperationFoo", "description": "b" }
    ]);
    let (_dir, file, err) = load_err(&spec);
    assert_error(
        &err,
        &file,
        "actions.Foo.error_codes[1].code",
        &[
            "`FailedOperationFoo`",
            "actions.Foo.error_codes[0].code",
            "variant `FailedOperationFoo`",
        ],
    );
}

#[test]
fn an_action_code_colliding_with_a_common_code_of_the_same_file() {
    let mut spec = valid();
    spec["actions"]["Foo"]["error_codes"] =
        json!([{ "code": "Internal.Error", "description": "a" }]);
    spec["common_error_codes"] = json!([{ "code": "InternalError", "description": "b" }]);
    let (_dir, file, err) = load_err(&spec);
    assert_error(
        &err,
        &file,
        "common_error_codes[0].code",
        &["`InternalError`", "variant `InternalError`"],
    );
}

#[test]
fn an_error_code_that_is_not_an_identifier() {
    let mut spec = valid();
    spec["actions"]["Foo"]["error_codes"][0]["code"] = json!("Failed-Operation");
    let (_dir, file, err) = load_err(&spec);
    assert_error(
        &err,
        &file,
        "actions.Foo.error_codes[0].code",
        &["`Failed-Operation` is not a valid error code"],
    );
}

#[test]
fn a_zero_rate_limit() {
    let mut spec = valid();
    spec["actions"]["Foo"]["rate_limit_per_second"] = json!(0);
    let (_dir, file, err) = load_err(&spec);
    assert_error(
        &err,
        &file,
        "actions.Foo.rate_limit_per_second",
        &["expected a positive integer, found 0"],
    );
}

#[test]
fn a_string_rate_limit() {
    let mut spec = valid();
    spec["actions"]["Foo"]["rate_limit_per_second"] = json!("20");
    let (_dir, file, err) = load_err(&spec);
    assert_error(
        &err,
        &file,
        "actions.Foo.rate_limit_per_second",
        &["expected a positive integer, found \"20\""],
    );
}

#[test]
fn a_non_boolean_idempotent() {
    let mut spec = valid();
    spec["actions"]["Foo"]["idempotent"] = json!("yes");
    let (_dir, file, err) = load_err(&spec);
    assert_error(
        &err,
        &file,
        "actions.Foo.idempotent",
        &["expected true or false"],
    );
}

#[test]
fn a_non_boolean_sensitive() {
    let mut spec = valid();
    spec["objects"]["FooRequest"]["members"][0]["sensitive"] = json!(1);
    let (_dir, file, err) = load_err(&spec);
    assert_error(
        &err,
        &file,
        "objects.FooRequest.members[0].sensitive",
        &["expected true or false, found a number"],
    );
}

#[test]
fn two_files_defining_the_same_action() {
    let dir = TempDir::new();
    dir.write_json("a.json", &valid());
    let second = dir.write_json("b.json", &valid());
    let err = load(&dir.0).unwrap_err();
    assert_error(&err, &second, "actions.Foo", &["already defined"]);
}

#[test]
fn two_files_defining_an_object_differently() {
    let dir = TempDir::new();
    dir.write_json("a.json", &valid());
    // Another action that repeats the data structure `Tag`, with a different member.
    let mut other = valid();
    let actions = other["actions"].as_object_mut().unwrap();
    let mut bar = actions.remove("Foo").unwrap();
    bar["input"] = json!("BarRequest");
    bar["output"] = json!("BarResponse");
    actions.insert("Bar".to_owned(), bar);
    let objects = other["objects"].as_object_mut().unwrap();
    let request = objects.remove("FooRequest").unwrap();
    let response = objects.remove("FooResponse").unwrap();
    objects.insert("BarRequest".to_owned(), request);
    objects.insert("BarResponse".to_owned(), response);
    other["objects"]["Tag"]["members"][0]["document"] = json!("Another text.");
    let second = dir.write_json("b.json", &other);
    let err = load(&dir.0).unwrap_err();
    assert_error(&err, &second, "objects.Tag", &["defined differently"]);

    // Identical repetitions are fine.
    other["objects"]["Tag"] = valid()["objects"]["Tag"].clone();
    dir.write_json("b.json", &other);
    let spec = load(&dir.0).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(spec.actions.len(), 2);
}

#[test]
fn files_of_different_services_merge_and_each_action_keeps_its_own() {
    let dir = TempDir::new();
    dir.write_json("a.json", &valid());
    let mut other = valid();
    other["metadata"] = json!({ "apiVersion": "2018-08-13", "serviceShortName": "sts" });
    let actions = other["actions"].as_object_mut().unwrap();
    let mut bar = actions.remove("Foo").unwrap();
    bar["input"] = json!("BarRequest");
    bar["output"] = json!("BarResponse");
    bar["skip_sign"] = json!(true);
    actions.insert("Bar".into(), bar);
    let objects = other["objects"].as_object_mut().unwrap();
    let request = objects.remove("FooRequest").unwrap();
    let response = objects.remove("FooResponse").unwrap();
    objects.insert("BarRequest".into(), request);
    objects.insert("BarResponse".into(), response);
    dir.write_json("b.json", &other);
    let spec = load(&dir.0).unwrap_or_else(|e| panic!("{e}"));
    let facts = |name: &str| {
        let a = &spec.actions[name];
        (a.service.as_str(), a.version.as_str(), a.skip_sign)
    };
    assert_eq!(facts("Foo"), ("redis", "2018-04-12", false));
    assert_eq!(facts("Bar"), ("sts", "2018-08-13", true));
    let code = Generator::new()
        .render(&spec)
        .unwrap_or_else(|e| panic!("{e}"));
    for expected in [
        "const SERVICE: &'static str = \"sts\";",
        "const VERSION: &'static str = \"2018-08-13\";",
        "const SKIP_SIGN: bool = true;",
        "const SERVICE: &'static str = \"redis\";",
        "from the `redis` 2018-04-12, `sts` 2018-08-13 spec",
    ] {
        assert!(code.contains(expected), "generated code lacks {expected}");
    }
}

#[test]
fn a_service_that_is_not_a_plain_name() {
    let mut spec = valid();
    spec["metadata"]["serviceShortName"] = json!("sts.evil.com/");
    let (_dir, file, err) = load_err(&spec);
    assert_error(
        &err,
        &file,
        "metadata.serviceShortName",
        &["is not a plain name"],
    );
}

#[test]
fn a_non_boolean_skip_sign() {
    let mut spec = valid();
    spec["actions"]["Foo"]["skip_sign"] = json!("true");
    let (_dir, file, err) = load_err(&spec);
    assert_error(
        &err,
        &file,
        "actions.Foo.skip_sign",
        &["expected true or false, found a string"],
    );
}

#[test]
fn two_files_describing_a_common_code_differently() {
    let dir = TempDir::new();
    dir.write_json("a.json", &common());
    let mut other = common();
    other["common_error_codes"][0]["description"] = json!("Something else.");
    let second = dir.write_json("b.json", &other);
    let err = load(&dir.0).unwrap_err();
    assert_error(
        &err,
        &second,
        "common_error_codes",
        &["`InternalError` described differently"],
    );
}

#[test]
fn an_empty_directory() {
    let dir = TempDir::new();
    let err = load(&dir.0).unwrap_err();
    assert_eq!(err.file, dir.0);
    assert!(err.message.contains("no *.json spec file"), "{err}");
}

/// What `tc-redis`'s `build.rs` prints comes from the same library call as the CLI's output:
/// one line naming the file and the JSON path, and a failure exit code.
#[test]
fn the_cli_fails_with_one_line_naming_file_and_path() {
    let mut spec = valid();
    spec["objects"]["FooRequest"]["members"][1]["member"] = json!("NoSuchObject");
    let dir = TempDir::new();
    let file = dir.write_json("bad.json", &spec);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tc-redis-codegen"))
        .arg(&file)
        .output()
        .expect("run tc-redis-codegen");
    assert!(!out.status.success(), "exit status {}", out.status);
    assert!(out.stdout.is_empty(), "no code on stdout for a bad spec");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(
        stderr.contains(&format!(
            "{}: objects.FooRequest.members[1].member: ",
            file.display()
        )),
        "{stderr}"
    );
    assert!(stderr.contains("NoSuchObject"), "{stderr}");

    // And a good spec prints the code and succeeds.
    let good = dir.write_json("bad.json", &valid());
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tc-redis-codegen"))
        .arg(&good)
        .output()
        .expect("run tc-redis-codegen");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("pub struct FooRequest"));
}

/// The realistic collision: an action file's code against a code of `common.json`. Each file is
/// valid alone; the clash only appears in the merged spec, whose error should still name the
/// file that holds the JSON path it reports.
#[test]

fn an_action_code_colliding_with_a_common_code_of_another_file() {
    let dir = TempDir::new();
    let mut spec = valid();
    spec["actions"]["Foo"]["error_codes"] =
        json!([{ "code": "Internal.Error", "description": "a" }]);
    dir.write_json("a.json", &spec);
    let common_file = dir.write_json("common.json", &common());
    let err = load(&dir.0).unwrap_err();
    assert_error(
        &err,
        &common_file,
        "common_error_codes[0].code",
        &["`InternalError`", "actions.Foo.error_codes[0].code"],
    );
}

#[test]
fn an_action_named_like_a_client_method() {
    let mut spec = valid();
    let foo = spec["actions"]["Foo"].take();
    spec["actions"] = json!({ "Network": foo });
    let (_dir, file, err) = load_err(&spec);
    assert_error(
        &err,
        &file,
        "actions.Network",
        &["`network`", "Client's own methods"],
    );
}

/// `Common` would generate `CommonErrorCode`, the common codes' own enum; an error code whose
/// variant is `Common` would clash with the variant that embeds them.
#[test]
fn an_action_or_a_code_named_like_the_common_codes() {
    let mut spec = valid();
    let foo = spec["actions"]["Foo"].take();
    spec["actions"] = json!({ "Common": foo });
    let (_dir, file, err) = load_err(&spec);
    assert_error(
        &err,
        &file,
        "actions.Common",
        &["`CommonErrorCode`", "common error codes"],
    );
    let mut spec = valid();
    spec["actions"]["Foo"]["error_codes"][0]["code"] = json!("Common");
    let (_dir, file, err) = load_err(&spec);
    assert_error(
        &err,
        &file,
        "actions.Foo.error_codes[0].code",
        &["`Common` is not a valid error code"],
    );
}

#[test]
fn an_object_named_like_a_crate_root_item() {
    let mut spec = valid();
    let tag = spec["objects"]["Tag"].take();
    spec["objects"]["Credentials"] = tag;
    spec["objects"]["FooRequest"]["members"][1]["member"] = json!("Credentials");
    spec["objects"].as_object_mut().unwrap().remove("Tag");
    let (dir, file, err) = load_err(&spec);
    assert_error(&err, &file, "objects.Credentials", &["runtime type"]);
    // In a module of its own (as STS's `Credentials` in `tc_redis::sts`) the name is free.
    let generator = Generator::new()
        .target(Target::Module)
        .spec(dir.0.as_path());
    let loaded = generator.load().unwrap_or_else(|e| panic!("{e}"));
    let code = generator.render(&loaded).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        code.contains("pub struct Credentials"),
        "no Credentials type"
    );
    assert!(
        !code.contains("impl crate::Client"),
        "a module has no Client methods"
    );
}

#[test]
fn a_response_member_named_like_the_corrections_field() {
    let mut spec = valid();
    spec["objects"]["FooResponse"]["members"][0]["name"] = json!("Corrections");
    let (_dir, file, err) = load_err(&spec);
    assert_error(
        &err,
        &file,
        "objects.FooResponse.members[0].name",
        &["`Corrections`", "`corrections`", "responses keep"],
    );
}

#[test]
fn an_object_named_like_the_generated_wire_module() {
    let mut spec = valid();
    let tag = spec["objects"]["Tag"].take();
    spec["objects"]["wire"] = tag;
    spec["objects"]["FooRequest"]["members"][1]["member"] = json!("wire");
    spec["objects"].as_object_mut().unwrap().remove("Tag");
    let (_dir, file, err) = load_err(&spec);
    assert_error(&err, &file, "objects.wire", &["runtime type"]);
}
