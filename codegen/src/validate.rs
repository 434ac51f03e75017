//! Checks that a spec can be emitted: every reference resolves and every name maps to a unique,
//! valid Rust identifier. After this, emission cannot fail.

use crate::Target;
use crate::error::SpecError;
use crate::ident;
use crate::spec::{Element, Spec};
use std::collections::BTreeMap;
use std::path::Path;

/// Names the runtime defines at the crate root next to the generated code (its modules and
/// re-exports: a generated type of the same name would be silently hidden by them): objects
/// generated for the crate root may not take them. Keep in step with `tc-redis/src/lib.rs`.
const RUNTIME_NAMES: &[&str] = &[
    // tc-redis's root re-exports and modules.
    "Action",
    "ApiError",
    "Client",
    "ClientBuilder",
    "ConfigError",
    "Credentials",
    "CommonErrorCode",
    "Error",
    "ErrorCode",
    "InvalidParameter",
    "Language",
    "RateLimit",
    "RetryPolicy",
    "TaskStatus",
    "TransportError",
    "TransportErrorKind",
    "WaitError",
    "action",
    "client",
    "clock",
    "credentials",
    "endpoint",
    "env",
    "error",
    "generated",
    "input",
    "network",
    "pipeline",
    "proxy",
    // The generated code's own module of reply wire forms, and the correction types.
    "wire",
    "correct",
    "Correction",
    "CorrectionKind",
    "Corrections",
    "rate_limit",
    "response",
    "retry",
    "sign",
    "sts",
    "task",
    "transport",
];

/// The primitive types the generated code names unqualified: no object may take them.
const PRIMITIVE_TYPES: &[&str] = &[
    "bool", "char", "str", "f32", "f64", "i8", "i16", "i32", "i64", "i128", "isize", "u8", "u16",
    "u32", "u64", "u128", "usize",
];

/// Methods `Client` has besides the generated ones, private ones included (an inherent method
/// of the same name would not compile): actions may not map to them. Keep in step with
/// `tc-redis/src/client.rs` and `task.rs`.
const RESERVED_METHODS: &[&str] = &[
    "builder",
    "call",
    "clock",
    "clock_skew",
    "credentials",
    "endpoint_for",
    "network",
    "wait_for_task",
    "wait_for_task_with",
];

/// Variant names every `<Action>ErrorCode` has besides the action's own codes.
const RESERVED_VARIANTS: &[&str] = &["Common", "Other", "Self"];

