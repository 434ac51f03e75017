//! Import: from Tencent's official spec file to `api-spec/` descriptions, one file per action.
//!
//! Each written file is an official-format document holding one action, its request and
//! response objects and every data structure they reach, copied verbatim, plus our extensions:
//! the action's documented error codes (from an error-code list such as
//! `redis-errorcodes.json`) and `idempotent: true` for read-only actions (`Describe*`,
//! `Inquiry*`), which the client may then retry after a timeout. The output is deterministic
//! (sorted keys, two-space indent), so importing again changes nothing.
//!
//! An action is defined in exactly one spec file: [`Import::remove_from`] takes the imported
//! actions out of another directory (`api-spec/full/` when an action joins `api-spec/`), and an
//! import of every action (`actions` empty) removes the one-action files of `out_dir` it did not
//! write (actions now defined in [`Import::skip_defined_in`], or gone from the official spec), so
//! that `out_dir` ends up exactly the official actions not defined elsewhere.

use crate::error::SpecError;
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Action-name prefixes of read-only actions, safe to send twice.
const READ_ONLY_PREFIXES: &[&str] = &["Describe", "Inquiry"];

/// What to import.
#[derive(Debug, Clone)]
pub struct Import {
    /// The official spec file (`api.json`).
    pub official: PathBuf,
    /// An error-code list: `{"codes": {code: {"en": ...}}, "per_action_documented_codes": {action: [code]}}`.
    pub error_codes: Option<PathBuf>,
    /// Action names; empty means every action.
    pub actions: Vec<String>,
    /// Actions already described in this directory are skipped.
    pub skip_defined_in: Option<PathBuf>,
    /// `<Action>.json` of each imported action is deleted from this directory: the action
    /// moves from there to `out_dir`.
    pub remove_from: Option<PathBuf>,
    /// Where the files are written.
    pub out_dir: PathBuf,
}

/// What [`Import::run`] changed on disk.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// The files written, one per imported action.
    pub written: Vec<PathBuf>,
    /// The files deleted: moved actions ([`Import::remove_from`]) and, for an import of every
    /// action, the stale one-action files of `out_dir`.
    pub removed: Vec<PathBuf>,
}

impl Import {
    /// Writes `<out_dir>/<Action>.json` for each selected action, then removes what the
    /// one-file-per-action rule says must go (see the module documentation).
    pub fn run(&self) -> Result<Changes, SpecError> {
        let official = read_json(&self.official)?;
        let docs = self.documents(&official)?;
        std::fs::create_dir_all(&self.out_dir)
            .map_err(|e| SpecError::new(&self.out_dir, "", format!("cannot create: {e}")))?;
        let mut changes = Changes::default();
        for (name, doc) in &docs {
            let path = self.out_dir.join(format!("{name}.json"));
            let mut text = serde_json::to_string_pretty(doc).unwrap_or_default();
            text.push('\n');
            std::fs::write(&path, text)
                .map_err(|e| SpecError::new(&path, "", format!("cannot write: {e}")))?;
            changes.written.push(path);
        }
        if let Some(dir) = &self.remove_from
            && !same_dir(dir, &self.out_dir)
        {
            for (name, _) in &docs {
                let path = dir.join(format!("{name}.json"));
                if path.is_file() {
                    remove(&path)?;
                    changes.removed.push(path);
                }
            }
        }
        if self.actions.is_empty() {
            for path in crate::spec_files(&self.out_dir)? {
                if !changes.written.contains(&path) && holds_only_its_own_action(&path) {
                    remove(&path)?;
                    changes.removed.push(path);
                }
            }
        }
        Ok(changes)
    }

