//! Structure-aware mutation fuzzing of the spec parser, validator and generator.
//!
//! A spec is untrusted input to `build.rs`: whatever the text, `parse_str` must not panic, and
//! when it accepts a spec, `generate` must succeed and emit Rust that parses (validation accepts
//! only what emission can handle). Properties checked on every execution, inside
//! `catch_unwind` so that a panic is reported with its input:
//!
//! * `parse_str` and `generate` never panic;
//! * every `SpecError` has a non-empty file and message (and a `Display`);
//! * `parse_str` Ok => `generate` Ok, `syn::parse_file` accepts the output, and no two items
//!   of the output define the same name (type, constant, trait impl, method, field, variant),
//!   which `syn` does not check but `rustc` would refuse;
//! * on a sample of accepted specs, parsing and generating again gives the same bytes.
//!
//! The corpus is the default spec (`api-spec/CleanUpInstance.json`, `DescribeTaskInfo.json` and
//! `common.json` merged into one document), four small actions of the official `api.json`
//! fixture with the objects they reach, and a minimal spec. Mutations work on the parsed JSON
//! (delete a key, change a value's type, odd and keyword names, duplicated members, dangling or
//! wrong references, unknown types, hostile documentation, odd error codes and rate limits) and,
//! sometimes, on the bytes of the text.
//!
//! `TC_REDIS_FUZZ_CASES` sets the number of executions (default 3,000) and `TC_REDIS_FUZZ_SEED`
//! the seed (decimal, `0x` hex, or `random`); both are printed:
//!
//! ```text
//! TC_REDIS_FUZZ_CASES=50000 TC_REDIS_FUZZ_SEED=random \
//!     cargo test -p tc-redis-codegen --test fuzz_spec -- --nocapture
//! ```

use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;
use tc_redis_codegen::{Generator, Spec, SpecError};

/// One spec document read, merged and validated as `build.rs` reads its files.
fn parse_str(text: &str, file: &Path) -> Result<Spec, SpecError> {
    Generator::new().spec_text(file, text).load()
}

/// The code for a loaded spec.
fn generate(spec: &Spec) -> Result<String, SpecError> {
    Generator::new().render(spec)
}
use tc_redis_test_support::{Fuzz, Rng, catch};

const DEFAULT_CASES: usize = 3_000;
const DEFAULT_SEED: u64 = 0x5bec_0de6_f022_1c37;

// ---------------------------------------------------------------------------------------------
// The properties.

const FILE: &str = "fuzz/spec.json";

/// What one execution did.
#[derive(Debug)]
enum Outcome {
    /// `parse_str` refused the spec; the JSON path's first two segments, for the statistics.
    Refused(String),
    /// Accepted and generated: the output.
    Generated(String),
}

fn check_error(stage: &str, e: &SpecError) -> Result<(), String> {
    if e.file.as_os_str().is_empty() || e.message.trim().is_empty() {
        return Err(format!(
            "{stage}: an error without a file or a message: {e:?}"
        ));
    }
    let shown = catch(|| e.to_string()).map_err(|p| format!("{stage}: Display {p}"))?;
    if !shown.contains(e.message.as_str()) {
        return Err(format!("{stage}: Display {shown:?} lacks the message"));
    }
    Ok(())
}

/// Runs the pipeline on `text` and checks the properties.
fn check(text: &str) -> Result<Outcome, String> {
    let parsed =
        catch(|| parse_str(text, Path::new(FILE))).map_err(|p| format!("parse_str {p}"))?;
    let spec = match parsed {
        Err(e) => {
            check_error("parse_str", &e)?;
            if e.file != Path::new(FILE) {
                return Err(format!("parse_str: error names file {:?}", e.file));
            }
            return Ok(Outcome::Refused(path_shape(&e.path)));
        }
        Ok(spec) => spec,
    };
    let code = match catch(|| generate(&spec)).map_err(|p| format!("generate {p}"))? {
        Ok(code) => code,
        Err(e) => {
            check_error("generate", &e)?;
            return Err(format!("generate refused an accepted spec: {e}"));
        }
    };
    let file = syn::parse_file(&code).map_err(|e| format!("the output does not parse: {e}"))?;
    unique_names(&file)?;
    Ok(Outcome::Generated(code))
}

/// A JSON path without entry names and indexes, for the statistics: `objects.*.members[].name`.
fn path_shape(path: &str) -> String {
    let mut parts: Vec<String> = Vec::new();
    for part in path.split('.') {
        let part = match part.find('[') {
            Some(i) => format!("{}[]", &part[..i]),
            None => part.to_owned(),
        };
        let named = parts.len() == 1 && (parts[0] == "actions" || parts[0] == "objects");
        parts.push(if named { "*".to_owned() } else { part });
    }
    parts.join(".")
}

