//! The question before a destructive call, on a terminal: which instances (ids, names,
//! statuses from DescribeInstances), and "yes" to go on. Never asked without a terminal on
//! standard input; `--yes` skips it.

use crate::failure::Failure;
use crate::lookup;
use crate::output::Out;
use crate::session::Session;
use std::io::{BufRead, Write};
use tc_redis::escaped;

/// Shows what will be cleaned up and reads the answer from `answer`. Anything but `yes` (or
/// `y`) declines.
pub(crate) fn ask(
    session: &Session,
    ids: &[String],
    answer: &mut impl BufRead,
    out: &Out,
) -> Result<(), Failure> {
    let mut text = format!(
        "About to clean up {} instance(s) in {}. This cannot be undone.\n",
        ids.len(),
        session.region
    );
    let width = ids.iter().map(String::len).max().unwrap_or(0);
    match lookup::look_up(&session.client, ids) {
        Ok(rows) => {
            for id in ids {
                let (status, name) = match rows.iter().find(|r| r.id == *id) {
                    Some(r) if r.would_be_accepted() => {
                        (lookup::status_text(r.status), escaped(&r.name))
                    }
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
        }
        Err(e) => {
            let f = crate::failure::from_error(&e, session.timeout_secs);
            text.push_str("Could not look the instances up:\n");
            for line in &f.lines {
                text.push_str(&format!("    {line}\n"));
            }
            for id in ids {
                text.push_str(&format!("  {id}\n"));
            }
        }
    }
    text.push_str("Type yes to clean them up: ");
    {
        let mut stderr = std::io::stderr().lock();
        let _ = stderr.write_all(text.as_bytes());
        let _ = stderr.flush();
    }
    let mut reply = String::new();
    let read = answer.read_line(&mut reply);
    let yes = read.is_ok() && matches!(reply.trim().to_ascii_lowercase().as_str(), "yes" | "y");
    if yes {
        Ok(())
    } else {
        if read.map_or(true, |n| n == 0) {
            out.note("");
        }
        Err(Failure::usage(vec![
            "Not confirmed: nothing was sent.".to_owned(),
            "Answer yes to go on, or pass --yes to clean up without asking.".to_owned(),
        ]))
    }
}
