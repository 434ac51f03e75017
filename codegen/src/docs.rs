//! Documentation text from the spec, made safe for rustdoc.
//!
//! The official spec's `document` fields are untrusted input: plain text, Markdown, or HTML
//! (`<p>`, `<ul><li>`, `<a href>`, entities). Pasted into `///` comments as they are, they would
//! trip rustdoc (`invalid_html_tags`, `broken_intra_doc_links`, `bare_urls`) or, worse, turn
//! an indented or fenced snippet into a doctest that fails to compile. [`sanitize`] turns them
//! into plain Markdown that rustdoc renders and never compiles.

/// HTML tags the spec uses, converted or dropped; any other `<...>` is text (`<Region>`).
const KNOWN_TAGS: &[&str] = &[
    "a",
    "b",
    "blockquote",
    "br",
    "code",
    "dd",
    "div",
    "dl",
    "dt",
    "em",
    "font",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "li",
    "ol",
    "p",
    "pre",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
];

/// Whether an `example` of the spec is a placeholder rather than a value: empty, "none" (`无`),
/// `null`, or a pointer to other documentation (`具体请参考对应数据结构`, "see the corresponding
/// data structure"). Such text never reaches rustdoc as an example.
pub(crate) fn is_placeholder_example(example: &str) -> bool {
    const NOTHING: &[&str] = &["", "无", "略", "-", "null", "none", "n/a"];
    const POINTERS: &[&str] = &[
        "请参考",
        "参考对应",
        "详见",
        "参见",
        "see the corresponding",
    ];
    let text = example.trim();
    let lower = text.to_lowercase();
    NOTHING.contains(&lower.as_str()) || POINTERS.iter().any(|p| lower.contains(p))
}

/// Converts spec documentation (text, Markdown or HTML) to rustdoc-safe Markdown.
pub(crate) fn sanitize(doc: &str) -> String {
    // A bare carriage return is not allowed in a doc comment.
    let doc = doc.replace("\r\n", "\n").replace('\r', "\n");
    let markdown = html_to_markdown(&doc);
    let mut out = String::with_capacity(markdown.len());
    let mut in_fence = false;
    let mut after_list_item = false;
    for line in markdown.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("```") {
            // Whatever language the fence claims, its content is shown, never compiled.
            out.push_str(if in_fence { "```" } else { "```text" });
            in_fence = !in_fence;
        } else if in_fence {
            out.push_str(line.trim_end());
        } else {
            let list_item = is_list_item(trimmed);
            if after_list_item && !list_item && !trimmed.is_empty() {
                // A plain line right after a list item would be read as its lazy continuation.
                out.push('\n');
            }
            after_list_item = list_item;
            // No leading blanks: four of them would start an indented code block (a doctest).
            escape_line(trimmed, &mut out);
        }
        out.push('\n');
    }
    if in_fence {
        out.push_str("```\n");
    }
    collapse_blank_lines(&out)
}

/// A Markdown list item: `- x`, `* x`, `+ x`, `1. x`, `1) x`.
fn is_list_item(line: &str) -> bool {
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 {
        let rest = &line[digits..];
        return rest.starts_with(". ") || rest.starts_with(") ");
    }
    line.starts_with("- ") || line.starts_with("* ") || line.starts_with("+ ")
}

/// Pass 1: HTML tags to Markdown, entities decoded. Text outside tags is left as it is.
fn html_to_markdown(doc: &str) -> String {
    let mut out = String::with_capacity(doc.len());
    let mut rest = doc;
    let mut href_stack: Vec<Option<String>> = Vec::new();
    let mut list_stack: Vec<bool> = Vec::new(); // true = ordered
    // Inside a Markdown code span (`...`), `<b>` is text, not a tag.
    let mut in_code = false;
    while let Some(lt) = rest.find('<') {
        let text = decode_entities(&rest[..lt]);
        in_code ^= text.matches('`').count() % 2 == 1;
        out.push_str(&text);
        let after = &rest[lt..];
        let tag = parse_tag(after).filter(|(name, ..)| !in_code || name == "code");
        let Some((tag, closing, attrs, len)) = tag else {
            out.push('<');
            rest = &after[1..];
            continue;
        };
        rest = &after[len..];
        if tag == "code" {
            in_code = !closing;
        }
        match (tag.as_str(), closing) {
            ("p" | "div" | "table" | "blockquote" | "dl", _) => out.push_str("\n\n"),
            ("br" | "tr" | "dt" | "dd", _) => out.push('\n'),
            ("hr", _) => out.push_str("\n\n---\n\n"),
            ("ul" | "ol", false) => {
                list_stack.push(tag == "ol");
                out.push('\n');
            }
            ("ul" | "ol", true) => {
                list_stack.pop();
                out.push_str("\n\n");
            }
            ("li", false) => {
                out.push_str(if list_stack.last() == Some(&true) {
                    "\n1. "
                } else {
                    "\n- "
                });
            }
            ("li", true) => {}
            ("b" | "strong", _) => out.push_str("**"),
            ("i" | "em", _) => out.push('*'),
            ("code", _) => out.push('`'),
            ("pre", false) => out.push_str("\n```text\n"),
            ("pre", true) => out.push_str("\n```\n"),
            ("td" | "th", false) => out.push(' '),
            ("h1" | "h2" | "h3" | "h4" | "h5" | "h6", false) => out.push_str("\n\n**"),
            ("h1" | "h2" | "h3" | "h4" | "h5" | "h6", true) => out.push_str("**\n\n"),
            ("a", false) => {
                let href = attr(&attrs, "href").filter(|h| !h.is_empty());
                if href.is_some() {
                    out.push('[');
                }
                href_stack.push(href);
            }
            ("a", true) => {
                if let Some(Some(href)) = href_stack.pop() {
                    out.push_str("](");
                    out.push_str(&href.replace(' ', "%20").replace(')', "%29"));
                    out.push(')');
                }
            }
            _ => {} // span, font, sub, sup, u, img, table parts: keep only their text
        }
    }
    out.push_str(&decode_entities(rest));
    out
}

