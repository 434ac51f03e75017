//! The spec format: Tencent's machine-readable API description (`api.json`, as tccli ships it),
//! read unchanged, plus a few optional fields of our own. This module is the only place that
//! knows the JSON layout: the document is read into a serde mirror of it (errors keep the file
//! and the JSON path, through `serde_path_to_error`), then into the [`Spec`] model that every later
//! step works on.
//!
//! Official layout (every field is described in `api-spec/README.md`):
//!
//! ```text
//! { "version": "1.0",
//!   "metadata": { "apiVersion": "2018-04-12", "serviceShortName": "redis", ... },
//!   "actions": { "<Action>": { "name", "document", "input", "output", "status" } },
//!   "objects": { "<Object>": { "document", "members": [ { "name", "type", "member", ... } ],
//!                              "type": "object" | "usage": "in" | "out" | "both" } } }
//! ```
//!
//! Our optional extensions, which the official format lacks:
//!
//! * top level `"common_error_codes": [ { "code", "description" } ]`: codes every action of the
//!   service may return (`AuthFailure.*`, `RequestLimitExceeded`, ...);
//! * on an action, `"error_codes": [ { "code", "description" } ]` (its documented business
//!   codes), `"rate_limit_per_second": 20` and `"idempotent": true|false` (default `false`:
//!   a request that may have reached the server is never sent twice unless the spec says so);
//! * on a member, `"sensitive": true`: a secret, redacted in the generated `Debug`;
//! * anywhere, `"sources"`: free text recording where each fact came from (not read).
//!
//! Read from the official format besides the above: `metadata` gives each action of the file its
//! service and version (files of different services merge), and an action's `"skip_sign": true`
//! (Tencent's own flag, on `sts` `AssumeRoleWithWebIdentity`) says the API takes it unsigned.
//!
//! Unknown keys are ignored, so that a newer official spec still loads.

use crate::error::SpecError;
use serde::Deserialize;
use serde::de::{self, Deserializer, Unexpected};
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

/// An API description, possibly merged from several files (of one or several services: each
/// action carries its own service and version).
#[derive(Debug, Clone, PartialEq)]
pub struct Spec {
    /// Actions by name, sorted.
    pub actions: BTreeMap<String, Action>,
    /// Objects (request, response and shared structures) by name, sorted.
    pub objects: BTreeMap<String, Object>,
    /// Error codes every action may return.
    pub common_error_codes: Vec<ErrorCode>,
}

/// One API action.
#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    /// The `X-TC-Action` value.
    pub name: String,
    /// The signing service and host prefix (its file's `metadata.serviceShortName`), e.g. `redis`.
    pub service: String,
    /// The `X-TC-Version` value (its file's `metadata.apiVersion`), e.g. `2018-04-12`.
    pub version: String,
    /// The API accepts the action unsigned (official `skip_sign`): the client sends
    /// `Authorization: SKIP` and no credentials.
    pub skip_sign: bool,
    /// The human title (`name` in the official format).
    pub title: String,
    /// The description.
    pub document: String,
    /// Name of the request object.
    pub input: String,
    /// Name of the response object.
    pub output: String,
    /// Lifecycle: `online`, `deprecated`, `offline`, or empty when absent.
    pub status: String,
    /// Documented business error codes (our extension).
    pub error_codes: Vec<ErrorCode>,
    /// The server's default rate limit for this action (our extension).
    pub rate_limit_per_second: Option<u32>,
    /// Whether sending the request twice is harmless (our extension, default `false`).
    pub idempotent: bool,
}

/// An error code and what it means.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ErrorCode {
    /// The `Response.Error.Code` string.
    pub code: String,
    /// Its documented meaning.
    pub description: String,
}

/// A request, response or shared data structure.
#[derive(Debug, Clone, PartialEq)]
pub struct Object {
    /// The description.
    pub document: String,
    /// The fields, in documentation (and wire) order.
    pub members: Vec<Member>,
    /// `None` for request/response objects (`"type": "object"`), else the `usage` value.
    pub usage: Option<Usage>,
}

/// Where a shared data structure appears.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Usage {
    /// Only in requests.
    In,
    /// Only in responses.
    Out,
    /// In both.
    Both,
}

