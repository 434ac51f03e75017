//! The instance ids of a run: from the arguments, or from standard input for `-` (one per line,
//! `#` starts a comment). All are checked before anything is sent.
//!
//! Standard input is read by the library's bounded reader (`tc_redis::input::lines`): a line
//! longer than [`MAX_LINE_BYTES`] (`/dev/zero`, a binary file) is an error naming the limit after
//! that many bytes, and a run holds at most [`MAX_IDS`] ids; repeats are dropped in linear time.

use crate::failure::Failure;
use std::collections::HashSet;
use std::io::BufRead;
use tc_redis::escaped;
use tc_redis::input::{self, ReadError};

/// The longest line of standard input: an id and a comment.
pub(crate) const MAX_LINE_BYTES: usize = 4096;
/// The most ids one run takes: at CleanUpInstance's 20 requests a second, about 85 minutes.
pub(crate) const MAX_IDS: usize = 100_000;

/// The ids, in order, without repeats, and whether standard input supplied them.
#[derive(Debug)]
pub(crate) struct Ids {
    pub(crate) ids: Vec<String>,
    pub(crate) from_stdin: bool,
}

/// Reads and checks the ids given as `args` (`-` reads `stdin`).
pub(crate) fn collect(args: &[String], stdin: impl BufRead) -> Result<Ids, Failure> {
    if args.iter().filter(|a| *a == "-").count() > 1 {
        return Err(Failure::usage(vec![
            "- (read the ids from standard input) may be given once.".to_owned(),
        ]));
    }
    let mut ids = Unique::default();
    let mut stdin = Some(stdin);
    let from_stdin = args.iter().any(|a| a == "-");
    for arg in args {
        if arg != "-" {
            push(&mut ids, arg, || "argument".to_owned())?;
            continue;
        }
        let Some(reader) = stdin.take() else { continue };
        for (n, line) in input::lines(reader, MAX_LINE_BYTES).enumerate() {
            let line = line.map_err(|e| {
                let what = match &e {
                    ReadError::LineTooLong { .. } => {
                        format!("{e} (ids are one per line; is standard input the list of ids?)")
                    }
                    _ => format!("line {}: {e}", n + 1),
                };
                Failure::usage(vec![format!(
                    "Cannot read the ids from standard input: {what}. Nothing was sent."
                )])
            })?;
            let id = line.split('#').next().unwrap_or_default().trim();
            if !id.is_empty() {
                push(&mut ids, id, || format!("line {} of standard input", n + 1))?;
            }
        }
    }
    if ids.order.is_empty() {
        return Err(Failure::usage(vec![
            "No instance ids: standard input had none (one per line, # starts a comment)."
                .to_owned(),
        ]));
    }
    Ok(Ids {
        ids: ids.order,
        from_stdin,
    })
}

/// `args` checked as instance ids (repeats dropped), a bad one named with `option`.
pub(crate) fn checked(args: &[String], option: &str) -> Result<Vec<String>, Failure> {
    let mut ids = Unique::default();
    for arg in args {
        push(&mut ids, arg, || option.to_owned())?;
    }
    Ok(ids.order)
}

/// Ids in the order first seen, and the set of them (so a repeat costs one lookup).
#[derive(Default)]
struct Unique {
    order: Vec<String>,
    seen: HashSet<String>,
}

/// Adds `id` once, or says where the bad one came from.
fn push(ids: &mut Unique, id: &str, origin: impl Fn() -> String) -> Result<(), Failure> {
    if !is_instance_id(id) {
        return Err(Failure::usage(vec![
            format!(
                "{}: {:?} is not a Redis instance id.",
                origin(),
                escaped(id)
            ),
            "Expected crs- followed by lower-case letters and digits, e.g. crs-5a4py64p."
                .to_owned(),
        ]));
    }
    if ids.seen.contains(id) {
        return Ok(());
    }
    if ids.order.len() == MAX_IDS {
        return Err(Failure::usage(vec![
            format!("{}: more than {MAX_IDS} ids in one run.", origin()),
            "Split the list into batches; nothing was sent.".to_owned(),
        ]));
    }
    ids.seen.insert(id.to_owned());
    ids.order.push(id.to_owned());
    Ok(())
}

/// Redis instance ids are `crs-` followed by lower-case letters and digits.
fn is_instance_id(id: &str) -> bool {
    id.strip_prefix("crs-").is_some_and(|rest| {
        !rest.is_empty()
            && rest
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    })
}

#[cfg(test)]
mod tests {
    use super::collect;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn arguments_and_stdin_with_comments_in_order_without_repeats() {
        let stdin = "# the recycle bin\ncrs-bbb2  # sessions\n\n  crs-ccc3\ncrs-aaa1\n";
        let ids = collect(&args(&["crs-aaa1", "-"]), stdin.as_bytes()).unwrap();
        assert_eq!(ids.ids, ["crs-aaa1", "crs-bbb2", "crs-ccc3"]);
        assert!(ids.from_stdin);
    }

    #[test]
    fn a_hundred_thousand_ids_with_repeats_are_taken_in_linear_time_and_one_more_is_refused() {
        use super::MAX_IDS;
        let mut stdin = String::new();
        for i in 0..MAX_IDS {
            stdin.push_str(&format!("crs-{i:08}\ncrs-{i:08}\n"));
        }
        let started = std::time::Instant::now();
        let ids = collect(&args(&["-"]), stdin.as_bytes()).unwrap();
        // Quadratic de-duplication took over a minute for this many.
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(ids.ids.len(), MAX_IDS);
        assert_eq!(ids.ids[1], "crs-00000001");
        stdin.push_str("crs-toomany\n");
        let e = collect(&args(&["-"]), stdin.as_bytes()).unwrap_err();
        assert!(e.lines[0].contains("more than 100000 ids"), "{:?}", e.lines);
    }

    #[test]
    fn a_line_longer_than_the_limit_is_refused_naming_it() {
        let long = "crs-".to_owned() + &"a".repeat(super::MAX_LINE_BYTES);
        let e = collect(&args(&["-"]), long.as_bytes()).unwrap_err();
        assert!(
            e.lines[0].contains("longer than 4096 bytes"),
            "{:?}",
            e.lines
        );
    }

    #[test]
    fn a_bad_id_names_its_line_and_is_escaped() {
        let e = collect(&args(&["-"]), "crs-ok1\ncrs-\u{1b}[2J\n".as_bytes()).unwrap_err();
        assert!(
            e.lines[0].starts_with("line 2 of standard input"),
            "{:?}",
            e.lines
        );
        assert!(!e.lines[0].contains('\u{1b}'), "{:?}", e.lines);
        let e = collect(&args(&["-", "-"]), "".as_bytes()).unwrap_err();
        assert!(e.lines[0].contains("once"), "{:?}", e.lines);
        let e = collect(&args(&["-"]), "# nothing\n".as_bytes()).unwrap_err();
        assert!(e.lines[0].contains("No instance ids"), "{:?}", e.lines);
    }
}