/// Parses `<tag attrs>` / `</tag>` / `<tag/>` at the start of `s` for a known tag: returns the
/// lower-cased name, whether it closes, the attribute text and the length consumed.
fn parse_tag(s: &str) -> Option<(String, bool, String, usize)> {
    let end = s.find('>')?;
    let inner = &s[1..end];
    let (closing, inner) = match inner.strip_prefix('/') {
        Some(i) => (true, i),
        None => (false, inner),
    };
    let inner = inner.trim_end_matches('/').trim();
    let name_len = inner
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(inner.len());
    let name = inner[..name_len].to_ascii_lowercase();
    if !KNOWN_TAGS.contains(&name.as_str()) {
        return None;
    }
    let attrs = inner[name_len..].to_owned();
    if !attrs.is_empty() && !attrs.starts_with(char::is_whitespace) {
        return None;
    }
    Some((name, closing, attrs, end + 1))
}

/// The value of `name="..."` (or single-quoted) in an attribute string.
fn attr(attrs: &str, name: &str) -> Option<String> {
    let mut rest = attrs;
    while let Some(i) = rest.find(name) {
        let after = rest[i + name.len()..].trim_start();
        if let Some(v) = after.strip_prefix('=') {
            let v = v.trim_start();
            let quote = v.chars().next()?;
            if quote == '"' || quote == '\'' {
                let v = &v[1..];
                return v.find(quote).map(|e| decode_entities(&v[..e]));
            }
            let e = v.find(char::is_whitespace).unwrap_or(v.len());
            return Some(decode_entities(&v[..e]));
        }
        rest = &rest[i + name.len()..];
    }
    None
}

fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    s.replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// Pass 2, one line of Markdown: keeps links and code spans, escapes what rustdoc would read as
/// HTML or as an intra-doc link, and wraps bare URLs in `<...>`.
fn escape_line(line: &str, out: &mut String) {
    let mut i = 0;
    let b = line.as_bytes();
    while i < line.len() {
        let rest = &line[i..];
        if let Some(span) = rest.strip_prefix('`') {
            // A code span runs to the next backtick; rustdoc reads nothing inside it.
            match span.find('`') {
                Some(e) => {
                    out.push_str(&rest[..e + 2]);
                    i += e + 2;
                }
                None => {
                    out.push_str("\\`");
                    i += 1;
                }
            }
        } else if rest.starts_with('[') {
            match markdown_link_len(rest) {
                Some(len) => {
                    escape_text(&rest[..len], out);
                    i += len;
                }
                None => {
                    out.push_str("\\[");
                    i += 1;
                }
            }
        } else if rest.starts_with("http://") || rest.starts_with("https://") {
            let len = url_len(rest);
            out.push('<');
            out.push_str(&rest[..len]);
            out.push('>');
            i += len;
        } else {
            let c = rest.chars().next().unwrap_or(' ');
            match c {
                ']' => out.push_str("\\]"),
                '<' => out.push_str("&lt;"),
                '>' if i == 0 => out.push_str("&gt;"), // not a block quote
                '>' => out.push_str("&gt;"),
                '\\' if b.get(i + 1).is_some_and(u8::is_ascii_punctuation) => out.push_str("\\\\"),
                _ => out.push(c),
            }
            i += c.len_utf8();
        }
    }
}

/// Escapes `<`/`>` in a Markdown link, leaving its shape alone.
fn escape_text(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
}

/// Length of `[text](target)` at the start of `s`, if it is one.
fn markdown_link_len(s: &str) -> Option<usize> {
    let close = s.find(']')?;
    if s[1..close].contains('[') || !s[close + 1..].starts_with('(') {
        return None;
    }
    let target_end = s[close + 2..].find(')')?;
    let target = &s[close + 2..close + 2 + target_end];
    if target.is_empty() || target.contains(char::is_whitespace) {
        return None;
    }
    Some(close + 2 + target_end + 1)
}