/// One field of an object.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    /// The JSON key.
    pub name: String,
    /// The field's type.
    pub ty: FieldType,
    /// The description.
    pub document: String,
    /// Hidden or deprecated in the official spec.
    pub disabled: bool,
    /// Mandatory input parameter.
    pub required: bool,
    /// Always returned by the server (`None` when the spec does not say).
    pub output_required: Option<bool>,
    /// The server may return `null`.
    pub value_allowed_null: bool,
    /// The spec's example value (always a string in the official format).
    pub example: Option<String>,
    /// A secret (a key, a token): `Debug` of the generated struct shows `<redacted>` in its
    /// place (our extension, default `false`).
    pub sensitive: bool,
}

/// A field's type: a scalar, an object, or a list of either.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldType {
    /// A single value.
    One(Element),
    /// A JSON array.
    List(Element),
}

/// The element type of a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Element {
    /// `string`.
    String,
    /// `int64`.
    Int64,
    /// `uint64`.
    Uint64,
    /// `float`.
    Float,
    /// `bool`.
    Bool,
    /// A data structure, by name.
    Object(String),
}

impl FieldType {
    /// The element type, for a list or a single value.
    pub fn element(&self) -> &Element {
        match self {
            FieldType::One(e) | FieldType::List(e) => e,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The serde mirror of one document, as it is written.

#[derive(Deserialize)]
struct Document {
    metadata: Metadata,
    #[serde(default)]
    actions: BTreeMap<String, RawAction>,
    #[serde(default)]
    objects: BTreeMap<String, RawObject>,
    #[serde(default)]
    common_error_codes: Vec<ErrorCode>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Metadata {
    service_short_name: String,
    api_version: String,
}

#[derive(Deserialize)]
struct RawAction {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    document: Option<String>,
    input: String,
    output: String,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    error_codes: Vec<ErrorCode>,
    #[serde(default)]
    rate_limit_per_second: Option<RateLimit>,
    #[serde(default)]
    idempotent: Option<Flag>,
    #[serde(default)]
    skip_sign: Option<Flag>,
}

#[derive(Deserialize)]
struct RawObject {
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    usage: Option<String>,
    #[serde(default)]
    document: Option<String>,
    members: Vec<RawMember>,
}

#[derive(Deserialize)]
struct RawMember {
    name: String,
    #[serde(rename = "type")]
    shape: Shape,
    member: String,
    #[serde(default)]
    document: Option<String>,
    #[serde(default)]
    disabled: Option<Flag>,
    #[serde(default)]
    required: Option<Flag>,
    #[serde(default)]
    output_required: Option<Flag>,
    #[serde(default)]
    value_allowed_null: Option<Flag>,
    #[serde(default)]
    example: Option<String>,
    #[serde(default)]
    sensitive: Option<Flag>,
}

/// A member's `type`: the shape of its value.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    String,
    Int,
    Float,
    Bool,
    List,
    Object,
}

impl<'de> Deserialize<'de> for Shape {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        Ok(match name.as_str() {
            "string" => Shape::String,
            "int" => Shape::Int,
            "float" => Shape::Float,
            "bool" => Shape::Bool,
            "list" => Shape::List,
            "object" => Shape::Object,
            other => {
                return Err(de::Error::custom(format!(
                    "unknown type `{other}` (expected string, int, float, bool, list or object)"
                )));
            }
        })
    }
}

impl fmt::Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Shape::String => "string",
            Shape::Int => "int",
            Shape::Float => "float",
            Shape::Bool => "bool",
            Shape::List => "list",
            Shape::Object => "object",
        })
    }
}

/// `true` or `false`; `null` reads as absent (by the `Option` around it).
#[derive(Clone, Copy)]
struct Flag(bool);

impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> de::Visitor<'de> for V {
            type Value = Flag;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("true or false")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Flag, E> {
                Ok(Flag(v))
            }
        }
        d.deserialize_bool(V).map_err(|e: D::Error| {
            // serde's "invalid type: integer `1`, expected true or false" says "found" plainer.
            de::Error::custom(reword_expected(&e.to_string(), "true or false"))
        })
    }
}

/// A positive integer that fits `u32`.
#[derive(Clone, Copy)]
struct RateLimit(u32);