/// No two items of the generated file define the same thing: `syn` parses duplicates, `rustc`
/// refuses them.
fn unique_names(file: &syn::File) -> Result<(), String> {
    fn insert(seen: &mut BTreeSet<String>, key: String) -> Result<(), String> {
        if seen.insert(key.clone()) {
            Ok(())
        } else {
            Err(format!("the output defines {key} twice"))
        }
    }
    let mut seen = BTreeSet::new();
    for item in &file.items {
        match item {
            syn::Item::Struct(s) => {
                insert(&mut seen, format!("type `{}`", s.ident))?;
                let mut fields = BTreeSet::new();
                for f in &s.fields {
                    let name = f.ident.as_ref().map(|i| i.to_string()).unwrap_or_default();
                    if name == "_" {
                        // syn takes `_` for a field name (unnamed fields); rustc does not.
                        return Err(format!("the output names a field of `{}` `_`", s.ident));
                    }
                    insert(&mut fields, format!("field `{}.{name}`", s.ident))?;
                }
            }
            syn::Item::Enum(e) => {
                insert(&mut seen, format!("type `{}`", e.ident))?;
                let mut variants = BTreeSet::new();
                for v in &e.variants {
                    insert(&mut variants, format!("variant `{}::{}`", e.ident, v.ident))?;
                }
            }
            syn::Item::Const(c) => insert(&mut seen, format!("constant `{}`", c.ident))?,
            syn::Item::Impl(i) => {
                let ty = quote::ToTokens::to_token_stream(&i.self_ty).to_string();
                match &i.trait_ {
                    Some((path, _)) => {
                        let tr = quote::ToTokens::to_token_stream(path).to_string();
                        insert(&mut seen, format!("impl `{tr}` for `{ty}`"))?;
                    }
                    None => {
                        for member in &i.items {
                            if let syn::ImplItem::Fn(f) = member {
                                insert(&mut seen, format!("method `{ty}::{}`", f.sig.ident))?;
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The corpus.

fn workspace_json(relative: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(relative);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"))
}

/// `api-spec/`'s default files, merged as one document.
fn default_spec() -> Value {
    let mut merged = workspace_json("api-spec/CleanUpInstance.json");
    for name in ["api-spec/DescribeTaskInfo.json", "api-spec/common.json"] {
        let other = workspace_json(name);
        for key in ["actions", "objects"] {
            if let Some(entries) = other.get(key).and_then(Value::as_object) {
                let into = merged[key].as_object_mut().expect("actions and objects");
                into.extend(entries.clone());
            }
        }
        if let Some(codes) = other.get("common_error_codes") {
            merged["common_error_codes"] = codes.clone();
        }
    }
    merged
}

/// A few small actions of the official spec, with every object they reach.
fn official_excerpt() -> Value {
    let full = workspace_json("codegen/tests/fixtures/redis-v20180412-api.json");
    let wanted = [
        "DeleteParamTemplate",
        "DescribeProductInfo",
        "DescribeInstancePasswordPolicy",
        "ClearInstance",
    ];
    let mut actions = Map::new();
    let mut objects = Map::new();
    let mut todo: Vec<String> = Vec::new();
    for name in wanted {
        let action = full["actions"][name].clone();
        for key in ["input", "output"] {
            todo.push(action[key].as_str().expect("input/output").to_owned());
        }
        actions.insert(name.to_owned(), action);
    }
    while let Some(name) = todo.pop() {
        if objects.contains_key(&name) {
            continue;
        }
        let object = full["objects"][&name].clone();
        for m in object["members"].as_array().expect("members") {
            let target = m["member"].as_str().expect("member");
            if full["objects"].get(target).is_some() {
                todo.push(target.to_owned());
            }
        }
        objects.insert(name, object);
    }
    json!({
        "version": "1.0",
        "metadata": full["metadata"].clone(),
        "actions": actions,
        "objects": objects,
    })
}

fn minimal_spec() -> Value {
    json!({
        "version": "1.0",
        "metadata": { "apiVersion": "2018-04-12", "serviceShortName": "redis" },
        "actions": {
            "Foo": {
                "name": "Does foo", "document": "Foo.", "input": "FooRequest",
                "output": "FooResponse", "status": "online", "rate_limit_per_second": 20,
                "idempotent": true,
                "error_codes": [ { "code": "FailedOperation.Foo", "description": "Foo failed." } ]
            }
        },
        "objects": {
            "FooRequest": { "type": "object", "document": "Foo request.", "members": [
                { "name": "InstanceId", "type": "string", "member": "string", "required": true,
                  "document": "Instance.", "example": "crs-1" },
                { "name": "Tags", "type": "list", "member": "Tag", "required": false,
                  "document": "Tags." }
            ] },
            "FooResponse": { "type": "object", "document": "Foo response.", "members": [
                { "name": "Items", "type": "list", "member": "Tag", "output_required": true,
                  "value_allowed_null": true, "document": "Items." },
                { "name": "RequestId", "type": "string", "member": "string",
                  "document": "The request id." }
            ] },
            "Tag": { "usage": "both", "document": "A tag.", "members": [
                { "name": "Key", "type": "string", "member": "string", "required": true,
                  "output_required": true },
                { "name": "Value", "type": "int", "member": "int64" }
            ] }
        },
        "common_error_codes": [ { "code": "InternalError", "description": "Oops." } ]
    })
}

// ---------------------------------------------------------------------------------------------
// Mutations, on the JSON document.

/// Names for actions, objects and members: keywords, raw-identifier syntax, runtime names,
/// unicode, digits first, empty, dots, spaces, case twins of the corpus's names.
const NAMES: &[&str] = &[
    "type",
    "Type",
    "self",
    "Self",
    "crate",
    "Crate",
    "super",
    "match",
    "r#x",
    "r#type",
    "_",
    "__",
    "_1",
    "gen",
    "async",
    "union",
    "Option",
    "String",
    "Vec",
    "i64",
    "Default",
    "Client",
    "Error",
    "Action",
    "ErrorCode",
    "ApiError",
    "Other",
    "Call",
    "Builder",
    "new",
    "New",
    "Instanceé",
    "名字",
    "1abc",
    "",
    "a.b",
    "a b",
    " InstanceId",
    "InstanceId",
    "instanceId",
    "Instance_Id",
    "INSTANCE_ID",
    "RequestId",
    "requestId",
    "TaskId",
    "FooErrorCode",
    "CleanUpInstanceErrorCode",
    "Self_",
    "self_",
    "WithX",
    "with_x",
    "x-y",
    "A\u{0}",
    "FooRequest",
    "FooResponse",
    "Tag",
    "CleanUpInstanceRequest",
    "DescribeTaskInfoResponse",
    "RegionConf",
    "PasswordPolicy",
];

const TYPES: &[&str] = &[
    "string", "int", "float", "bool", "list", "object", "", "String", "int64", "uint64", "map",
    "array", "null", " list",
];

const MEMBERS: &[&str] = &[
    "string",
    "int64",
    "uint64",
    "float",
    "bool",
    "object",
    "Missing",
    "",
    "Tag",
    "FooRequest",
    "FooResponse",
    "CleanUpInstanceRequest",
    "CleanUpInstanceResponse",
    "RegionConf",
    "PasswordPolicy",
    "ZoneCapacityConf",
    "self",
    "Self",
];

const CODES: &[&str] = &[
    "InternalError",
    "InternalError.InternalError",
    "FailedOperation.Foo",
    "Other",
    "other",
    "_other",
    "Self",
    "self",
    "_self",
    "type",
    "a.type",
    "crate.self",
    "_",
    "_1",
    "__",
    "A._1",
    "A__B",
    "A_b",
    "a.B",
    "A.b",
    "Ab",
    "A..B",
    "A.",
    ".A",
    "",
    "A-B",
    "A B",
    "1A",
    "A.1",
    "InternalError\n",
    "中文",
    "r#x",
    "Failed_Operation",
    "FailedOperation",
    "RequestLimitExceeded",
    "AuthFailure.SignatureFailure",
];

/// Pieces of hostile documentation: HTML, Markdown that rustdoc would compile or link,
/// comment syntax, control characters.
const DOC_PIECES: &[&str] = &[
    "<p>",
    "</p>",
    "<ul><li>",
    "</li>",
    "</ul>",
    "<ol><li>1</li></ol>",
    "<a href=\"https://x.example/a b\">",
    "<a href='",
    "<a href=x>",
    "</a>",
    "```",
    "```rust\nfn main() {",
    "\n```\n",
    "`",
    "``",
    "<code>",
    "</code>",
    "<pre>",
    "</pre>",
    "<script>alert(1)</script>",
    "[link](",
    "[x](y)",
    "[",
    "]",
    "](",
    "[`Foo`]",
    "https://example.com/a_(b)",
    "http://",
    "\n    indented code\n",
    "\n",
    "\r",
    "\r\n",
    "\n\n",
    "\t",
    "&lt;",
    "&gt;",
    "&amp;",
    "&",
    "&#39;",
    "&nbsp;",
    "<br/>",
    "<br>",
    "*/",
    "/*",
    "//",
    "///",
    "//!",
    "#[doc = \"x\"]",
    "\"",
    "\\",
    "\\\"",
    "\u{0}",
    "\u{202e}",
    "\u{feff}",
    "\u{2028}",
    "\u{85}",
    "\u{b}",
    "\u{c}",
    "中文，。；）",
    "1. ",
    "- ",
    "* ",
    "+ ",
    "> ",
    "# ",
    "<Region>",
    "<",
    ">",
    "{",
    "}",
    "${x}",
    "<!--",
    "-->",
    "<h1>",
    "</h1>",
    "<img src=x>",
    "</",
    "<b",
    "<td>",
    "|a|b|",
    "<b>bold</b>",
    "<i>",
    "<em>",
    "text",
    "Instance ID.",
    " ",
    "\u{1F600}",
];

fn nasty_text(rng: &mut Rng) -> String {
    let mut s = String::new();
    for _ in 0..1 + rng.below(12) {
        let piece: &&str = rng.pick(DOC_PIECES);
        s.push_str(piece);
    }
    if rng.chance(3) {
        s = s.repeat(1 + rng.below(2_000));
    }
    s
}

fn random_value(rng: &mut Rng, depth: usize) -> Value {
    match rng.below(if depth > 2 { 4 } else { 6 }) {
        0 => Value::Null,
        1 => Value::Bool(rng.chance(50)),
        2 => {
            let n = [
                json!(0),
                json!(-1),
                json!(1),
                json!(1.5),
                json!(20.0),
                json!(u64::MAX),
                json!(i64::MIN),
                json!(4_294_967_295u64),
                json!(4_294_967_296u64),
                json!(1e300),
            ];
            rng.pick(&n).clone()
        }
        3 => Value::String(match rng.below(4) {
            0 => (*rng.pick(NAMES)).to_owned(),
            1 => (*rng.pick(TYPES)).to_owned(),
            2 => (*rng.pick(MEMBERS)).to_owned(),
            _ => nasty_text(rng),
        }),
        4 => Value::Array(
            (0..rng.below(3))
                .map(|_| random_value(rng, depth + 1))
                .collect(),
        ),
        _ => {
            let mut m = Map::new();
            for _ in 0..rng.below(3) {
                m.insert((*rng.pick(NAMES)).to_owned(), random_value(rng, depth + 1));
            }
            Value::Object(m)
        }
    }
}

/// A random node of `v`: the root, or somewhere below it.
fn random_node<'v>(rng: &mut Rng, v: &'v mut Value) -> &'v mut Value {
    let len = match v {
        Value::Object(m) => m.len(),
        Value::Array(a) => a.len(),
        _ => 0,
    };
    if len == 0 || rng.chance(25) {
        return v;
    }
    let i = rng.below(len);
    match v {
        Value::Object(m) => random_node(rng, m.values_mut().nth(i).expect("in range")),
        Value::Array(a) => random_node(rng, &mut a[i]),
        _ => unreachable!(),
    }
}

fn entries<'v>(spec: &'v mut Value, key: &str) -> Option<&'v mut Map<String, Value>> {
    spec.get_mut(key)?.as_object_mut()
}

/// A random entry (name, value) of `actions` or `objects`.
fn random_entry<'v>(
    rng: &mut Rng,
    spec: &'v mut Value,
    key: &str,
) -> Option<(String, &'v mut Value)> {
    let map = entries(spec, key)?;
    if map.is_empty() {
        return None;
    }
    let i = rng.below(map.len());
    let (name, value) = map.iter_mut().nth(i)?;
    Some((name.clone(), value))
}

/// A random member object of a random object.
fn random_member<'v>(rng: &mut Rng, spec: &'v mut Value) -> Option<&'v mut Map<String, Value>> {
    let (_, object) = random_entry(rng, spec, "objects")?;
    let members = object.get_mut("members")?.as_array_mut()?;
    if members.is_empty() {
        return None;
    }
    let i = rng.below(members.len());
    members[i].as_object_mut()
}

fn object_names(spec: &Value) -> Vec<String> {
    spec.get("objects")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

/// Renames an entry of `actions` or `objects`; sometimes updates the references to it.
fn rename_entry(rng: &mut Rng, spec: &mut Value, key: &str) {
    let Some((old, _)) = random_entry(rng, spec, key) else {
        return;
    };
    let new = (*rng.pick(NAMES)).to_owned();
    let map = entries(spec, key).expect("present");
    let value = map.remove(&old).expect("present");
    map.insert(new.clone(), value);
    if key == "objects" && rng.chance(70) {
        let replace = |v: &mut Value| {
            if v.as_str() == Some(old.as_str()) {
                *v = Value::String(new.clone());
            }
        };
        if let Some(actions) = entries(spec, "actions") {
            for a in actions.values_mut() {
                if let Some(a) = a.as_object_mut() {
                    a.get_mut("input").map(replace);
                    a.get_mut("output").map(replace);
                }
            }
        }
        if let Some(objects) = entries(spec, "objects") {
            for o in objects.values_mut() {
                if let Some(ms) = o.get_mut("members").and_then(Value::as_array_mut) {
                    for m in ms {
                        m.get_mut("member").map(replace);
                    }
                }
            }
        }
    }
}

/// One structure-aware mutation.
fn mutate(rng: &mut Rng, spec: &mut Value) {
    match rng.below(16) {
        0 => {
            // Delete a key somewhere.
            if let Value::Object(m) = random_node(rng, spec)
                && !m.is_empty()
            {
                let key = m.keys().nth(rng.below(m.len())).cloned().expect("key");
                m.remove(&key);
            }
        }
        1 => {
            // Change a value's JSON type.
            *random_node(rng, spec) = random_value(rng, 0);
        }
        2 => {
            if let Some(m) = random_member(rng, spec) {
                m.insert("name".into(), json!(rng.pick(NAMES)));
            }
        }
        3 => rename_entry(rng, spec, "actions"),
        4 => rename_entry(rng, spec, "objects"),
        5 => {
            // Duplicate a member, sometimes as a case twin.
            if let Some((_, object)) = random_entry(rng, spec, "objects")
                && let Some(ms) = object.get_mut("members").and_then(Value::as_array_mut)
                && !ms.is_empty()
            {
                let mut copy = ms[rng.below(ms.len())].clone();
                if rng.chance(50)
                    && let Some(name) = copy.get("name").and_then(Value::as_str)
                {
                    let twin = match rng.below(3) {
                        0 => name.to_ascii_lowercase(),
                        1 => name.to_ascii_uppercase(),
                        _ => format!("{name}_"),
                    };
                    copy["name"] = json!(twin);
                }
                let at = rng.below(ms.len() + 1);
                ms.insert(at, copy);
            }
        }
        6 => {
            // Point a member at another type, a missing or a request object.
            let names = object_names(spec);
            if let Some(m) = random_member(rng, spec) {
                let target = if rng.chance(50) && !names.is_empty() {
                    rng.pick(&names).clone()
                } else {
                    (*rng.pick(MEMBERS)).to_owned()
                };
                m.insert("member".into(), json!(target));
                if rng.chance(50) {
                    m.insert("type".into(), json!(rng.pick(TYPES)));
                }
            }
        }
        7 => {
            // Point an action at another object.
            let names = object_names(spec);
            if let Some((_, action)) = random_entry(rng, spec, "actions")
                && let Some(action) = action.as_object_mut()
            {
                let key = if rng.chance(50) { "input" } else { "output" };
                let target = if rng.chance(70) && !names.is_empty() {
                    rng.pick(&names).clone()
                } else {
                    (*rng.pick(NAMES)).to_owned()
                };
                action.insert(key.into(), json!(target));
            }
        }
        8 => {
            // Hostile documentation, titles, descriptions, examples.
            let text = nasty_text(rng);
            match rng.below(5) {
                0 => {
                    if let Some(m) = random_member(rng, spec) {
                        let key = if rng.chance(70) {
                            "document"
                        } else {
                            "example"
                        };
                        m.insert(key.into(), json!(text));
                    }
                }
                1 => {
                    if let Some((_, o)) = random_entry(rng, spec, "objects")
                        && let Some(o) = o.as_object_mut()
                    {
                        o.insert("document".into(), json!(text));
                    }
                }
                2 => {
                    if let Some((_, a)) = random_entry(rng, spec, "actions")
                        && let Some(a) = a.as_object_mut()
                    {
                        let key = if rng.chance(50) { "document" } else { "name" };
                        a.insert(key.into(), json!(text));
                    }
                }
                _ => {
                    let codes = code_list(rng, spec);
                    if let Some(codes) = codes
                        && !codes.is_empty()
                    {
                        let i = rng.below(codes.len());
                        if let Some(code) = codes[i].as_object_mut() {
                            code.insert("description".into(), json!(text));
                        }
                    }
                }
            }
        }
        9 => {
            // Odd error codes: added, or replacing one.
            let code = if rng.chance(80) {
                (*rng.pick(CODES)).to_owned()
            } else {
                nasty_text(rng)
            };
            if let Some(codes) = code_list(rng, spec) {
                let entry = json!({ "code": code, "description": "d" });
                if rng.chance(50) || codes.is_empty() {
                    let at = rng.below(codes.len() + 1);
                    codes.insert(at, entry);
                } else {
                    let i = rng.below(codes.len());
                    if let Some(entry) = codes[i].as_object_mut() {
                        entry.insert("code".into(), json!(code));
                    }
                }
            }
        }
        10 => {
            // Rate limits, idempotency and status of an action.
            if let Some((_, a)) = random_entry(rng, spec, "actions")
                && let Some(a) = a.as_object_mut()
            {
                let values = [
                    json!(-1),
                    json!(0),
                    json!(1),
                    json!(20.0),
                    json!(0.5),
                    json!(u32::MAX),
                    json!(u64::from(u32::MAX) + 1),
                    json!(u64::MAX),
                    json!(1e300),
                    json!("20"),
                    Value::Null,
                ];
                match rng.below(3) {
                    0 => a.insert("rate_limit_per_second".into(), rng.pick(&values).clone()),
                    1 => a.insert(
                        "idempotent".into(),
                        rng.pick(&[json!(true), json!("true"), json!(1), Value::Null])
                            .clone(),
                    ),
                    _ => a.insert(
                        "status".into(),
                        json!(rng.pick(&[
                            "deprecated",
                            "offline",
                            "online",
                            "",
                            "Deprecated",
                            "\n"
                        ])),
                    ),
                };
            }
        }
        11 => {
            // Object kind: `type` and `usage`.
            if let Some((_, o)) = random_entry(rng, spec, "objects")
                && let Some(o) = o.as_object_mut()
            {
                let values = ["object", "in", "out", "both", "", "Object", "IN"];
                if rng.chance(50) {
                    o.remove("type");
                    o.insert("usage".into(), json!(rng.pick(&values)));
                } else {
                    o.insert("type".into(), json!(rng.pick(&values)));
                }
            }
        }
        12 => {
            // Metadata.
            let values = [
                "redis",
                "",
                "a\nb",
                "a\rb",
                "\"quoted\"",
                "x`y",
                "2018-04-12",
                "*/",
                "\u{0}",
                "名字",
                "\u{2028}",
            ];
            let key = if rng.chance(50) {
                "serviceShortName"
            } else {
                "apiVersion"
            };
            if let Some(m) = spec.get_mut("metadata").and_then(Value::as_object_mut) {
                m.insert(key.into(), json!(rng.pick(&values)));
            }
        }
        13 => {
            // A new data structure, used by a member.
            let name = (*rng.pick(NAMES)).to_owned();
            let usage = *rng.pick(&["in", "out", "both"]);
            let member_name = (*rng.pick(NAMES)).to_owned();
            if let Some(objects) = entries(spec, "objects") {
                objects.insert(
                    name.clone(),
                    json!({ "usage": usage, "document": "New.", "members": [
                        { "name": member_name, "type": "string", "member": "string",
                          "required": rng.chance(50), "output_required": rng.chance(50) }
                    ] }),
                );
            }
            if let Some(m) = random_member(rng, spec) {
                m.insert(
                    "type".into(),
                    json!(if rng.chance(50) { "list" } else { "object" }),
                );
                m.insert("member".into(), json!(name));
            }
        }
        14 => {
            // Member flags.
            if let Some(m) = random_member(rng, spec) {
                let key = *rng.pick(&[
                    "required",
                    "output_required",
                    "value_allowed_null",
                    "disabled",
                ]);
                let value = rng
                    .pick(&[json!(true), json!(false), Value::Null, json!(0)])
                    .clone();
                m.insert(key.into(), value);
            }
        }
        _ => {
            // Delete a whole entry.
            let key = if rng.chance(50) { "actions" } else { "objects" };
            if let Some((name, _)) = random_entry(rng, spec, key) {
                entries(spec, key).expect("present").remove(&name);
            }
        }
    }
}

/// The error code list of a random action, or the common one.
fn code_list<'v>(rng: &mut Rng, spec: &'v mut Value) -> Option<&'v mut Vec<Value>> {
    if rng.chance(50) {
        let (_, action) = random_entry(rng, spec, "actions")?;
        let action = action.as_object_mut()?;
        action
            .entry("error_codes")
            .or_insert_with(|| json!([]))
            .as_array_mut()
    } else {
        let root = spec.as_object_mut()?;
        root.entry("common_error_codes")
            .or_insert_with(|| json!([]))
            .as_array_mut()
    }
}

