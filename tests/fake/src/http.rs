//! The little of HTTP/1.1 the fake needs: reading one request (Content-Length bodies only) and
//! writing one response head.

use std::io::{self, BufRead, Read, Write};

/// Largest request head (request line and headers) accepted; larger gets 431.
const MAX_HEAD: u64 = 32 * 1024;
/// Largest body accepted: the documented limit of a TC3 POST (10 MB); larger gets 413.
pub(crate) const MAX_BODY: usize = 10 * 1024 * 1024;

/// One parsed request.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    pub(crate) method: String,
    /// The request target as sent (`/`, `/?InstanceId=...`).
    pub(crate) target: String,
    /// `HTTP/1.0` or `HTTP/1.1`.
    pub(crate) version: String,
    /// Header names and values in wire order, values trimmed of surrounding whitespace.
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Request {
    /// The first header of that name (case-insensitive).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The path part of the target.
    pub(crate) fn path(&self) -> &str {
        self.target.split_once('?').map_or(&self.target, |(p, _)| p)
    }

    /// The query string exactly as sent (without `?`), empty when there is none.
    pub(crate) fn query(&self) -> &str {
        self.target.split_once('?').map_or("", |(_, q)| q)
    }

    /// Whether the client wants the connection kept open after this exchange.
    pub(crate) fn keep_alive(&self) -> bool {
        let has = |token: &str| {
            self.headers
                .iter()
                .filter(|(k, _)| k.eq_ignore_ascii_case("connection"))
                .flat_map(|(_, v)| v.split(','))
                .any(|t| t.trim().eq_ignore_ascii_case(token))
        };
        if self.version == "HTTP/1.0" {
            has("keep-alive")
        } else {
            !has("close")
        }
    }
}

/// Why no request could be read.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// The peer closed the connection between requests.
    Closed,
    /// The socket failed (reset, shut down by the server, EOF inside a request).
    Io,
    /// The request cannot be answered; respond with this status and reason, then close.
    Reject(u16, &'static str),
}

impl From<io::Error> for ReadError {
    fn from(_: io::Error) -> Self {
        ReadError::Io
    }
}

/// Reads one request. `interim` receives `100 Continue` when the client asked for it.
pub(crate) fn read_request<R: BufRead, W: Write>(
    reader: &mut R,
    interim: &mut W,
) -> Result<Request, ReadError> {
    let mut head = reader.by_ref().take(MAX_HEAD);
    let mut line = Vec::new();
    // Tolerate empty lines before the request line (RFC 9112 §2.2).
    loop {
        line.clear();
        if head.read_until(b'\n', &mut line)? == 0 {
            return Err(ReadError::Closed);
        }
        if !trim_eol(&line).is_empty() {
            break;
        }
    }
    let request_line = text(trim_eol(&line))?;
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(ReadError::Reject(400, "malformed request line"));
    };
    if method.is_empty() || !target.starts_with('/') {
        return Err(ReadError::Reject(400, "malformed request line"));
    }
    if version != "HTTP/1.1" && version != "HTTP/1.0" {
        return Err(ReadError::Reject(505, "only HTTP/1.0 and HTTP/1.1"));
    }
    let (method, target, version) = (method.to_owned(), target.to_owned(), version.to_owned());

    let mut headers = Vec::new();
    loop {
        line.clear();
        if head.read_until(b'\n', &mut line)? == 0 || !line.ends_with(b"\n") {
            return Err(if head.limit() == 0 {
                ReadError::Reject(431, "request head too large")
            } else {
                ReadError::Io
            });
        }
        let l = trim_eol(&line);
        if l.is_empty() {
            break;
        }
        if l[0] == b' ' || l[0] == b'\t' {
            return Err(ReadError::Reject(400, "obsolete header folding"));
        }
        let l = text(l)?;
        let Some((name, value)) = l.split_once(':') else {
            return Err(ReadError::Reject(400, "header line without a colon"));
        };
        if name.is_empty() || name.bytes().any(|b| b <= b' ' || b == 0x7f) {
            return Err(ReadError::Reject(400, "malformed header name"));
        }
        headers.push((name.to_owned(), value.trim().to_owned()));
    }

    let mut req = Request {
        method,
        target,
        version,
        headers,
        body: Vec::new(),
    };
    if req.header("transfer-encoding").is_some() {
        return Err(ReadError::Reject(
            400,
            "Transfer-Encoding is not supported; send Content-Length",
        ));
    }
    let mut length: Option<usize> = None;
    for (_, v) in req
        .headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("content-length"))
    {
        let n = if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
            v.parse::<usize>().unwrap_or(usize::MAX)
        } else {
            return Err(ReadError::Reject(400, "malformed Content-Length"));
        };
        if length.is_some_and(|l| l != n) {
            return Err(ReadError::Reject(400, "conflicting Content-Length"));
        }
        length = Some(n);
    }
    let length = length.unwrap_or(0);
    if length > MAX_BODY {
        return Err(ReadError::Reject(413, "request body larger than 10 MB"));
    }
    if length > 0
        && req
            .header("expect")
            .is_some_and(|e| e.eq_ignore_ascii_case("100-continue"))
    {
        interim.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
        interim.flush()?;
    }
    req.body = vec![0; length];
    reader.read_exact(&mut req.body)?;
    Ok(req)
}

