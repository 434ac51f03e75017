//! Showing text that came from the network (a server's error code, message, request id, a body
//! excerpt) without letting it drive the terminal it is printed on.

use std::fmt;

/// Displays a string with every control character escaped (`\n`, `\r`, `\t`, `\u{1b}`, ...),
/// as well as the Unicode bidirectional controls that reorder what a terminal shows. Everything
/// else, including non-ASCII text such as the API's Chinese messages, is shown as it is.
///
/// A server (or anything between it and the client) that puts ESC or CR/LF in a message could
/// otherwise rewrite the lines around it, or forge lines such as `TaskId: 999`. Every `Display`
/// of this crate's errors shows server-provided text through this; use it too when printing a
/// server-provided field yourself.
///
/// ```
/// use tc_redis::Escaped;
/// assert_eq!(Escaped("ok\r\nTaskId: 9\u{1b}[2K").to_string(), r"ok\r\nTaskId: 9\u{1b}[2K");
/// assert_eq!(Escaped("实例状态异常").to_string(), "实例状态异常");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Escaped<'a>(pub &'a str);

/// Whether `c` changes how a terminal shows the text around it.
pub(crate) fn is_hostile(c: char) -> bool {
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

/// `text` with hostile characters escaped, as an owned string.
pub(crate) fn escaped(text: &str) -> String {
    Escaped(text).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_and_bidi_characters_are_escaped() {
        let shown = escaped("a\u{0}b\u{7f}c\u{9b}d\u{202e}e\u{2066}\"'\\");
        assert_eq!(shown, r#"a\u{0}b\u{7f}c\u{9b}d\u{202e}e\u{2066}"'\"#);
        assert!(!shown.chars().any(is_hostile), "{shown:?}");
        assert_eq!(
            escaped("plain ASCII, 中文, ümlaut"),
            "plain ASCII, 中文, ümlaut"
        );
    }
}
