//! The spec format: Tencent's machine-readable API description (`api.json`, as tccli ships it),
//! read unchanged, plus a few optional fields of our own. This module is the only place that
//! knows the JSON layout; everything after it works on the [`Spec`] model.
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
use crate::reply::{self, Reply};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
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
#[derive(Debug, Clone, PartialEq, Eq)]
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
    /// How the client reads it in a reply (decided by [`crate::reply::classify`]).
    pub reply: Reply,
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

/// Parses one spec document. `file` only names the source in errors.
pub fn parse(text: &str, file: &Path) -> Result<Spec, SpecError> {
    let root: Value = serde_json::from_str(text).map_err(|e| {
        SpecError::new(
            file,
            "",
            format!(
                "invalid JSON at line {}, column {}: {}",
                e.line(),
                e.column(),
                e
            ),
        )
    })?;
    let r = Reader { file };
    let root = r.object(&root, "")?;
    let metadata = r.object(r.field(root, "", "metadata")?, "metadata")?;
    let service = r.string(metadata, "metadata", "serviceShortName")?;
    let api_version = r.string(metadata, "metadata", "apiVersion")?;

    let mut actions = BTreeMap::new();
    if let Some(v) = root.get("actions") {
        for (name, entry) in r.object(v, "actions")? {
            let path = format!("actions.{name}");
            let mut action = r.action(name, entry, &path)?;
            action.service.clone_from(&service);
            action.version.clone_from(&api_version);
            actions.insert(name.clone(), action);
        }
    }
    let mut objects = BTreeMap::new();
    if let Some(v) = root.get("objects") {
        for (name, entry) in r.object(v, "objects")? {
            let path = format!("objects.{name}");
            objects.insert(name.clone(), r.object_entry(entry, &path)?);
        }
    }
    let common_error_codes = match root.get("common_error_codes") {
        Some(v) => r.error_codes(v, "common_error_codes")?,
        None => Vec::new(),
    };
    Ok(Spec {
        actions,
        objects,
        common_error_codes,
    })
}

/// Reads JSON values with the file and path at hand, so that every error names both.
struct Reader<'a> {
    file: &'a Path,
}