/// A few byte-level mutations of the text (kept valid UTF-8: `parse_str` takes a `&str`).
fn mutate_text(rng: &mut Rng, text: &str) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for _ in 0..1 + rng.below(3) {
        let len = chars.len();
        match rng.below(4) {
            0 if len > 0 => {
                chars.remove(rng.below(len));
            }
            1 => {
                let c = *rng.pick(&['{', '}', '[', ']', '"', ':', ',', '\\', '0', 'é', '\u{0}']);
                chars.insert(rng.below(len + 1), c);
            }
            2 => chars.truncate(rng.below(len + 1)),
            _ if len > 0 => {
                let s = rng.below(len);
                let e = (s + rng.below(64)).min(len);
                let copy: Vec<char> = chars[s..e].to_vec();
                let at = rng.below(len + 1);
                chars.splice(at..at, copy);
            }
            _ => {}
        }
    }
    chars.into_iter().collect()
}

// ---------------------------------------------------------------------------------------------
// Reporting.

fn show(text: &str) -> String {
    const SHOWN: usize = 3000;
    let mut s = format!("{:?}", text.chars().take(SHOWN).collect::<String>());
    if text.chars().count() > SHOWN {
        let _ = write!(s, " ... ({} bytes in all)", text.len());
    }
    s
}

