//! The tc-redis generator: Tencent Cloud API specs in, Rust types out.
//!
//! One entry point, [`Generator`]: name the spec files (or directories of them), say where the
//! code goes ([`Target`]), and generate. `tc-redis`'s `build.rs` and the `tc-redis-codegen` CLI
//! are thin callers of it.
//!
//! ```no_run
//! use tc_redis_codegen::Generator;
//!
//! // In a build script: the files to watch, then the code to `include!`.
//! let generator = Generator::new().spec("api-spec");
//! for file in generator.files()? {
//!     println!("cargo:rerun-if-changed={}", file.display());
//! }
//! std::fs::write("api.rs", generator.generate()?)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The pipeline, one module per step, each importing only the ones before it:
//! `spec` (the JSON format read into the [`Spec`] model: the only code that knows the format) ->
//! `validate` (references resolve, names are unique Rust identifiers) ->
//! `reply` (how each reply member is read: Smithy's client error correction, decided per member
//! from the spec) -> `emit` (tokens with `quote`, using `ident` for names and `docs` for the
//! spec's text, made safe for rustdoc) -> `syn` + `prettyplease` (`format`).

#![warn(missing_docs, missing_debug_implementations, unreachable_pub)]

mod docs;
mod emit;
mod error;
mod format;
mod ident;
pub mod import;
mod reply;
pub mod spec;
mod validate;

pub use error::SpecError;
pub use spec::Spec;

use std::path::{Path, PathBuf};

/// Where the generated code goes, which decides the names it may use and what it generates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Target {
    /// `include!`d at the root of `tc-redis`: each action also gets a `Client::<action>`
    /// method, the common error codes their `CommonErrorCode` enum, and no type may take a name
    /// the runtime defines there.
    #[default]
    CrateRoot,
    /// `include!`d in a module of its own (such as `tc_redis::sts`): types and error codes
    /// only, sent with `Client::call`, so that another service's actions do not crowd the
    /// client's methods and its types (an STS `Credentials`) do not clash with the runtime's.
    /// Its error codes embed the crate root's `CommonErrorCode`.
    Module,
}

/// Generates Rust from specs: the one entry point of the generator, configured, then called.
///
/// Specs are files in Tencent's `api.json` format (plus our optional fields, see
/// `api-spec/README.md`), or directories of them (their `*.json` files, in name order, not
/// descending into subdirectories); everything given is merged into one [`Spec`], in the order
/// given.
#[derive(Debug, Clone, Default)]
pub struct Generator {
    sources: Vec<Source>,
    target: Target,
}

#[derive(Debug, Clone)]
enum Source {
    Path(PathBuf),
    Text { name: PathBuf, text: String },
}

impl Generator {
    /// A generator with no spec yet, for [`Target::CrateRoot`].
    pub fn new() -> Self {
        Generator::default()
    }

    /// Adds a spec file, or a directory of `*.json` spec files.
    pub fn spec(mut self, path: impl Into<PathBuf>) -> Self {
        self.sources.push(Source::Path(path.into()));
        self
    }

    /// Adds a spec document held in memory; `name` stands for its file in errors.
    pub fn spec_text(mut self, name: impl Into<PathBuf>, text: impl Into<String>) -> Self {
        self.sources.push(Source::Text {
            name: name.into(),
            text: text.into(),
        });
        self
    }

    /// Where the code goes (default [`Target::CrateRoot`]).
    pub fn target(mut self, target: Target) -> Self {
        self.target = target;
        self
    }

    /// The spec files the generator reads, in the order it merges them: what a build script
    /// watches.
    pub fn files(&self) -> Result<Vec<PathBuf>, SpecError> {
        let mut files = Vec::new();
        for source in &self.sources {
            if let Source::Path(path) = source {
                files.extend(spec_files(path)?);
            }
        }
        Ok(files)
    }

    /// Reads, merges and validates the specs.
    pub fn load(&self) -> Result<Spec, SpecError> {
        let mut documents = Vec::new();
        for source in &self.sources {
            match source {
                Source::Path(path) => {
                    let files = spec_files(path)?;
                    if files.is_empty() {
                        return Err(SpecError::new(path, "", "no *.json spec file found"));
                    }
                    for file in files {
                        let text = std::fs::read_to_string(&file)
                            .map_err(|e| SpecError::new(&file, "", format!("cannot read: {e}")))?;
                        documents.push((file, text));
                    }
                }
                Source::Text { name, text } => documents.push((name.clone(), text.clone())),
            }
        }
        let Some((first_file, _)) = documents.first() else {
            return Err(SpecError::new(Path::new("<none>"), "", "no spec given"));
        };
        let first_file = first_file.clone();
        let mut read = Vec::with_capacity(documents.len());
        for (file, text) in &documents {
            let spec = spec::read(text, file)?;
            validate::validate(&spec, file, self.target)?;
            read.push((file.clone(), spec));
        }
        let mut parts = read.iter();
        let (_, first) = parts.next().expect("at least one document");
        let mut merged = first.clone();
        for (file, spec) in parts {
            spec::merge(&mut merged, spec.clone(), file)?;
        }
        // What only clashes across files (an action's code against a common code of another
        // file) is found on the merged spec, and reported against the file that brought it.
        validate::validate(&merged, &first_file, self.target)
            .map_err(|e| attribute(e, &merged, &read))?;
        Ok(merged)
    }

    /// The generated Rust source for the specs: formatted and deterministic (the same specs
    /// always give the same bytes).
    pub fn generate(&self) -> Result<String, SpecError> {
        self.render(&self.load()?)
    }

    /// The generated Rust source for a spec already loaded (by [`load`](Self::load), with the
    /// same target).
    pub fn render(&self, spec: &Spec) -> Result<String, SpecError> {
        let runtime = emit::Runtime::default();
        format::file(spec, emit::emit(spec, self.target, &runtime))
    }
}

/// Generates the code of one spec file or directory for the crate root: the simplest use,
/// `Generator::new().spec(path).generate()`.
pub fn generate(path: impl Into<PathBuf>) -> Result<String, SpecError> {
    Generator::new().spec(path).generate()
}

/// The spec files `path` stands for: itself, or the sorted `*.json` files of a directory.
fn spec_files(path: &Path) -> Result<Vec<PathBuf>, SpecError> {
    if !path.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let entries = std::fs::read_dir(path)
        .map_err(|e| SpecError::new(path, "", format!("cannot read: {e}")))?;
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| SpecError::new(path, "", format!("cannot read: {e}")))?;
        let p = entry.path();
        if p.extension().is_some_and(|e| e == "json") && p.is_file() {
            files.push(p);
        }
    }
    files.sort();
    Ok(files)
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
