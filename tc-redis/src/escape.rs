//! Showing text that came from the network (a server's error code, message, request id, a body
//! excerpt) without letting it drive the terminal it is printed on.

use std::fmt;

/// Displays a string with every control character escaped (`\n`, `\r`, `\t`, `\u{1b}`, ...),
/// as well as the Unicode bidirectional controls that reorder what a terminal shows. Everything
/// else, including non-ASCII text such as the API's Chinese messages, is shown as it is.
///
/// A server (or anything between it and the client) that puts ESC or CR/LF in a message could
/// otherwise rewrite the lines around it, or forge lines such as `TaskId: 999`. Every `Display`
/// of this crate's errors and every field of its `log` events shows server- or file-provided
/// text through this; use it too when printing a server-provided field yourself.
///
/// Escaping is idempotent: escaped text has no character left to escape, so text escaped by a
/// `Display` and again by the program that prints it is still escaped exactly once. (That is
/// why `\` itself is not escaped: `\u{1b}` in a message reads the same as an escaped ESC, which
/// is the one ambiguity accepted for it.)
///
/// ```
/// use tc_redis::Escaped;
/// assert_eq!(Escaped("ok\r\nTaskId: 9\u{1b}[2K").to_string(), r"ok\r\nTaskId: 9\u{1b}[2K");
/// assert_eq!(Escaped("实例状态异常").to_string(), "实例状态异常");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Escaped<'a>(pub &'a str);

/// Whether `c` changes how a terminal shows the text around it: what [`escaped`] escapes (C0
/// and C1 controls, DEL, the bidirectional marks, embeddings, overrides and isolates).
pub fn is_hostile(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.0;
        while let Some(at) = rest.find(is_hostile) {
            f.write_str(&rest[..at])?;
            let c = rest[at..].chars().next().unwrap_or_default();
            for e in c.escape_default() {
                fmt::Write::write_char(f, e)?;
            }
            rest = &rest[at + c.len_utf8()..];
        }
        f.write_str(rest)
    }
}

/// `text` with every character [`Escaped`] escapes escaped; borrowed when there is none (most
/// text). The one escaping function of tc-redis and of programs built on it.
///
/// ```
/// assert_eq!(tc_redis::escaped("r\u{1b}[2J\nsummary: 9 done"), r"r\u{1b}[2J\nsummary: 9 done");
/// let once = tc_redis::escaped("\u{202e}evil");
/// assert_eq!(tc_redis::escaped(&once), once); // idempotent
/// ```
pub fn escaped(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains(is_hostile) {
        std::borrow::Cow::Owned(Escaped(text).to_string())
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whatever the text (controls, bidi marks, backslashes, `\u{..}` look-alikes), escaping it
    /// leaves nothing hostile, and escaping the result again changes nothing.
    #[test]
    fn escaping_is_total_and_idempotent() {
        use tc_redis_test_support::Rng;
        let alphabet: Vec<char> = "ab\\u{}1b[2J \r\n\t\u{0}\u{7f}\u{9b}\u{85}\u{200e}\u{200f}\u{202e}\u{2066}\u{2069}实例"
            .chars()
            .collect();
        let mut rng = Rng::new(0x6573_6361_7065);
        for _ in 0..20_000 {
            let len = rng.below(16);
            let text: String = (0..len).map(|_| *rng.pick(&alphabet)).collect();
            let once = escaped(&text);
            assert!(!once.contains(is_hostile), "{text:?} -> {once:?}");
            assert_eq!(escaped(&once), once, "{text:?}");
        }
    }

    #[test]
    fn control_and_bidi_characters_are_escaped() {
        let shown = escaped("a\u{0}b\u{7f}c\u{9b}d\u{202e}e\u{2066}\"'\\").into_owned();
        assert_eq!(shown, r#"a\u{0}b\u{7f}c\u{9b}d\u{202e}e\u{2066}"'\"#);
        assert!(!shown.chars().any(is_hostile), "{shown:?}");
        assert_eq!(
            escaped("plain ASCII, 中文, ümlaut"),
            "plain ASCII, 中文, ümlaut"
        );
    }
}