/// The kind of a violation, to keep it while shrinking: up to the first colon.
fn kind(violation: &str) -> String {
    violation.split(':').next().unwrap_or(violation).to_owned()
}

/// Shrinks a failing document: drops entries, array items and keys, shortens strings, while
/// the same kind of violation remains.
fn minimise(spec: &Value, violation: &str) -> Value {
    let want = kind(violation);
    let fails = |v: &Value| match check(&serde_json::to_string(v).expect("serialises")) {
        Err(got) => kind(&got) == want,
        Ok(_) => false,
    };
    let mut best = spec.clone();
    let mut budget = 3_000;
    loop {
        let mut improved = false;
        let mut i = 0;
        while budget > 0 {
            let Some(candidate) = nth_reduction(&best, i) else {
                break;
            };
            budget -= 1;
            if fails(&candidate) {
                best = candidate;
                improved = true;
            } else {
                i += 1;
            }
        }
        if !improved || budget == 0 {
            return best;
        }
    }
}

/// The `n`-th one-step reduction of `v` (depth first), if there are that many.
fn nth_reduction(v: &Value, mut n: usize) -> Option<Value> {
    fn walk(v: &mut Value, n: &mut usize) -> bool {
        match v {
            Value::Object(m) => {
                let keys: Vec<String> = m.keys().cloned().collect();
                for k in &keys {
                    if *n == 0 {
                        m.remove(k);
                        return true;
                    }
                    *n -= 1;
                }
                for k in &keys {
                    if walk(m.get_mut(k).expect("key"), n) {
                        return true;
                    }
                }
                false
            }
            Value::Array(a) => {
                for i in 0..a.len() {
                    if *n == 0 {
                        a.remove(i);
                        return true;
                    }
                    *n -= 1;
                }
                a.iter_mut().any(|item| walk(item, n))
            }
            Value::String(s) if s.chars().count() > 1 => {
                if *n == 0 {
                    let half = s.chars().count() / 2;
                    *s = s.chars().take(half).collect();
                    return true;
                }
                *n -= 1;
                false
            }
            _ => false,
        }
    }
    let mut copy = v.clone();
    walk(&mut copy, &mut n).then_some(copy)
}