fn url_len(s: &str) -> usize {
    let end = s
        .find(|c: char| c.is_whitespace() || "<>\"'`()[]{}|，。；）".contains(c) || !c.is_ascii())
        .unwrap_or(s.len());
    // Sentence punctuation after a URL is not part of it.
    s[..end]
        .trim_end_matches(['.', ',', ';', ':', '!', '?'])
        .len()
}

fn collapse_blank_lines(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut blank_run = 0;
    for line in s.trim().lines() {
        if line.trim().is_empty() {
            blank_run += 1;
            if blank_run > 1 {
                continue;
            }
        } else {
            blank_run = 0;
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out.trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use super::{is_placeholder_example, sanitize};

    #[test]
    fn plain_text_is_unchanged() {
        assert_eq!(sanitize("Task ID"), "Task ID");
        assert_eq!(sanitize("  Instance ID.  "), "Instance ID.");
    }

    #[test]
    fn markdown_links_are_kept() {
        let doc = "Log in to the [Redis console recycle bin](https://console.cloud.tencent.com/redis/recycle), and copy it.";
        assert_eq!(sanitize(doc), doc);
    }

    #[test]
    fn html_paragraphs_lists_and_links_become_markdown() {
        let doc = "<p>Mode:</p><ul><li><b>0</b>: off;</li><li>1: <a href=\"https://x.example/a b\">docs</a>.</li></ul>";
        assert_eq!(
            sanitize(doc),
            "Mode:\n\n- **0**: off;\n- 1: [docs](https://x.example/a%20b)."
        );
        assert_eq!(sanitize("<ol><li>a</li><li>b</li></ol>"), "1. a\n1. b");
        assert_eq!(sanitize("a<br/>b<br>c"), "a\nb\nc");
    }

    #[test]
    fn entities_are_decoded_then_made_safe() {
        assert_eq!(
            sanitize("a &lt;= b &amp;&amp; c&nbsp;d"),
            "a &lt;= b && c d"
        );
        assert_eq!(sanitize("&quot;q&quot; &#39;s&#39;"), "\"q\" 's'");
    }

    #[test]
    fn stray_angle_brackets_and_brackets_are_escaped() {
        assert_eq!(
            sanitize("&<Common request parameters> [crs-xxx] a>b"),
            "&&lt;Common request parameters&gt; \\[crs-xxx\\] a&gt;b"
        );
        assert_eq!(sanitize("[\"crs-1\"]"), "\\[\"crs-1\"\\]");
    }

    #[test]
    fn bare_urls_are_wrapped() {
        assert_eq!(
            sanitize("See https://cloud.tencent.com/document/product/239/20005."),
            "See <https://cloud.tencent.com/document/product/239/20005>."
        );
        assert_eq!(sanitize("(http://a.example/x)"), "(<http://a.example/x>)");
    }

    #[test]
    fn placeholder_examples_are_recognised() {
        for placeholder in [
            "",
            " 无 ",
            "null",
            "NULL",
            "-",
            "具体请参考对应数据结构",
            "详见数据结构",
        ] {
            assert!(is_placeholder_example(placeholder), "{placeholder:?}");
        }
        for value in [
            "0",
            "crs-5a4py64p",
            "测试实例",
            "none-of-these",
            "ap-guangzhou",
        ] {
            assert!(!is_placeholder_example(value), "{value:?}");
        }
    }

    #[test]
    fn nothing_can_become_a_doctest() {
        // Indented lines would be an indented code block, which rustdoc compiles.
        assert_eq!(
            sanitize("Example:\n\n    let x = 1;"),
            "Example:\n\nlet x = 1;"
        );
        assert_eq!(sanitize("```\nfoo(\n```"), "```text\nfoo(\n```");
        assert_eq!(sanitize("```json\n{}\n```"), "```text\n{}\n```");
        assert_eq!(sanitize("```rust\nbroken"), "```text\nbroken\n```");
        assert_eq!(sanitize("<pre>x < y</pre>"), "```text\nx < y\n```");
    }

    #[test]
    fn code_spans_are_left_alone() {
        assert_eq!(sanitize("use `a<b>[c]`"), "use `a<b>[c]`");
        assert_eq!(sanitize("<code>Vec<u8></code>"), "`Vec<u8>`");
    }

    #[test]
    fn list_items_are_not_continued_by_plain_lines() {
        assert_eq!(sanitize("- a\nNote: b"), "- a\n\nNote: b");
        assert_eq!(sanitize("1. a\n2. b\nc"), "1. a\n2. b\n\nc");
        assert_eq!(sanitize("- a\n- b"), "- a\n- b");
    }

    #[test]
    fn carriage_returns_become_line_breaks() {
        assert_eq!(sanitize("a\r\nb\rc"), "a\nb\nc");
    }

    #[test]
    fn unknown_tags_are_text() {
        assert_eq!(sanitize("<Region>"), "&lt;Region&gt;");
        assert_eq!(sanitize("<span style=\"x\">kept</span>"), "kept");
    }
}
