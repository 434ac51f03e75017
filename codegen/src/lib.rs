//! The tc-redis generator: Tencent Cloud API specs in, Rust types out.
//!
//! The pipeline, one module per step:
//! [`spec`] (JSON to model, the only code that knows the spec format) ->
//! [`validate`] (references resolve, names are unique Rust identifiers) ->
//! [`reply`] (how each reply member is read: client error correction, decided per member as
//! the spec is read) ->
//! `ident` (naming rules) -> `docs` (spec HTML to rustdoc-safe Markdown) ->
//! `emit` (tokens with `quote`) -> `syn` parse -> `prettyplease`.
//!
//! `tc-redis`'s `build.rs` and the `tc-redis-codegen` CLI are thin callers of [`generate_path`].
//!
//! ```no_run
//! let code = tc_redis_codegen::generate_path(std::path::Path::new("api-spec"))?;
//! std::fs::write("out.rs", code)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![warn(missing_docs, missing_debug_implementations, unreachable_pub)]

mod docs;
mod emit;
mod error;
mod ident;
pub mod import;
pub mod reply;
pub mod spec;
pub mod validate;

pub use docs::sanitize as sanitize_doc;

/// Where the generated code goes, which decides the names it may use and what it generates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Target {
    /// `include!`d at the root of `tc-redis`: each action also gets a `Client::<action>`
    /// method, and no type may take a name the runtime defines there.
    #[default]
    CrateRoot,
    /// `include!`d in a module of its own (such as `tc_redis::sts`): types and error codes
    /// only, sent with `Client::call`, so that another service's actions do not crowd the
    /// client's methods and its types (an STS `Credentials`) do not clash with the runtime's.
    Module,
}
pub use error::SpecError;
pub use spec::Spec;

use std::path::{Path, PathBuf};

/// Reads a spec from a file, or from every `*.json` file of a directory (merged, in name
/// order), and validates it.
pub fn load(path: &Path) -> Result<Spec, SpecError> {
    load_all(&[path])
}

/// [`load`] over several files or directories, merged as one spec.
pub fn load_all(paths: &[&Path]) -> Result<Spec, SpecError> {
    load_all_for(paths, Target::CrateRoot)
}

/// [`load_all`], validated for `target`.
pub fn load_all_for(paths: &[&Path], target: Target) -> Result<Spec, SpecError> {
    let Some(path) = paths.first().copied() else {
        return Err(SpecError::new(
            Path::new("<none>"),
            "",
            "no spec path given",
        ));
    };
    let mut documents = Vec::new();
    let mut files = Vec::new();
    for p in paths {
        files.extend(spec_files(p)?);
    }
    for file in files {
        let text = std::fs::read_to_string(&file)
            .map_err(|e| SpecError::new(&file, "", format!("cannot read: {e}")))?;
        let spec = spec::parse(&text, &file)?;
        validate::validate_for(&spec, &file, target)?;
        documents.push((file, spec));
    }
    let mut parts = documents.iter();
    let Some((_, first)) = parts.next() else {
        return Err(SpecError::new(path, "", "no *.json spec file found"));
    };
    let mut merged = first.clone();
    for (file, spec) in parts {
        spec::merge(&mut merged, spec.clone(), file)?;
    }
    // What only clashes across files (an action's code against a common code of another file)
    // is found on the merged spec, and reported against the file that brought the entry.
    validate::validate_for(&merged, path, target).map_err(|e| attribute(e, &merged, &documents))?;
    Ok(merged)
}

/// Points an error found on the merged spec at the file (and path in it) its entry came from.
fn attribute(mut e: SpecError, merged: &Spec, documents: &[(PathBuf, Spec)]) -> SpecError {
    let root = e.path.split(['.', '[']).next().unwrap_or_default();
    let owner = match root {
        "actions" | "objects" => {
            let name = e.path.split('.').nth(1).unwrap_or_default();
            let name = name.split('[').next().unwrap_or_default();
            documents.iter().find(|(_, s)| {
                if root == "actions" {
                    s.actions.contains_key(name)
                } else {
                    s.objects.contains_key(name)
                }
            })
        }
        "common_error_codes" => {
            let index: Option<usize> = e.path.split(['[', ']']).nth(1).and_then(|i| i.parse().ok());
            let code = index.and_then(|i| merged.common_error_codes.get(i));
            code.and_then(|code| {
                documents.iter().find_map(|doc| {
                    let i = doc.1.common_error_codes.iter().position(|c| c == code)?;
                    // The index in that file, not in the merged list.
                    let rest = e.path.split_once(']').map_or("", |(_, r)| r);
                    e.path = format!("common_error_codes[{i}]{rest}");
                    Some(doc)
                })
            })
        }
        _ => None,
    };
    if let Some((file, _)) = owner {
        e.file = file.clone();
    }
    e
}

