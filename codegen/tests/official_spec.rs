//! The generator reads Tencent's official `api.json` unchanged (123 actions, 310 objects) and
//! emits valid, rustdoc-safe Rust for all of it. See `fixtures/README.md` for the file's origin.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use tc_redis_codegen::{Generator, Spec};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/redis-v20180412-api.json")
}

/// Loaded and generated once for all the tests of this file (generation of the whole API is the
/// slow part).
fn official() -> &'static (Spec, String) {
    static CELL: OnceLock<(Spec, String)> = OnceLock::new();
    CELL.get_or_init(|| {
        let generator = Generator::new().spec(fixture());
        let spec = generator.load().unwrap_or_else(|e| panic!("{e}"));
        let code = generator.render(&spec).unwrap_or_else(|e| panic!("{e}"));
        (spec, code)
    })
}

/// The naming rule, written independently of the generator's: a word starts at an upper-case
/// letter after a lower-case letter or digit, or at the last capital of an acronym followed by a
/// lower-case letter (`DescribeDBInstances` -> `describe_db_instances`).
fn snake_case(name: &str) -> String {
    let c: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for i in 0..c.len() {
        if i > 0 && c[i].is_ascii_uppercase() {
            let p = c[i - 1];
            let next_lower = c.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            if p.is_ascii_lowercase()
                || p.is_ascii_digit()
                || (p.is_ascii_uppercase() && next_lower)
            {
                out.push('_');
            }
        }
        out.push(c[i].to_ascii_lowercase());
    }
    out
}

#[test]
fn the_official_spec_loads_unchanged() {
    let (spec, _) = official();
    for action in spec.actions.values() {
        assert_eq!(
            (action.service.as_str(), action.version.as_str()),
            ("redis", "2018-04-12"),
            "service and version of {}",
            action.name
        );
    }
    assert_eq!(spec.actions.len(), 123, "actions");
    assert_eq!(spec.objects.len(), 310, "objects");
    let data_structures = spec.objects.values().filter(|o| o.usage.is_some()).count();
    assert_eq!(data_structures, 64, "shared data structures");
    // The official format has none of our extensions.
    assert!(spec.common_error_codes.is_empty());
    assert!(
        spec.actions.values().all(|a| a.error_codes.is_empty()
            && a.rate_limit_per_second.is_none()
            && !a.idempotent)
    );
}

#[test]
fn the_generated_code_parses() {
    let (_, code) = official();
    let file = syn::parse_file(code).unwrap_or_else(|e| panic!("generated code: {e}"));
    assert!(file.items.len() > 310, "{} items", file.items.len());
}

#[test]
fn every_action_has_a_method_an_error_enum_and_an_action_impl() {
    let (spec, code) = official();
    for name in spec.actions.keys() {
        let method = snake_case(name);
        assert!(
            code.contains(&format!("pub fn {method}(")),
            "no method `{method}` for {name}"
        );
        assert!(
            code.contains(&format!("pub enum {name}ErrorCode {{")),
            "no `{name}ErrorCode` enum"
        );
        assert!(
            code.contains(&format!("impl crate::Action for {name}Request {{")),
            "no Action impl for {name}Request"
        );
        assert!(
            code.contains(&format!("const NAME: &'static str = \"{name}\";")),
            "no NAME for {name}"
        );
    }
    assert_eq!(
        code.matches("impl crate::Action for ").count(),
        spec.actions.len()
    );
    // One error-code enum per action, and the common codes' enum once.
    assert_eq!(code.matches("pub enum ").count(), spec.actions.len() + 1);
    assert_eq!(code.matches("pub enum CommonErrorCode").count(), 1);
}

#[test]
fn names_no_case_rule_round_trips_are_renamed_and_keywords_are_raw() {
    let (_, code) = official();
    for json in ["DB", "VpcID", "VpcId", "Type", "SSLConfig", "InstanceId"] {
        let attr = format!("rename = \"{json}\"");
        assert!(code.contains(&attr), "no `{attr}` in the generated code");
    }
    assert!(code.contains("pub db:"), "DB -> db");
    assert!(code.contains("pub r#type:"), "Type -> r#type");
    assert!(!code.contains("pub type:"));
    // Every field carries its JSON name.
    let fields = code
        .lines()
        .filter(|l| l.trim_start().starts_with("pub ") && l.contains(": ") && !l.contains("fn "))
        .filter(|l| !l.contains("const "))
        .count();
    let renames = code.matches("rename = \"").count();
    assert!(renames >= fields, "{renames} renames for {fields} fields");
}

#[test]
fn docs_are_markdown_without_html_tags_or_bare_urls() {
    let (_, code) = official();
    const TAGS: &[&str] = &[
        "<p>", "</p>", "<li>", "</li>", "<ul>", "</ul>", "<ol>", "<br>", "<br/>", "<b>", "</a>",
        "<a href", "<strong>", "<code>", "<table>",
    ];
    let mut doc_lines = 0;
    let mut links = 0;
    for (n, line) in code.lines().enumerate() {
        let Some(doc) = line.trim_start().strip_prefix("///") else {
            continue;
        };
        doc_lines += 1;
        let text = without_code_spans(doc);
        let lower = text.to_ascii_lowercase();
        for tag in TAGS {
            assert!(
                !lower.contains(tag),
                "line {}: HTML `{tag}` in a doc comment: {doc}",
                n + 1
            );
        }
        for (at, _) in text.match_indices("http") {
            let rest = &text[at..];
            if !(rest.starts_with("http://") || rest.starts_with("https://")) {
                continue;
            }
            let before = &text[..at];
            links += 1;
            assert!(
                before.ends_with('<') || before.ends_with("]("),
                "line {}: bare URL (not <...> nor a Markdown link): {doc}",
                n + 1
            );
        }
    }
    assert!(doc_lines > 1000, "only {doc_lines} doc lines");
    assert!(
        links > 10,
        "only {links} links: the scan found nothing to check"
    );
}

/// The text of a doc line outside `code spans` (whose content rustdoc does not interpret).
fn without_code_spans(line: &str) -> String {
    let mut out = String::new();
    for (i, part) in line.split('`').enumerate() {
        if i % 2 == 0 {
            out.push_str(part);
        } else {
            out.push_str("``");
        }
    }
    out
}

#[test]
fn the_independent_naming_rule_agrees_on_known_names() {
    for (from, to) in [
        ("CleanUpInstance", "clean_up_instance"),
        ("DescribeDBSecurityGroups", "describe_db_security_groups"),
        ("VpcID", "vpc_id"),
        ("DB", "db"),
    ] {
        assert_eq!(snake_case(from), to);
    }
}