// ---------------------------------------------------------------------------------------------
// The tests.

#[test]
fn fuzz_spec_pipeline() {
    let mut fuzz = Fuzz::from_env("fuzz_spec", DEFAULT_CASES, DEFAULT_SEED);
    let cases = fuzz.cases();
    let mut rng = fuzz.rng();
    let corpus = [default_spec(), official_excerpt(), minimal_spec()];
    for (i, spec) in corpus.iter().enumerate() {
        match check(&serde_json::to_string_pretty(spec).expect("serialises")) {
            Ok(Outcome::Generated(_)) => {}
            other => panic!("corpus entry {i} is not a valid spec: {other:?}"),
        }
    }

    let mut refused: BTreeMap<String, usize> = BTreeMap::new();
    let mut generated = 0usize;
    let mut determinism = 0usize;
    for case in 0..cases {
        // Mostly the minimal spec: generating and re-parsing the two large entries takes ~17 ms
        // each in a debug build, against ~3 ms.
        let mut spec = corpus[if rng.chance(12) { rng.below(2) } else { 2 }].clone();
        for _ in 0..1 + rng.below(4) {
            mutate(&mut rng, &mut spec);
        }
        let mut text = if rng.chance(50) {
            serde_json::to_string(&spec).expect("serialises")
        } else {
            serde_json::to_string_pretty(&spec).expect("serialises")
        };
        let byte_level = rng.chance(5);
        if byte_level {
            text = mutate_text(&mut rng, &text);
        }
        match check(&text) {
            Ok(Outcome::Refused(at)) => *refused.entry(at).or_default() += 1,
            Ok(Outcome::Generated(code)) => {
                generated += 1;
                if generated % 25 == 1 {
                    // Determinism: the same text, parsed and generated again, gives the same bytes.
                    let again = parse_str(&text, Path::new(FILE))
                        .and_then(|s| generate(&s))
                        .expect("accepted once, accepted again");
                    determinism += 1;
                    if again != code {
                        fuzz.fail(|| {
                            format!(
                                "case {case}: generation is not deterministic\n  input: {}",
                                show(&text)
                            )
                        });
                    }
                }
            }
            Err(violation) => fuzz.fail(|| {
                let small = if byte_level {
                    text.clone()
                } else {
                    serde_json::to_string_pretty(&minimise(&spec, &violation)).expect("serialises")
                };
                format!(
                    "case {case}: {violation}\n  minimised input: {small}\n  full input: {}",
                    show(&text)
                )
            }),
        }
    }

    let refusals: usize = refused.values().sum();
    println!(
        "fuzz_spec: {cases} executions in {:.2?}: {generated} generated and parsed \
         ({determinism} regenerated for determinism), {refusals} refused",
        fuzz.elapsed()
    );
    println!("fuzz_spec: refused at: {refused:?}");
    fuzz.finish();
    if cases >= 1_000 {
        // Both sides are exercised: a mutator that only broke specs would test little.
        assert!(
            generated * 10 >= cases,
            "only {generated} of {cases} specs were accepted"
        );
        assert!(
            refusals * 10 >= cases,
            "only {refusals} of {cases} specs were refused"
        );
    }
}