/// Parses and validates one spec document held in memory; `file` names it in errors.
pub fn parse_str(text: &str, file: &Path) -> Result<Spec, SpecError> {
    let spec = spec::parse(text, file)?;
    validate::validate(&spec, file)?;
    Ok(spec)
}

/// The spec files `path` stands for: itself, or the sorted `*.json` files of a directory.
pub fn spec_files(path: &Path) -> Result<Vec<PathBuf>, SpecError> {
    if !path.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let entries = std::fs::read_dir(path)
        .map_err(|e| SpecError::new(path, "", format!("cannot read: {e}")))?;
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| SpecError::new(path, "", format!("cannot read: {e}")))?;
        let p = entry.path();
        if p.extension().is_some_and(|e| e == "json") {
            files.push(p);
        }
    }
    files.sort();
    Ok(files)
}

/// The generated Rust source for a validated spec: formatted and deterministic (the same spec
/// always gives the same bytes).
pub fn generate(spec: &Spec) -> Result<String, SpecError> {
    generate_for(spec, Target::CrateRoot)
}

/// [`generate`] for `target` (validate the spec for the same target).
pub fn generate_for(spec: &Spec, target: Target) -> Result<String, SpecError> {
    let tokens = emit::emit(spec, target);
    let file: syn::File = syn::parse2(tokens).map_err(|e| {
        SpecError::new(
            Path::new("<generated>"),
            "",
            format!("the generator produced invalid Rust (a generator bug): {e}"),
        )
    })?;
    let services: std::collections::BTreeSet<String> = spec
        .actions
        .values()
        .map(|a| format!("`{}` {}", a.service, a.version))
        .collect();
    let services: Vec<String> = services.into_iter().collect();
    let header = format!(
        "// @generated by tc-redis-codegen from the {} spec. Do not edit: change the spec\n\
         // (api-spec/) and rebuild.\n\n",
        services.join(", ")
    );
    Ok(header + &separate_items(&prettyplease::unparse(&file)))
}

/// prettyplease writes items back to back; a blank line after each top-level item and each
/// method makes the generated file read like hand-written code.
fn separate_items(code: &str) -> String {
    let mut out = String::with_capacity(code.len() + code.len() / 16);
    let mut prev: Option<&str> = None;
    for line in code.lines() {
        if let Some(p) = prev {
            let indent = |l: &str| l.len() - l.trim_start().len();
            let ends_item = p == "}" || p == "    }" || (indent(p) == 0 && p.ends_with(';'));
            let same_level = indent(line) == indent(p);
            if ends_item && same_level && !line.trim_start().starts_with('}') {
                out.push('\n');
            }
        }
        out.push_str(line);
        out.push('\n');
        prev = Some(line);
    }
    out
}

/// [`load`] then [`generate`].
pub fn generate_path(path: &Path) -> Result<String, SpecError> {
    generate(&load(path)?)
}

/// [`load_all`] then [`generate`].
pub fn generate_paths(paths: &[&Path]) -> Result<String, SpecError> {
    generate(&load_all(paths)?)
}

/// [`load_all_for`] then [`generate_for`], for `target`.
pub fn generate_paths_for(paths: &[&Path], target: Target) -> Result<String, SpecError> {
    generate_for(&load_all_for(paths, target)?, target)
}

#[cfg(test)]
mod tests {
    use super::separate_items;

    #[test]
    fn items_and_methods_are_separated_by_a_blank_line() {
        let code = "pub const A: u8 = 1;\npub const B: u8 = 2;\nimpl X {\n    fn a() {\n        f();\n    }\n    fn b() {}\n}\nstruct Y {\n    a: u8,\n    b: u8,\n}\n";
        assert_eq!(
            separate_items(code),
            "pub const A: u8 = 1;\n\npub const B: u8 = 2;\n\nimpl X {\n    fn a() {\n        f();\n    }\n\n    fn b() {}\n}\n\nstruct Y {\n    a: u8,\n    b: u8,\n}\n"
        );
    }
}
