//! A hostile server (issue 18): its `RequestId`, `Code` and `Message` carry ESC, CR/LF and the
//! bidi override U+202E, and its error page CR/LF. No raw control character (but the line
//! breaks the tool writes) and no bidi mark reaches stdout or stderr, in text, JSON, `-v` and
//! `-vv`; no forged line appears; JSON escapes once (JSON's own escapes).

use crate::support::{creds, json_lines, run};
use tc_redis_test_support::{Response, TestServer};

const ID: &str = "crs-hostile1";
/// Clears the screen and forges a summary line, then reverses what follows.
const FORGED: &str = "r\u{1b}[2J\nsummary: 9 done\r\u{202e}";

fn hostile_api_error() -> TestServer {
    let body = serde_json::json!({"Response": {
        "Error": {"Code": format!("RequestLimitExceeded\u{1b}[31m"), "Message": format!("slow\r\ndown {FORGED}")},
        "RequestId": FORGED,
    }});
    TestServer::always(Response::json(body.to_string()))
}

/// Every character a terminal would act on, but the `\n` that ends lines.
fn assert_clean(what: &str, text: &str) {
    for c in text.chars() {
        assert!(
            c == '\n' || !tc_redis::is_hostile(c),
            "{what}: raw {c:?} in {text:?}"
        );
    }
    assert!(
        !text.lines().any(|l| l.starts_with("summary: 9 done")),
        "{what}: a forged line: {text}"
    );
}

#[test]
fn server_text_is_escaped_on_every_line_in_every_mode() {
    let server = hostile_api_error();
    let endpoint = server.url();
    for extra in [&[][..], &["--json"], &["-v"], &["-vv"], &["-vv", "--json"]] {
        let mut args = vec!["--region", "ap-guangzhou", "--endpoint", &endpoint, "--yes"];
        args.extend_from_slice(extra);
        args.push(ID);
        let r = run(&args, &creds());
        assert_eq!(r.code, 1, "{extra:?}: {r:?}");
        assert_clean(&format!("{extra:?} stdout"), &r.stdout);
        assert_clean(&format!("{extra:?} stderr"), &r.stderr);
        if extra.contains(&"-vv") {
            assert!(
                r.stderr
                    .contains(r"request_id=r\u{1b}[2J\nsummary: 9 done\r\u{202e}"),
                "{extra:?}: the event's request id, escaped once: {}",
                r.stderr
            );
        }
        if extra.contains(&"--json") {
            // JSON carries the values as sent, escaped once by JSON: they read back exactly.
            let objects = json_lines(&r.stdout);
            assert_eq!(objects[0]["RequestId"], FORGED, "{}", r.stdout);
            assert_eq!(
                objects[0]["Error"]["Code"],
                "RequestLimitExceeded\u{1b}[31m"
            );
        }
    }
}

#[test]
fn an_error_pages_line_breaks_are_escaped_once_in_json_and_in_text() {
    let page = "<html>\r\n<h1>502 Bad Gateway</h1>\r\n\u{1b}[2J</html>";
    let server = TestServer::always(
        Response::new(502)
            .with_header("Content-Type", "text/html")
            .with_body(page),
    );
    let endpoint = server.url();
    let args = [
        "--region",
        "ap-guangzhou",
        "--endpoint",
        &endpoint,
        "--json",
        "--yes",
        ID,
    ];
    let r = run(&args, &creds());
    assert_clean("stdout", &r.stdout);
    let objects = json_lines(&r.stdout);
    let message = objects[0]["Error"]["Message"].as_str().unwrap();
    assert!(message.contains(page), "the page as sent: {message:?}");
    // In the raw line: JSON's `\r\n`, not escaped text escaped again (`\\r\\n`).
    assert!(r.stdout.contains(r"<html>\r\n<h1>"), "{}", r.stdout);
    assert!(!r.stdout.contains(r"\\r"), "{}", r.stdout);
    let r = run(
        &args[..args.len() - 3]
            .iter()
            .chain(&["--yes", ID])
            .copied()
            .collect::<Vec<_>>(),
        &creds(),
    );
    assert_clean("text stdout", &r.stdout);
    assert!(
        r.stdout
            .contains(r"<html>\r\n<h1>502 Bad Gateway</h1>\r\n\u{1b}[2J</html>"),
        "{}",
        r.stdout
    );
}