impl<'de> Deserialize<'de> for RateLimit {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> de::Visitor<'de> for V {
            type Value = RateLimit;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a positive integer")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RateLimit, E> {
                u32::try_from(v)
                    .ok()
                    .filter(|n| *n > 0)
                    .map(RateLimit)
                    .ok_or_else(|| E::custom(format!("expected a positive integer, found {v}")))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RateLimit, E> {
                Err(E::custom(format!("expected a positive integer, found {v}")))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<RateLimit, E> {
                Err(E::custom(format!("expected a positive integer, found {v}")))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RateLimit, E> {
                Err(E::custom(format!(
                    "expected a positive integer, found {v:?}"
                )))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<RateLimit, E> {
                Err(E::invalid_type(Unexpected::Bool(v), &self))
            }
        }
        d.deserialize_any(V)
    }
}

/// `invalid type: integer `1`, expected true or false` -> `expected true or false, found a
/// number`: what was found, in words, after what was expected.
fn reword_expected(serde_message: &str, expected: &str) -> String {
    let found = match serde_message.strip_prefix("invalid type: ") {
        Some(rest) if rest.starts_with("integer") || rest.starts_with("floating") => "a number",
        Some(rest) if rest.starts_with("string") => "a string",
        Some(rest) if rest.starts_with("sequence") => "an array",
        Some(rest) if rest.starts_with("map") => "an object",
        Some(_) => "another type",
        None => return serde_message.to_owned(),
    };
    format!("expected {expected}, found {found}")
}

// ---------------------------------------------------------------------------------------------
// Reading.

/// Reads one spec document. `file` only names the source in errors.
pub(crate) fn read(text: &str, file: &Path) -> Result<Spec, SpecError> {
    let mut json = serde_json::Deserializer::from_str(text);
    let doc: Document = serde_path_to_error::deserialize(&mut json).map_err(|e| {
        let inner = e.inner();
        if inner.is_syntax() || inner.is_eof() {
            return SpecError::new(
                file,
                "",
                format!(
                    "invalid JSON at line {}, column {}: {inner}",
                    inner.line(),
                    inner.column()
                ),
            );
        }
        SpecError::new(file, json_path(e.path()), data_message(inner))
    })?;
    let mut actions = BTreeMap::new();
    for (name, raw) in doc.actions {
        let action = Action {
            name: name.clone(),
            service: doc.metadata.service_short_name.clone(),
            version: doc.metadata.api_version.clone(),
            skip_sign: raw.skip_sign.is_some_and(|f| f.0),
            title: raw.name.unwrap_or_default(),
            document: raw.document.unwrap_or_default(),
            input: raw.input,
            output: raw.output,
            status: raw.status.unwrap_or_default(),
            error_codes: raw.error_codes,
            rate_limit_per_second: raw.rate_limit_per_second.map(|r| r.0),
            idempotent: raw.idempotent.is_some_and(|f| f.0),
        };
        actions.insert(name, action);
    }
    let mut objects = BTreeMap::new();
    for (name, raw) in doc.objects {
        let path = format!("objects.{name}");
        let object =
            object(raw, &path).map_err(|(path, message)| SpecError::new(file, path, message))?;
        objects.insert(name, object);
    }
    Ok(Spec {
        actions,
        objects,
        common_error_codes: doc.common_error_codes,
    })
}

/// serde_path_to_error's path as `objects.Foo.members[1].type` (empty for the root).
fn json_path(path: &serde_path_to_error::Path) -> String {
    let mut out = String::new();
    for segment in path {
        match segment {
            serde_path_to_error::Segment::Seq { index } => out.push_str(&format!("[{index}]")),
            serde_path_to_error::Segment::Map { key } => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            serde_path_to_error::Segment::Enum { variant } => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(variant);
            }
            serde_path_to_error::Segment::Unknown => out.push_str(".?"),
        }
    }
    out
}

/// serde_json's message without its position: the JSON path says where, and stays exact when the
/// text was not written by hand.
fn data_message(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_owned(),
        None => text,
    }
}