/// Deep nesting is an error, not a stack overflow: an array where the document's object belongs
/// is refused at once, and nesting under an unknown key is skipped without recursion (serde_json
/// ignores values iteratively) to the end of the text.
#[test]
fn deep_nesting_is_refused_without_overflowing_the_stack() {
    for (text, problem) in [
        ("[".repeat(100_000), "invalid type: sequence"),
        ("{\"a\":".repeat(100_000), "EOF while parsing"),
    ] {
        let e = parse_str(&text, Path::new(FILE)).expect_err("not a spec");
        assert!(e.message.contains(problem), "{e}");
    }
}

/// The harness itself: panics are caught with their location, and the minimiser shrinks.
#[test]
fn the_harness_catches_panics_and_shrinks() {
    let caught = catch(|| -> u8 { panic!("boom") }).expect_err("caught");
    assert!(
        caught.contains("fuzz_spec.rs") && caught.contains("boom"),
        "{caught}"
    );
    let v = json!({ "a": [1, 2], "b": "xy" });
    let all: Vec<Value> = (0..).map_while(|n| nth_reduction(&v, n)).collect();
    assert_eq!(all.len(), 5, "{all:?}");
}

// ---------------------------------------------------------------------------------------------
// Regression tests: what the harness found, one test per bug (all fixed in the generator).

