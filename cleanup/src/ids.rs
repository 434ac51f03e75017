//! The instance ids of a run: from the arguments, or from standard input for `-` (one per line,
//! `#` starts a comment). All are checked before anything is sent.

use crate::failure::Failure;
use std::io::BufRead;
use tc_redis::escaped;

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
    let mut ids = Vec::new();
    let mut stdin = Some(stdin);
    let from_stdin = args.iter().any(|a| a == "-");
    for arg in args {
        if arg != "-" {
            push(&mut ids, arg, || "argument".to_owned())?;
            continue;
        }
        let Some(reader) = stdin.take() else { continue };
        for (n, line) in reader.lines().enumerate() {
            let line = line.map_err(|e| {
                Failure::usage(vec![format!(
                    "Cannot read the ids from standard input (line {}): {e}.",
                    n + 1
                )])
            })?;
            let id = line.split('#').next().unwrap_or_default().trim();
            if !id.is_empty() {
                push(&mut ids, id, || format!("line {} of standard input", n + 1))?;
            }
        }
    }
    if ids.is_empty() {
        return Err(Failure::usage(vec![
            "No instance ids: standard input had none (one per line, # starts a comment)."
                .to_owned(),
        ]));
    }
    Ok(Ids { ids, from_stdin })
}

/// Adds `id` once, or says where the bad one came from.
fn push(ids: &mut Vec<String>, id: &str, origin: impl Fn() -> String) -> Result<(), Failure> {
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
    if !ids.iter().any(|known| known == id) {
        ids.push(id.to_owned());
    }
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