    /// The documents to write, by action name, without touching the disk.
    pub fn documents(&self, official: &Value) -> Result<Vec<(String, Value)>, SpecError> {
        let file = self.official.as_path();
        let err = |path: &str, msg: String| SpecError::new(file, path, msg);
        let actions = official
            .get("actions")
            .and_then(Value::as_object)
            .ok_or_else(|| err("actions", "missing or not an object".into()))?;
        let objects = official
            .get("objects")
            .and_then(Value::as_object)
            .ok_or_else(|| err("objects", "missing or not an object".into()))?;
        let metadata = official
            .get("metadata")
            .ok_or_else(|| err("", "missing field `metadata`".into()))?;
        let codes = match &self.error_codes {
            Some(p) => Some(read_json(p)?),
            None => None,
        };
        let skip = match &self.skip_defined_in {
            Some(dir) => crate::Generator::new()
                .spec(dir)
                .load()?
                .actions
                .into_keys()
                .collect(),
            None => BTreeSet::new(),
        };
        let selected: Vec<&String> = if self.actions.is_empty() {
            actions.keys().filter(|a| !skip.contains(*a)).collect()
        } else {
            let mut names = Vec::new();
            for a in &self.actions {
                let (name, _) = actions.get_key_value(a).ok_or_else(|| {
                    err(&format!("actions.{a}"), "no such action in the spec".into())
                })?;
                names.push(name);
            }
            names
        };

        let mut docs = Vec::new();
        for name in selected {
            let mut action = actions[name].clone();
            let entry = action
                .as_object_mut()
                .ok_or_else(|| err(&format!("actions.{name}"), "not an object".into()))?;
            let mut reached = BTreeSet::new();
            for key in ["input", "output"] {
                let target = entry.get(key).and_then(Value::as_str).ok_or_else(|| {
                    err(
                        &format!("actions.{name}.{key}"),
                        format!("missing field `{key}`"),
                    )
                })?;
                reach(target, objects, &mut reached, file)?;
            }
            let mut sources = Map::new();
            sources.insert(
                "action".into(),
                json!(format!("imported unchanged from {}", display_name(file))),
            );
            if let Some(codes) = &codes {
                let (list, source) = action_codes(name, codes, self.error_codes.as_deref())?;
                entry.insert("error_codes".into(), Value::Array(list));
                sources.insert("error_codes".into(), json!(source));
            }
            if READ_ONLY_PREFIXES.iter().any(|p| name.starts_with(p)) {
                entry.insert("idempotent".into(), Value::Bool(true));
                sources.insert(
                    "idempotent".into(),
                    json!("a read-only action (Describe*/Inquiry*): sending it twice is harmless"),
                );
            }
            let objects: Map<String, Value> = reached
                .into_iter()
                .map(|o| (o.clone(), objects[&o].clone()))
                .collect();
            let mut doc = Map::new();
            doc.insert(
                "version".into(),
                official.get("version").cloned().unwrap_or(json!("1.0")),
            );
            doc.insert("metadata".into(), metadata.clone());
            doc.insert("sources".into(), Value::Object(sources));
            doc.insert("actions".into(), json!({ name.clone(): action }));
            doc.insert("objects".into(), Value::Object(objects));
            docs.push((name.clone(), Value::Object(doc)));
        }
        Ok(docs)
    }
}

/// Adds `name` and every data structure its members reach.
fn reach(
    name: &str,
    objects: &Map<String, Value>,
    reached: &mut BTreeSet<String>,
    file: &Path,
) -> Result<(), SpecError> {
    if !reached.insert(name.to_owned()) {
        return Ok(());
    }
    let object = objects.get(name).ok_or_else(|| {
        SpecError::new(
            file,
            format!("objects.{name}"),
            "referenced but not defined",
        )
    })?;
    let members = object.get("members").and_then(Value::as_array);
    for member in members.into_iter().flatten() {
        if let Some(m) = member.get("member").and_then(Value::as_str)
            && objects.contains_key(m)
        {
            reach(m, objects, reached, file)?;
        }
    }
    Ok(())
}

/// The action's documented codes with their English descriptions, and where they came from.
fn action_codes(
    action: &str,
    codes: &Value,
    file: Option<&Path>,
) -> Result<(Vec<Value>, String), SpecError> {
    let file = file.unwrap_or(Path::new("<error codes>"));
    let listed = codes
        .get("per_action_documented_codes")
        .and_then(|p| p.get(action))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut out = Vec::new();
    for code in listed {
        let code = code.as_str().ok_or_else(|| {
            SpecError::new(
                file,
                format!("per_action_documented_codes.{action}"),
                "not a string",
            )
        })?;
        let description = codes
            .get("codes")
            .and_then(|c| c.get(code))
            .and_then(|c| c.get("en"))
            .and_then(Value::as_str)
            .unwrap_or_default();
        out.push(json!({ "code": code, "description": description }));
    }
    let source = format!(
        "{}: per_action_documented_codes.{action}, descriptions from its `codes` table",
        display_name(file)
    );
    Ok((out, source))
}

fn read_json(path: &Path) -> Result<Value, SpecError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| SpecError::new(path, "", format!("cannot read: {e}")))?;
    serde_json::from_str(&text).map_err(|e| {
        SpecError::new(
            path,
            "",
            format!(
                "invalid JSON at line {}, column {}: {e}",
                e.line(),
                e.column()
            ),
        )
    })
}

fn remove(path: &Path) -> Result<(), SpecError> {
    std::fs::remove_file(path).map_err(|e| SpecError::new(path, "", format!("cannot remove: {e}")))
}

fn same_dir(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// Whether `path` is what the importer writes: `<Action>.json` describing that one action (and
/// not, say, `common.json`, which the importer never removes).
fn holds_only_its_own_action(path: &Path) -> bool {
    let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
        return false;
    };
    let Ok(doc) = read_json(path) else {
        return false;
    };
    doc.get("actions")
        .and_then(Value::as_object)
        .is_some_and(|a| a.len() == 1 && a.contains_key(stem))
}

/// The file name only, so that imported files do not depend on where the source was.
fn display_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}