impl Reader<'_> {
    fn err(&self, path: &str, message: impl Into<String>) -> SpecError {
        SpecError::new(self.file, path, message)
    }

    fn object<'v>(&self, v: &'v Value, path: &str) -> Result<&'v Map<String, Value>, SpecError> {
        v.as_object()
            .ok_or_else(|| self.err(path, format!("expected an object, found {}", kind(v))))
    }

    fn field<'v>(
        &self,
        obj: &'v Map<String, Value>,
        path: &str,
        key: &str,
    ) -> Result<&'v Value, SpecError> {
        obj.get(key)
            .ok_or_else(|| self.err(path, format!("missing field `{key}`")))
    }

    fn string(&self, obj: &Map<String, Value>, path: &str, key: &str) -> Result<String, SpecError> {
        let v = self.field(obj, path, key)?;
        v.as_str().map(str::to_owned).ok_or_else(|| {
            self.err(
                &join(path, key),
                format!("expected a string, found {}", kind(v)),
            )
        })
    }

    fn opt_string(
        &self,
        obj: &Map<String, Value>,
        path: &str,
        key: &str,
    ) -> Result<Option<String>, SpecError> {
        match obj.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(_) => self.string(obj, path, key).map(Some),
        }
    }

    fn opt_bool(
        &self,
        obj: &Map<String, Value>,
        path: &str,
        key: &str,
    ) -> Result<Option<bool>, SpecError> {
        match obj.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(v) => Err(self.err(
                &join(path, key),
                format!("expected true or false, found {}", kind(v)),
            )),
        }
    }

    fn action(&self, name: &str, v: &Value, path: &str) -> Result<Action, SpecError> {
        let o = self.object(v, path)?;
        let rate_limit_per_second = match o.get("rate_limit_per_second") {
            None | Some(Value::Null) => None,
            Some(v) => Some(
                v.as_u64()
                    .and_then(|n| u32::try_from(n).ok())
                    .filter(|n| *n > 0)
                    .ok_or_else(|| {
                        self.err(
                            &join(path, "rate_limit_per_second"),
                            format!("expected a positive integer, found {v}"),
                        )
                    })?,
            ),
        };
        Ok(Action {
            name: name.to_owned(),
            // Set from the file's metadata by `parse`.
            service: String::new(),
            version: String::new(),
            skip_sign: self.opt_bool(o, path, "skip_sign")?.unwrap_or(false),
            title: self.opt_string(o, path, "name")?.unwrap_or_default(),
            document: self.opt_string(o, path, "document")?.unwrap_or_default(),
            input: self.string(o, path, "input")?,
            output: self.string(o, path, "output")?,
            status: self.opt_string(o, path, "status")?.unwrap_or_default(),
            error_codes: match o.get("error_codes") {
                Some(v) => self.error_codes(v, &join(path, "error_codes"))?,
                None => Vec::new(),
            },
            rate_limit_per_second,
            idempotent: self.opt_bool(o, path, "idempotent")?.unwrap_or(false),
        })
    }

    fn error_codes(&self, v: &Value, path: &str) -> Result<Vec<ErrorCode>, SpecError> {
        let items = v.as_array().ok_or_else(|| {
            self.err(
                path,
                format!("expected an array of codes, found {}", kind(v)),
            )
        })?;
        items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let p = format!("{path}[{i}]");
                let o = self.object(item, &p)?;
                Ok(ErrorCode {
                    code: self.string(o, &p, "code")?,
                    description: self.string(o, &p, "description")?,
                })
            })
            .collect()
    }

    fn object_entry(&self, v: &Value, path: &str) -> Result<Object, SpecError> {
        let o = self.object(v, path)?;
        let usage = match (o.get("type"), o.get("usage")) {
            (Some(_), _) => {
                let t = self.string(o, path, "type")?;
                if t != "object" {
                    return Err(self.err(
                        &join(path, "type"),
                        format!("unknown object type `{t}` (expected `object`)"),
                    ));
                }
                None
            }
            (None, Some(_)) => Some(match self.string(o, path, "usage")?.as_str() {
                "in" => Usage::In,
                "out" => Usage::Out,
                "both" => Usage::Both,
                other => {
                    return Err(self.err(
                        &join(path, "usage"),
                        format!("unknown usage `{other}` (expected `in`, `out` or `both`)"),
                    ));
                }
            }),
            (None, None) => {
                return Err(self.err(path, "missing field `type` (or `usage`)"));
            }
        };
        let members_path = join(path, "members");
        let members = self.field(o, path, "members")?;
        let members = members.as_array().ok_or_else(|| {
            self.err(
                &members_path,
                format!("expected an array, found {}", kind(members)),
            )
        })?;
        let members = members
            .iter()
            .enumerate()
            .map(|(i, m)| self.member(m, &format!("{members_path}[{i}]")))
            .collect::<Result<Vec<_>, _>>()?;
        // Decided once, here, for every member: the emitter only reads the outcome.
        let members = members
            .into_iter()
            .map(|mut m| {
                m.reply = reply::classify(&m, usage.is_none());
                m
            })
            .collect();
        Ok(Object {
            document: self.opt_string(o, path, "document")?.unwrap_or_default(),
            members,
            usage,
        })
    }

    fn member(&self, v: &Value, path: &str) -> Result<Member, SpecError> {
        let o = self.object(v, path)?;
        let shape = self.string(o, path, "type")?;
        let member = self.string(o, path, "member")?;
        let element = match member.as_str() {
            "string" => Element::String,
            "int64" => Element::Int64,
            "uint64" => Element::Uint64,
            "float" => Element::Float,
            "bool" => Element::Bool,
            other if shape == "list" || shape == "object" => Element::Object(other.to_owned()),
            other => {
                return Err(self.err(
                    &join(path, "member"),
                    format!("unknown member `{other}` for type `{shape}`"),
                ));
            }
        };
        // `type` is the shape, `member` the element; they must agree.
        let agrees = match (shape.as_str(), &element) {
            ("string", Element::String) | ("bool", Element::Bool) | ("float", Element::Float) => {
                true
            }
            ("int", Element::Int64 | Element::Uint64) => true,
            ("object", Element::Object(_)) | ("list", _) => true,
            ("string" | "int" | "float" | "bool" | "object", _) => false,
            (other, _) => {
                return Err(self.err(
                    &join(path, "type"),
                    format!(
                        "unknown type `{other}` (expected string, int, float, bool, list or object)"
                    ),
                ));
            }
        };
        if !agrees {
            return Err(self.err(
                &join(path, "member"),
                format!("member `{member}` does not fit type `{shape}`"),
            ));
        }
        let ty = if shape == "list" {
            FieldType::List(element)
        } else {
            FieldType::One(element)
        };
        Ok(Member {
            name: self.string(o, path, "name")?,
            ty,
            document: self.opt_string(o, path, "document")?.unwrap_or_default(),
            disabled: self.opt_bool(o, path, "disabled")?.unwrap_or(false),
            required: self.opt_bool(o, path, "required")?.unwrap_or(false),
            output_required: self.opt_bool(o, path, "output_required")?,
            value_allowed_null: self
                .opt_bool(o, path, "value_allowed_null")?
                .unwrap_or(false),
            example: self.opt_string(o, path, "example")?,
            sensitive: self.opt_bool(o, path, "sensitive")?.unwrap_or(false),
            reply: Reply::Strict,
        })
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Merges `other` (read from `file`) into `into`. Files may describe different services and
/// versions (each action keeps its own); an action may be defined once; an object defined twice
/// must be identical (shared structures are repeated in each action's file).
pub fn merge(into: &mut Spec, other: Spec, file: &Path) -> Result<(), SpecError> {
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