/// An object as the model holds it; errors are (path, message).
fn object(raw: RawObject, path: &str) -> Result<Object, (String, String)> {
    let usage = match (raw.kind.as_deref(), raw.usage.as_deref()) {
        (Some("object"), _) => None,
        (Some(other), _) => {
            return Err((
                format!("{path}.type"),
                format!("unknown object type `{other}` (expected `object`)"),
            ));
        }
        (None, Some("in")) => Some(Usage::In),
        (None, Some("out")) => Some(Usage::Out),
        (None, Some("both")) => Some(Usage::Both),
        (None, Some(other)) => {
            return Err((
                format!("{path}.usage"),
                format!("unknown usage `{other}` (expected `in`, `out` or `both`)"),
            ));
        }
        (None, None) => {
            return Err((
                path.to_owned(),
                "missing field `type` (or `usage`)".to_owned(),
            ));
        }
    };
    let members = raw
        .members
        .into_iter()
        .enumerate()
        .map(|(i, m)| member(m, &format!("{path}.members[{i}]")))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Object {
        document: raw.document.unwrap_or_default(),
        members,
        usage,
    })
}

/// A member as the model holds it: `type` (the shape) and `member` (the element) must agree.
fn member(raw: RawMember, path: &str) -> Result<Member, (String, String)> {
    let at_member = || format!("{path}.member");
    let element = match (raw.shape, raw.member.as_str()) {
        (_, "string") => Element::String,
        (_, "int64") => Element::Int64,
        (_, "uint64") => Element::Uint64,
        (_, "float") => Element::Float,
        (_, "bool") => Element::Bool,
        (Shape::List | Shape::Object, other) => Element::Object(other.to_owned()),
        (shape, other) => {
            return Err((
                at_member(),
                format!("unknown member `{other}` for type `{shape}`"),
            ));
        }
    };
    let agrees = matches!(
        (raw.shape, &element),
        (Shape::String, Element::String)
            | (Shape::Bool, Element::Bool)
            | (Shape::Float, Element::Float)
            | (Shape::Int, Element::Int64 | Element::Uint64)
            | (Shape::Object, Element::Object(_))
            | (Shape::List, _)
    );
    if !agrees {
        return Err((
            at_member(),
            format!("member `{}` does not fit type `{}`", raw.member, raw.shape),
        ));
    }
    let ty = if raw.shape == Shape::List {
        FieldType::List(element)
    } else {
        FieldType::One(element)
    };
    let flag = |f: Option<Flag>| f.is_some_and(|f| f.0);
    Ok(Member {
        name: raw.name,
        ty,
        document: raw.document.unwrap_or_default(),
        disabled: flag(raw.disabled),
        required: flag(raw.required),
        output_required: raw.output_required.map(|f| f.0),
        value_allowed_null: flag(raw.value_allowed_null),
        example: raw.example,
        sensitive: flag(raw.sensitive),
    })
}

/// Merges `other` (read from `file`) into `into`. Files may describe different services and
/// versions (each action keeps its own); an action may be defined once; an object defined twice
/// must be identical (shared structures are repeated in each action's file).
pub(crate) fn merge(into: &mut Spec, other: Spec, file: &Path) -> Result<(), SpecError> {
    for (name, action) in other.actions {
        if into.actions.contains_key(&name) {
            return Err(SpecError::new(
                file,
                format!("actions.{name}"),
                "action already defined by another spec file: an action is defined in one file only \
                 (to move it, import it with `--remove-from <the other directory>`)",
            ));
        }
        into.actions.insert(name, action);
    }
    for (name, object) in other.objects {
        match into.objects.get(&name) {
            Some(existing) if *existing != object => {
                return Err(SpecError::new(
                    file,
                    format!("objects.{name}"),
                    "object defined differently by another spec file",
                ));
            }
            Some(_) => {}
            None => {
                into.objects.insert(name, object);
            }
        }
    }
    for code in other.common_error_codes {
        match into.common_error_codes.iter().find(|c| c.code == code.code) {
            Some(existing) if *existing != code => {
                return Err(SpecError::new(
                    file,
                    "common_error_codes",
                    format!(
                        "common code `{}` described differently by another spec file",
                        code.code
                    ),
                ));
            }
            Some(_) => {}
            None => into.common_error_codes.push(code),
        }
    }
    Ok(())
}
