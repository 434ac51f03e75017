//! Naming rules: from the spec's names to Rust identifiers.
//!
//! The official spec's names follow no single case rule (`DB`, `VpcID`, `SSLConfig`, `IPv6`), so
//! no rule could turn a Rust name back into the JSON one: every field carries an explicit
//! `#[serde(rename)]`, and these functions only need to be deterministic and collision-checked
//! (see `validate`).

use proc_macro2::{Ident, Span};

/// Every keyword of Rust 2024, strict and reserved. Those in [`NOT_RAW`] cannot be raw
/// identifiers and get a trailing underscore instead.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];
const NOT_RAW: &[&str] = &["crate", "self", "Self", "super"];

/// `UpperCamelCase` (with acronyms) to `snake_case`: `InstanceId` -> `instance_id`,
/// `VpcID` -> `vpc_id`, `SSLConfig` -> `ssl_config`, `DB` -> `db`.
pub(crate) fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() {
            let prev = i.checked_sub(1).map(|j| chars[j]);
            let next = chars.get(i + 1).copied();
            let boundary = match prev {
                None | Some('_') => false,
                Some(p) if p.is_ascii_lowercase() || p.is_ascii_digit() => true,
                Some(p) => p.is_ascii_uppercase() && next.is_some_and(|n| n.is_ascii_lowercase()),
            };
            if boundary {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// The Rust spelling of a field or method name: snake case, raw when it is a keyword
/// (`Type` -> `r#type`).
pub(crate) fn field_name(name: &str) -> String {
    escape(snake_case(name))
}

/// The Rust spelling of a type name taken verbatim from the spec.
pub(crate) fn type_name(name: &str) -> String {
    escape(name.to_owned())
}

/// An error code as an enum variant: `InternalError.InternalError` -> `InternalErrorInternalError`.
pub(crate) fn variant_name(code: &str) -> String {
    code.split(['.', '_'])
        .map(|part| {
            let mut cs = part.chars();
            match cs.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + cs.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// Whether `s` is a plain ASCII identifier (letters, digits, `_`, not starting with a digit,
/// and not `_` alone, which is a pattern, not a name).
pub(crate) fn is_identifier(s: &str) -> bool {
    if s == "_" {
        return false;
    }
    let mut cs = s.chars();
    cs.next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && cs.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn escape(name: String) -> String {
    if NOT_RAW.contains(&name.as_str()) {
        name + "_"
    } else if KEYWORDS.contains(&name.as_str()) {
        format!("r#{name}")
    } else {
        name
    }
}

/// An [`Ident`] from a name produced above (raw identifiers included).
pub(crate) fn ident(name: &str) -> Ident {
    match name.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, Span::call_site()),
        None => Ident::new(name, Span::call_site()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_handles_the_official_specs_names() {
        for (from, to) in [
            ("InstanceId", "instance_id"),
            ("DB", "db"),
            ("VpcID", "vpc_id"),
            ("SSLConfig", "ssl_config"),
            ("TaskId", "task_id"),
            ("RequestId", "request_id"),
            ("IPv6", "i_pv6"),
            ("Vip6", "vip6"),
            ("NetLimit", "net_limit"),
            ("WanAddress", "wan_address"),
            ("ProductVersion", "product_version"),
            ("Type", "type"),
            ("lowercase", "lowercase"),
        ] {
            assert_eq!(snake_case(from), to, "{from}");
        }
    }

    #[test]
    fn keywords_become_raw_or_suffixed() {
        assert_eq!(field_name("Type"), "r#type");
        assert_eq!(field_name("Match"), "r#match");
        assert_eq!(field_name("Self"), "self_");
        assert_eq!(field_name("Crate"), "crate_");
        assert_eq!(type_name("Self"), "Self_");
        assert_eq!(ident("r#type").to_string(), "r#type");
    }

    #[test]
    fn variants_join_the_dotted_parts() {
        assert_eq!(
            variant_name("InternalError.InternalError"),
            "InternalErrorInternalError"
        );
        assert_eq!(variant_name("RequestLimitExceeded"), "RequestLimitExceeded");
        assert_eq!(
            variant_name("FailedOperation.unknown"),
            "FailedOperationUnknown"
        );
    }

    #[test]
    fn identifiers_are_checked() {
        assert!(is_identifier("InstanceId"));
        assert!(is_identifier("_x1"));
        assert!(!is_identifier("1x"));
        assert!(!is_identifier("a-b"));
        assert!(!is_identifier(""));
        assert!(!is_identifier("_"));
    }
}
