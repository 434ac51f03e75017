//! Where results go: standard output (text lines or JSON Lines), written line by line so that a
//! reader sees each result as it completes; notes and progress go to standard error.
//!
//! A failed write to standard output (a full disk, a closed pipe) is remembered, turns into exit
//! status 9, and stops the run from sending anything more: nobody would see the results. It is
//! never a panic.
//!
//! This is the one place output is escaped: each text line (and each line of a note, whose line
//! breaks are this tool's) goes through
//! the library's [`tc_redis::escaped`], which is idempotent, so a part escaped before (a
//! library `Display`) is not escaped twice; JSON is written with JSON's own escapes, extended to
//! the characters JSON leaves raw but a terminal obeys (DEL, C1 controls, bidi marks), so a JSON
//! value is escaped once, never as escaped text escaped again.

use indicatif::{ProgressBar, ProgressStyle};
use std::io::{self, Write};

/// A progress bar of `len` steps titled `what`, on stderr (drawn only when stderr is a
/// terminal), redrawn five times a second whatever the pace of the requests.
pub(crate) fn progress_bar(len: usize, what: &'static str) -> ProgressBar {
    let bar = ProgressBar::new(len as u64);
    bar.set_style(
        ProgressStyle::with_template("{spinner} {prefix} [{bar:30}] {pos}/{len} {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_prefix(what);
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    bar
}

/// `text` with each of its lines escaped: the line breaks this tool put there stay, every other
/// hostile character is escaped.
pub(crate) fn escape_lines(text: &str) -> String {
    text.split('\n')
        .map(tc_redis::escaped)
        .collect::<Vec<_>>()
        .join("\n")
}

/// `value` as one line of JSON, every character a terminal would obey written as a `\uXXXX`
/// escape (serde_json escapes only what JSON requires: `"`, `\\` and C0 controls).
pub(crate) fn json_line(value: &serde_json::Value) -> String {
    use serde::Serialize;
    let mut bytes = Vec::new();
    let mut serializer = serde_json::Serializer::with_formatter(&mut bytes, TerminalSafe);
    // Writing a `Value` to memory cannot fail.
    if value.serialize(&mut serializer).is_err() {
        return value.to_string();
    }
    String::from_utf8(bytes).unwrap_or_else(|_| value.to_string())
}

/// serde_json's compact formatter, escaping DEL, C1 controls and bidi marks too.
struct TerminalSafe;

impl serde_json::ser::Formatter for TerminalSafe {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut rest = fragment;
        while let Some(at) = rest.find(tc_redis::is_hostile) {
            writer.write_all(&rest.as_bytes()[..at])?;
            let c = rest[at..].chars().next().unwrap_or_default();
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                write!(writer, "\\u{unit:04x}")?;
            }
            rest = &rest[at + c.len_utf8()..];
        }
        writer.write_all(rest.as_bytes())
    }
}

/// The members every JSON object about an instance carries, with the same types everywhere:
/// `Type`, `InstanceId` (string; null only while a waited task's instance is not known),
/// `Outcome` (string), `MayHaveBeenExecuted` (whether a CleanUpInstance of it that this run
/// sent may have run: boolean) and `RequestId` (string or null). The README's table of object
/// types lists the members each type adds.
pub(crate) fn about_instance(
    kind: &str,
    instance_id: Option<&str>,
    outcome: &str,
    may_have_been_executed: bool,
    request_id: Option<&str>,
) -> serde_json::Map<String, serde_json::Value> {
    let mut object = serde_json::Map::new();
    object.insert("Type".into(), kind.into());
    object.insert("InstanceId".into(), instance_id.into());
    object.insert("Outcome".into(), outcome.into());
    object.insert("MayHaveBeenExecuted".into(), may_have_been_executed.into());
    object.insert("RequestId".into(), request_id.into());
    object
}

/// The run's output.
#[derive(Debug)]
pub(crate) struct Out {
    /// JSON Lines instead of text.
    pub(crate) json: bool,
    /// The first failed write to standard output.
    failed: Option<io::Error>,
    /// The progress bar on standard error, if one is drawn: lines are printed around it.
    bar: Option<ProgressBar>,
}

impl Out {
    pub(crate) fn new(json: bool) -> Out {
        Out {
            json,
            failed: None,
            bar: None,
        }
    }

    /// Prints one text line, escaped whole: a line break in it is the server's, never this
    /// tool's (text mode only; ignored with `--json`).
    pub(crate) fn text(&mut self, line: &str) {
        if !self.json {
            self.stdout(&tc_redis::escaped(line));
        }
    }

    /// Prints a JSON Lines object (`--json` only; ignored in text mode).
    pub(crate) fn json(&mut self, value: &serde_json::Value) {
        if self.json {
            self.stdout(&json_line(value));
        }
    }

    fn stdout(&mut self, line: &str) {
        if self.failed.is_some() {
            return;
        }
        let write = || {
            let mut stdout = io::stdout().lock();
            writeln!(stdout, "{line}").and_then(|()| stdout.flush())
        };
        let written = match &self.bar {
            Some(bar) => bar.suspend(write),
            None => write(),
        };
        if let Err(e) = written {
            self.failed = Some(e);
        }
    }

    /// A note for the operator on standard error (both modes). Errors writing it are ignored:
    /// there is nowhere left to report them.
    pub(crate) fn note(&self, text: &str) {
        let text = escape_lines(text);
        let write = || {
            let mut stderr = io::stderr().lock();
            let _ = writeln!(stderr, "{text}");
        };
        match &self.bar {
            Some(bar) => bar.suspend(write),
            None => write(),
        }
    }

    /// Whether standard output has failed; the run then sends nothing more.
    pub(crate) fn broken(&self) -> bool {
        self.failed.is_some()
    }

    /// The failed write to standard output, if any.
    pub(crate) fn failure(&self) -> Option<&io::Error> {
        self.failed.as_ref()
    }

    /// Draws `bar` while lines are printed (`None` removes it).
    pub(crate) fn set_bar(&mut self, bar: Option<ProgressBar>) {
        if let Some(old) = self.bar.take() {
            old.finish_and_clear();
        }
        self.bar = bar;
    }
}
