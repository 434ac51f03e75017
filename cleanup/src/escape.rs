//! Server-provided text (codes, messages, request ids, task statuses, instance names) on a
//! terminal: control characters are escaped, so a server cannot move the cursor, clear the
//! screen or forge output lines with ESC, CR or LF.

use std::borrow::Cow;

/// `text` with every control character (C0, DEL, C1), every bidirectional-override character
/// and the backslash written as a Rust escape (`\u{1b}`, `\r`, `\n`, `\\`), so that what is
/// printed is unambiguous and never acts on the terminal.
pub(crate) fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if needs_escape(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn needs_escape(c: char) -> bool {
    c.is_control()
        || c == '\\'
        // Bidirectional embeddings, overrides and isolates reorder what follows them.
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn control_characters_are_escaped_and_the_rest_kept() {
        assert_eq!(escape("plain 文字"), "plain 文字");
        assert_eq!(
            escape("a\u{1b}[2J\r\nTaskId: 999\u{7f}\u{9b}"),
            "a\\u{1b}[2J\\r\\nTaskId: 999\\u{7f}\\u{9b}"
        );
        assert_eq!(escape("back\\slash \u{202e}"), "back\\\\slash \\u{202e}");
    }
}
