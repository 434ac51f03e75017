//! Checks that a parsed [`Spec`] can be emitted: every reference resolves and every name maps to
//! a unique, valid Rust identifier. After this, emission cannot fail.

use crate::error::SpecError;
use crate::ident;
use crate::spec::{Element, Spec};
use std::collections::BTreeMap;
use std::path::Path;

/// Names the runtime defines next to the generated code; objects may not take them.
const RESERVED_TYPES: &[&str] = &["Client", "Error", "Action", "ErrorCode", "ApiError"];

/// Validates `spec`; `file` names the source in errors.
pub fn validate(spec: &Spec, file: &Path) -> Result<(), SpecError> {
    let err = |path: String, msg: String| SpecError::new(file, path, msg);

    // Type names: objects, and the error enum generated for each action.
    let mut types: BTreeMap<String, String> = BTreeMap::new();
    for name in spec.objects.keys() {
        let path = format!("objects.{name}");
        if !ident::is_identifier(name) {
            return Err(err(path, format!("`{name}` is not a valid type name")));
        }
        if RESERVED_TYPES.contains(&name.as_str()) {
            return Err(err(path, format!("`{name}` clashes with a runtime type")));
        }
        types.insert(ident::type_name(name), path);
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
        if let Some(other) = methods.insert(method.clone(), path.clone()) {
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
            if !code.split('.').all(ident::is_identifier) || variant == "Other" {
                return Err(err(
                    code_path,
                    format!("`{code}` is not a valid error code"),
                ));
            }
            match variants.get(&variant) {
                // The same code documented twice (by the action and as a common code) is one variant.
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
