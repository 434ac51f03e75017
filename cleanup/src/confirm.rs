//! The question before a destructive call, on a terminal: which instances (ids, names,
//! statuses from DescribeInstances), how many would be sent and how many the API will refuse,
//! and exactly `yes` to go on. Never asked without a terminal on standard input; `--yes` skips
//! it. Ctrl-C at the prompt ends the run, nothing sent (see `interrupt`).

use crate::failure::Failure;
use crate::interrupt;
use crate::lookup::{self, Row};
use crate::output::Out;
use crate::session::Session;
use std::collections::HashMap;
use std::io::{BufRead, Write};
use tc_redis::escaped;

/// The most instance lines the prompt shows; a longer list shows the first [`SHOWN_OF_LONG`]
/// and a count (`--dry-run` lists them all).
pub(crate) const MAX_LINES: usize = 20;
/// The lines shown of a list longer than [`MAX_LINES`].
pub(crate) const SHOWN_OF_LONG: usize = 10;

/// The only answer that goes on.
pub(crate) const YES: &str = "yes";

/// Shows what will be cleaned up and reads the answer from `answer`. Anything but exactly `yes`
/// declines.
pub(crate) fn ask(
    session: &Session,
    ids: &[String],
    answer: &mut impl BufRead,
    out: &Out,
) -> Result<(), Failure> {
    interrupt::prompting(true);
    let asked = question(session, ids).and_then(|text| read_answer(&text, answer, out));
    interrupt::prompting(false);
    asked
}

/// The text of the question, after a look at the instances. A failed look-up is a read-only
/// failure: the run stops before asking, nothing sent.
fn question(session: &Session, ids: &[String]) -> Result<String, Failure> {
    let rows = lookup::look_up(&session.client, ids)
        .map_err(|e| crate::failure::from_error(&e, session.timeout_secs).read_only())?;
    let by_id: HashMap<&str, &Row> = rows.iter().map(|r| (r.id.as_str(), r)).collect();
    let refused = ids
        .iter()
        .filter(|id| {
            !by_id
                .get(id.as_str())
                .is_some_and(|r| r.would_be_accepted())
        })
        .count();
    let mut text = format!(
        "About to send CleanUpInstance for {} instance(s) in {}: {} in the recycle bin will be cleaned up, {refused} will be refused. This cannot be undone.\n",
        ids.len(),
        session.region,
        ids.len() - refused,
    );
    let width = ids.iter().map(String::len).max().unwrap_or(0);
    let shown = if ids.len() > MAX_LINES {
        SHOWN_OF_LONG
    } else {
        ids.len()
    };
    for id in &ids[..shown] {
        let (status, name) = match by_id.get(id.as_str()) {
            Some(r) if r.would_be_accepted() => (lookup::status_text(r.status), escaped(&r.name)),
            Some(r) => (
                format!("{}: will be refused", lookup::status_text(r.status)),
                escaped(&r.name),
            ),
            None => (
                format!("not found in {}: will be refused", session.region),
                "".into(),
            ),
        };
        let line = format!("{status:<29}  {name}");
        text.push_str(&format!("  {id:<width$}  {}\n", line.trim_end()));
    }
    if shown < ids.len() {
        text.push_str(&format!(
            "  ... and {} more (--dry-run lists every one).\n",
            ids.len() - shown
        ));
    }
    text.push_str(&format!("Type {YES} to clean them up: "));
    Ok(text)
}

/// Asks `text` on stderr and reads one line of `answer` with the library's bounded reader: an
/// answer longer than a line of ids (or one that never ends) declines, after that many bytes.
fn read_answer(text: &str, answer: &mut impl BufRead, out: &Out) -> Result<(), Failure> {
    {
        let mut stderr = std::io::stderr().lock();
        let _ = stderr.write_all(crate::output::escape_lines(text).as_bytes());
        let _ = stderr.flush();
    }
    let read = tc_redis::input::lines(answer, crate::ids::MAX_LINE_BYTES).next();
    if let Some(Ok(reply)) = &read
        && reply.trim() == YES
    {
        return Ok(());
    }
    if read.is_none() {
        // End of input: the operator's line ends here, not after the prompt.
        out.note("");
    }
    Err(Failure::usage(vec![
        "Not confirmed: nothing was sent.".to_owned(),
        format!("Answer {YES} (in full) to go on, or pass --yes to clean up without asking."),
    ]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufReader, Cursor, Read};

    fn answer(reader: impl Read) -> Result<(), Failure> {
        read_answer("", &mut BufReader::new(reader), &Out::new(false))
    }

    #[test]
    fn only_yes_in_full_goes_on() {
        for yes in ["yes\n", "  yes \r\n", "yes"] {
            assert!(answer(Cursor::new(yes)).is_ok(), "{yes:?}");
        }
        for no in [
            "y\n",
            "YES\n",
            "Yes\n",
            "yes please\n",
            "\n",
            "",
            "no\nyes\n",
        ] {
            let declined = answer(Cursor::new(no)).unwrap_err();
            assert_eq!(declined.status, crate::exit::Status::Usage, "{no:?}");
            assert_eq!(
                declined.lines[0], "Not confirmed: nothing was sent.",
                "{no:?}"
            );
        }
    }

    /// An answer that never ends (a stream of `y`) declines at the line limit instead of
    /// filling memory.
    #[test]
    fn an_endless_answer_declines_at_the_line_limit() {
        let declined = answer(std::io::repeat(b'y')).unwrap_err();
        assert_eq!(declined.status, crate::exit::Status::Usage);
    }
}