fn trim_eol(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

fn text(bytes: &[u8]) -> Result<&str, ReadError> {
    std::str::from_utf8(bytes).map_err(|_| ReadError::Reject(400, "request head is not UTF-8"))
}

/// The reason phrase of the statuses the fake sends.
fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        413 => "Content Too Large",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        _ => "Unknown",
    }
}

/// A response head with `Date`, `Content-Type`, `Content-Length` and, when the connection is to
/// close, `Connection: close`.
pub(crate) fn response_head(
    status: u16,
    date: &str,
    content_type: &str,
    content_length: usize,
    close: bool,
) -> Vec<u8> {
    let mut head = format!(
        "HTTP/1.1 {status} {}\r\nDate: {date}\r\nContent-Type: {content_type}\r\nContent-Length: {content_length}\r\n",
        reason(status)
    );
    if close {
        head.push_str("Connection: close\r\n");
    }
    head.push_str("\r\n");
    head.into_bytes()
}

/// RFC 9110 IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) of a Unix time in seconds, the
/// form of the fake's `Date` header (written by `httpdate`, which the client parses it with).
pub fn imf_fixdate(unix: u64) -> String {
    httpdate::fmt_http_date(std::time::UNIX_EPOCH + std::time::Duration::from_secs(unix))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::BufReader;

    fn parse(raw: &[u8]) -> Result<Request, ReadError> {
        read_request(&mut BufReader::new(raw), &mut Vec::new())
    }

    #[test]
    fn imf_fixdate_matches_rfc_example_and_epoch() {
        assert_eq!(imf_fixdate(784111777), "Sun, 06 Nov 1994 08:49:37 GMT");
        assert_eq!(imf_fixdate(0), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(imf_fixdate(1551113065), "Mon, 25 Feb 2019 16:44:25 GMT");
    }

    #[test]
    fn parses_headers_in_order_and_body() {
        let r = parse(b"POST /?a=b HTTP/1.1\r\nHost: x\r\nX-A:  1 \r\nContent-Length: 2\r\n\r\n{}")
            .unwrap();
        assert_eq!(r.path(), "/");
        assert_eq!(r.query(), "a=b");
        assert_eq!(r.headers[1], ("X-A".to_owned(), "1".to_owned()));
        assert_eq!(r.body, b"{}");
        assert!(r.keep_alive());
    }

    #[test]
    fn rejects_chunked_oversized_and_garbage() {
        let reject = |raw: &[u8]| match parse(raw) {
            Err(ReadError::Reject(s, _)) => s,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            reject(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
            400
        );
        assert_eq!(
            reject(b"POST / HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n"),
            413
        );
        assert_eq!(reject(b"GARBAGE\r\n\r\n"), 400);
        assert_eq!(
            reject(b"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"),
            400
        );
        assert!(matches!(parse(b""), Err(ReadError::Closed)));
    }
}