/// Validates `spec` for where its code goes: at the crate root, types may not take the runtime's
/// names and actions become `Client` methods, so they may not take its method names; in a module
/// of their own only the primitive type names are reserved. `file` names the source in errors.
pub(crate) fn validate(spec: &Spec, file: &Path, target: Target) -> Result<(), SpecError> {
    let at_root = target == Target::CrateRoot;
    let err = |path: String, msg: String| SpecError::new(file, path, msg);

    // They end up in a comment, in string constants and in the host name: plain tokens only.
    for action in spec.actions.values() {
        for (key, value) in [
            ("serviceShortName", &action.service),
            ("apiVersion", &action.version),
        ] {
            let plain = !value.is_empty()
                && value
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.');
            if !plain {
                return Err(err(
                    format!("metadata.{key}"),
                    format!("{value:?} is not a plain name (letters, digits, '-', '_', '.')"),
                ));
            }
        }
    }

    // The common codes, one `CommonErrorCode` variant each (checked again with each action's
    // own codes below, which must not take their variants).
    let mut common_variants: BTreeMap<String, String> = BTreeMap::new();
    for (i, c) in spec.common_error_codes.iter().enumerate() {
        let path = format!("common_error_codes[{i}].code");
        let variant = ident::variant_name(&c.code);
        if !valid_code(&c.code, &variant) {
            return Err(err(path, format!("`{}` is not a valid error code", c.code)));
        }
        if let Some(prev) = common_variants.insert(variant.clone(), path.clone()) {
            return Err(err(
                path,
                format!(
                    "`{}` and the code at {prev} both map to the variant `{variant}`",
                    c.code
                ),
            ));
        }
    }

    // Type names: objects, and the error enum generated for each action (and, at the crate
    // root, the common codes' enum).
    let mut types: BTreeMap<String, String> = BTreeMap::new();
    if at_root {
        types.insert(
            "CommonErrorCode".to_owned(),
            "the common error codes' enum `CommonErrorCode`".to_owned(),
        );
    }
    for name in spec.objects.keys() {
        let path = format!("objects.{name}");
        if !ident::is_identifier(name) {
            return Err(err(path, format!("`{name}` is not a valid type name")));
        }
        if PRIMITIVE_TYPES.contains(&name.as_str())
            || (at_root && RUNTIME_NAMES.contains(&name.as_str()))
        {
            return Err(err(path, format!("`{name}` clashes with a runtime type")));
        }
        // `Self` and `Self_` would both become `Self_`.
        if let Some(other) = types.insert(ident::type_name(name), path.clone()) {
            return Err(err(
                path,
                format!("`{name}` maps to the same Rust type name as {other}"),
            ));
        }
    }

    // Each request and response object belongs to one action: the request type implements
    // `Action` for it.
    let mut owners: BTreeMap<&str, String> = BTreeMap::new();
    for (name, action) in &spec.actions {
        for (key, target) in [("input", &action.input), ("output", &action.output)] {
            let path = format!("actions.{name}.{key}");
            if let Some(other) = owners.insert(target, path.clone()) {
                return Err(err(
                    path,
                    format!("`{target}` is already used by {other}; each action needs its own"),
                ));
            }
        }
    }

    let mut methods: BTreeMap<String, String> = BTreeMap::new();
    for (name, action) in &spec.actions {
        let path = format!("actions.{name}");
        if !ident::is_identifier(name) {
            return Err(err(path, format!("`{name}` is not a valid action name")));
        }
        for (key, target) in [("input", &action.input), ("output", &action.output)] {
            let Some(object) = spec.objects.get(target) else {
                return Err(err(
                    format!("{path}.{key}"),
                    format!("object `{target}` is not defined in `objects`"),
                ));
            };
            if object.usage.is_some() {
                return Err(err(
                    format!("{path}.{key}"),
                    format!("`{target}` is a data structure, not a request/response object"),
                ));
            }
        }
        if action.input == action.output {
            return Err(err(
                format!("{path}.output"),
                "input and output name the same object".to_owned(),
            ));
        }
        let enum_name = format!("{name}ErrorCode");
        if let Some(other) = types.insert(enum_name.clone(), path.clone()) {
            return Err(err(
                path,
                format!("the generated `{enum_name}` clashes with {other}"),
            ));
        }
        let method = ident::field_name(name);
        if at_root && RESERVED_METHODS.contains(&method.as_str()) {
            return Err(err(
                path,
                format!("the method name `{method}` is one of Client's own methods"),
            ));
        }
        // No `Client` method is generated in a module.
        let clash = methods.insert(method.clone(), path.clone());
        if let (true, Some(other)) = (at_root, clash) {
            return Err(err(
                path,
                format!("the method name `{method}` is also the method of {other}"),
            ));
        }
        let mut variants: BTreeMap<String, (&str, String)> = BTreeMap::new();
        let codes = action
            .error_codes
            .iter()
            .enumerate()
            .map(|(i, c)| (format!("{path}.error_codes[{i}].code"), &c.code))
            .chain(
                spec.common_error_codes
                    .iter()
                    .enumerate()
                    .map(|(i, c)| (format!("common_error_codes[{i}].code"), &c.code)),
            );
        for (code_path, code) in codes {
            let variant = ident::variant_name(code);
            if !valid_code(code, &variant) {
                return Err(err(
                    code_path,
                    format!("`{code}` is not a valid error code"),
                ));
            }
            match variants.get(&variant) {
                // The same code documented twice (by the action and as a common code) is the one
                // common variant.
                Some((prev_code, _)) if prev_code == code => {}
                Some((_, prev)) => {
                    return Err(err(
                        code_path,
                        format!(
                            "`{code}` and the code at {prev} both map to the variant `{variant}`"
                        ),
                    ));
                }
                None => {
                    variants.insert(variant, (code, code_path));
                }
            }
        }
    }

    for (name, object) in &spec.objects {
        let mut fields: BTreeMap<String, String> = BTreeMap::new();
        for (i, member) in object.members.iter().enumerate() {
            let path = format!("objects.{name}.members[{i}]");
            if !ident::is_identifier(&member.name) {
                return Err(err(
                    format!("{path}.name"),
                    format!("`{}` is not a valid field name", member.name),
                ));
            }
            let field = ident::field_name(&member.name);
            // A response's own `corrections` field (what the client corrected in the reply).
            if field == "corrections" && spec.actions.values().any(|a| a.output == *name) {
                return Err(err(
                    format!("{path}.name"),
                    format!(
                        "`{}` maps to the Rust field `corrections`, which responses keep for the client",
                        member.name
                    ),
                ));
            }
            if let Some(prev) = fields.insert(field.clone(), member.name.clone()) {
                return Err(err(
                    format!("{path}.name"),
                    format!(
                        "`{}` and `{prev}` both map to the Rust field `{field}`",
                        member.name
                    ),
                ));
            }
            if let Element::Object(target) = member.ty.element() {
                match spec.objects.get(target) {
                    None => {
                        return Err(err(
                            format!("{path}.member"),
                            format!("object `{target}` is not defined in `objects`"),
                        ));
                    }
                    Some(o) if o.usage.is_none() => {
                        return Err(err(
                            format!("{path}.member"),
                            format!(
                                "`{target}` is a request/response object, not a data structure"
                            ),
                        ));
                    }
                    Some(_) => {}
                }
            }
        }
    }
    Ok(())
}

/// A code whose parts are identifiers and whose variant is a free identifier.
fn valid_code(code: &str, variant: &str) -> bool {
    code.split('.').all(ident::is_identifier)
        && ident::is_identifier(variant)
        && !RESERVED_VARIANTS.contains(&variant)
}