/// `minimal_spec` changed by `edit` must be refused, or generate code that parses and defines
/// nothing twice.
fn assert_refused_or_generated(what: &str, edit: impl FnOnce(&mut Value)) {
    let mut spec = minimal_spec();
    edit(&mut spec);
    let text = serde_json::to_string_pretty(&spec).expect("serialises");
    if let Err(violation) = check(&text) {
        panic!("{what}: {violation}");
    }
}

fn rename(spec: &mut Value, key: &str, from: &str, to: &str) {
    let map = spec[key].as_object_mut().expect("entries");
    let entry = map.remove(from).expect("present");
    map.insert(to.to_owned(), entry);
}

#[test]
fn regression_error_code_starting_with_underscore() {
    for code in ["_", "__", "_1", "_1x"] {
        assert_refused_or_generated(code, |s| s["common_error_codes"][0]["code"] = json!(code));
    }
}

#[test]
fn regression_error_code_self_is_a_keyword_variant() {
    for code in ["self", "Self", "_self"] {
        assert_refused_or_generated(code, |s| s["common_error_codes"][0]["code"] = json!(code));
    }
}

#[test]
fn regression_underscore_names() {
    assert_refused_or_generated("member `_`", |s| {
        s["objects"]["Tag"]["members"][1]["name"] = json!("_");
    });
    assert_refused_or_generated("action `_`", |s| rename(s, "actions", "Foo", "_"));
    assert_refused_or_generated("object `_`", |s| {
        rename(s, "objects", "Tag", "_");
        s["objects"]["FooRequest"]["members"][1]["member"] = json!("_");
        s["objects"]["FooResponse"]["members"][0]["member"] = json!("_");
    });
}

#[test]
fn regression_carriage_return_in_docs() {
    assert_refused_or_generated("action document", |s| {
        s["actions"]["Foo"]["document"] = json!("a\rb");
    });
    assert_refused_or_generated("error description", |s| {
        s["common_error_codes"][0]["description"] = json!("a\rb");
    });
    assert_refused_or_generated("member example", |s| {
        s["objects"]["FooRequest"]["members"][0]["example"] = json!("a\rb");
    });
}

#[test]
fn regression_line_break_in_metadata() {
    assert_refused_or_generated("serviceShortName", |s| {
        s["metadata"]["serviceShortName"] = json!("redis\nfn x() {}");
    });
    assert_refused_or_generated("apiVersion", |s| {
        s["metadata"]["apiVersion"] = json!("2018-04-12\n!");
    });
}

#[test]
fn regression_two_actions_share_a_request() {
    assert_refused_or_generated("Bar shares FooRequest", |s| {
        let mut bar = s["actions"]["Foo"].clone();
        bar["output"] = json!("BarResponse");
        s["actions"]["Bar"] = bar;
        s["objects"]["BarResponse"] = s["objects"]["FooResponse"].clone();
    });
}

#[test]
fn regression_keyword_object_names_collide() {
    assert_refused_or_generated("Self and Self_", |s| {
        s["objects"]["Self"] = s["objects"]["Tag"].clone();
        s["objects"]["Self_"] = s["objects"]["Tag"].clone();
    });
}

#[test]
fn regression_error_code_listed_twice_by_an_action() {
    assert_refused_or_generated("FailedOperation.Foo twice", |s| {
        let code = s["actions"]["Foo"]["error_codes"][0].clone();
        s["actions"]["Foo"]["error_codes"]
            .as_array_mut()
            .expect("codes")
            .push(code);
    });
}
