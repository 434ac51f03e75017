//! HTTP/1.1 messages as a test sees them on the wire: requests read by the [`TestServer`]
//! (and by any test that reads a socket), responses written by it or read by a test's raw
//! client. Parsed with `httparse` (already in the tree through ureq); bodies by
//! `Content-Length` only.
//!
//! [`TestServer`]: crate::TestServer

use std::io::{self, BufRead};

/// The largest request or response head read; a longer one is an error.
const MAX_HEAD: usize = 64 * 1024;
/// The most header fields read.
const MAX_HEADERS: usize = 64;

/// One request as it arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// `POST`, `GET`, `CONNECT`, ...
    pub method: String,
    /// The request target as sent: `/`, `/?Action=..`, or `host:port` for `CONNECT`.
    pub target: String,
    /// `1` for HTTP/1.1, `0` for HTTP/1.0.
    pub minor_version: u8,
    /// Header names and values in wire order.
    pub headers: Vec<(String, String)>,
    /// The body (`Content-Length` bytes).
    pub body: Vec<u8>,
    /// The connection it came on, counted from 1 in the order the server accepted them (0 for
    /// a request not read by a [`TestServer`](crate::TestServer)).
    pub connection: usize,
}

impl Request {
    /// The first header of that name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        find(&self.headers, name)
    }

    /// The request line, `POST / HTTP/1.1`.
    pub fn request_line(&self) -> String {
        format!(
            "{} {} HTTP/1.{}",
            self.method, self.target, self.minor_version
        )
    }

    /// Whether the client asked to close the connection after the answer (`Connection: close`,
    /// or HTTP/1.0 without `keep-alive`).
    pub fn wants_close(&self) -> bool {
        match self.header("connection") {
            Some(v) if v.eq_ignore_ascii_case("close") => true,
            Some(v) if v.eq_ignore_ascii_case("keep-alive") => false,
            _ => self.minor_version == 0,
        }
    }
}

/// A response: one to write (built with [`Response::new`] and the `with_` methods), or one read
/// off the wire with [`read_response`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// The reason phrase.
    pub reason: String,
    /// Header names and values in wire order.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Response {
    /// A response with this status, its usual reason phrase, no header and no body.
    pub fn new(status: u16) -> Response {
        let reason = match status {
            200 => "OK",
            204 => "No Content",
            302 => "Found",
            400 => "Bad Request",
            403 => "Forbidden",
            404 => "Not Found",
            407 => "Proxy Authentication Required",
            429 => "Too Many Requests",
            500 => "Internal Server Error",
            502 => "Bad Gateway",
            503 => "Service Unavailable",
            504 => "Gateway Timeout",
            _ => "Status",
        };
        Response {
            status,
            reason: reason.to_owned(),
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// `200 OK` with `Content-Type: application/json` and this body.
    pub fn json(body: impl Into<Vec<u8>>) -> Response {
        Response::new(200)
            .with_header("Content-Type", "application/json")
            .with_body(body)
    }

    /// Adds a header.
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Response {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sets the body.
    pub fn with_body(mut self, body: impl Into<Vec<u8>>) -> Response {
        self.body = body.into();
        self
    }

    /// The first header of that name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        find(&self.headers, name)
    }

    /// The body as text, invalid UTF-8 replaced.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The status line and headers, and `Content-Length` unless a header gives it.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = self.head(find(&self.headers, "content-length").is_none());
        out.extend_from_slice(&self.body);
        out
    }

    /// The head alone, with `Content-Length` when `length` (a tunnel's `200` to `CONNECT` has
    /// neither a length nor a body).
    pub(crate) fn head(&self, length: bool) -> Vec<u8> {
        let mut head = format!("HTTP/1.1 {} {}\r\n", self.status, self.reason);
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        if length {
            head.push_str(&format!("Content-Length: {}\r\n", self.body.len()));
        }
        head.push_str("\r\n");
        head.into_bytes()
    }
}

fn find<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn invalid(what: impl std::fmt::Display) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.to_string())
}

/// Reads a head with `parse`, which answers `Ok(Some(length))` once the bytes so far hold a whole
/// head; consumes the head alone, so that what follows stays in `reader`. `Ok(None)` when the
/// stream ends before the first byte.
fn read_head<R: BufRead, T>(
    reader: &mut R,
    mut parse: impl FnMut(&[u8]) -> io::Result<Option<(usize, T)>>,
) -> io::Result<Option<T>> {
    let mut head = Vec::new();
    loop {
        let available = reader.fill_buf()?;
        if available.is_empty() {
            return match head.is_empty() {
                true => Ok(None),
                false => Err(io::ErrorKind::UnexpectedEof.into()),
            };
        }
        let before = head.len();
        let read = available.len();
        head.extend_from_slice(available);
        if let Some((length, parsed)) = parse(&head)? {
            reader.consume(length - before);
            return Ok(Some(parsed));
        }
        reader.consume(read);
        if head.len() > MAX_HEAD {
            return Err(invalid(format!("a head over {MAX_HEAD} bytes")));
        }
    }
}

fn owned_headers(headers: &[httparse::Header<'_>]) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|h| {
            let value = String::from_utf8_lossy(h.value).trim().to_owned();
            (h.name.to_owned(), value)
        })
        .collect()
}

/// The `Content-Length` of a message's headers, refusing a chunked body.
fn content_length(headers: &[(String, String)]) -> io::Result<Option<usize>> {
    if find(headers, "transfer-encoding").is_some() {
        return Err(invalid("a chunked body (only Content-Length is read)"));
    }
    find(headers, "content-length")
        .map(|n| {
            n.parse()
                .map_err(|_| invalid(format!("Content-Length {n:?}")))
        })
        .transpose()
}

/// Reads one request and its body; `Ok(None)` when the stream ends cleanly before it.
///
/// # Errors
///
/// A malformed or oversized head, a chunked body, or an I/O error (an early end included).
pub fn read_request(reader: &mut impl BufRead) -> io::Result<Option<Request>> {
    let head = read_head(reader, |bytes| {
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut request = httparse::Request::new(&mut headers);
        match request.parse(bytes).map_err(invalid)? {
            httparse::Status::Partial => Ok(None),
            httparse::Status::Complete(length) => Ok(Some((
                length,
                Request {
                    method: request.method.unwrap_or_default().to_owned(),
                    target: request.path.unwrap_or_default().to_owned(),
                    minor_version: request.version.unwrap_or(1),
                    headers: owned_headers(request.headers),
                    body: Vec::new(),
                    connection: 0,
                },
            ))),
        }
    })?;
    let Some(mut request) = head else {
        return Ok(None);
    };
    if let Some(length) = content_length(&request.headers)? {
        request.body = vec![0; length];
        reader.read_exact(&mut request.body)?;
    }
    Ok(Some(request))
}

/// Reads one response: its body by `Content-Length`, else to the end of the stream.
///
/// # Errors
///
/// A malformed head, a chunked body, or an I/O error (an end of stream before a whole head or
/// body, a reset).
pub fn read_response(reader: &mut impl BufRead) -> io::Result<Response> {
    let head = read_head(reader, |bytes| {
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut response = httparse::Response::new(&mut headers);
        match response.parse(bytes).map_err(invalid)? {
            httparse::Status::Partial => Ok(None),
            httparse::Status::Complete(length) => Ok(Some((
                length,
                Response {
                    status: response.code.unwrap_or_default(),
                    reason: response.reason.unwrap_or_default().to_owned(),
                    headers: owned_headers(response.headers),
                    body: Vec::new(),
                },
            ))),
        }
    })?;
    let mut response = head.ok_or(io::ErrorKind::UnexpectedEof)?;
    match content_length(&response.headers)? {
        Some(length) => {
            response.body = vec![0; length];
            reader.read_exact(&mut response.body)?;
        }
        None => {
            reader.read_to_end(&mut response.body)?;
        }
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pipelined_requests_are_read_one_at_a_time_with_their_bodies() {
        let wire = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}\
                     GET /?a=1 HTTP/1.0\r\nX-A:  padded  \r\n\r\n";
        let mut reader = io::BufReader::with_capacity(7, &wire[..]);
        let first = read_request(&mut reader).unwrap().unwrap();
        assert_eq!(first.request_line(), "POST / HTTP/1.1");
        assert_eq!(
            (first.header("HOST"), first.body.as_slice()),
            (Some("x"), &b"{}"[..])
        );
        assert!(!first.wants_close());
        let second = read_request(&mut reader).unwrap().unwrap();
        assert_eq!(second.request_line(), "GET /?a=1 HTTP/1.0");
        assert_eq!(second.header("x-a"), Some("padded"));
        assert!(second.wants_close(), "HTTP/1.0 without keep-alive");
        assert_eq!(read_request(&mut reader).unwrap(), None);
    }

    #[test]
    fn malformed_chunked_and_cut_requests_are_errors() {
        let read = |bytes: &[u8]| read_request(&mut io::BufReader::new(bytes));
        assert_eq!(
            read(b"HELLO\r\n\r\n").unwrap_err().kind(),
            io::ErrorKind::InvalidData
        );
        let chunked = read(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
        assert_eq!(chunked.unwrap_err().kind(), io::ErrorKind::InvalidData);
        let cut = read(b"POST / HTTP/1.1\r\nContent-Length: 9\r\n\r\n{}");
        assert_eq!(cut.unwrap_err().kind(), io::ErrorKind::UnexpectedEof);
        let head = read(b"GET / HTTP/1.1\r\nX: a");
        assert_eq!(head.unwrap_err().kind(), io::ErrorKind::UnexpectedEof);
    }

    #[test]
    fn a_response_written_reads_back_the_same_and_without_a_length_reads_to_the_end() {
        let sent = Response::json(r#"{"a":1}"#).with_header("X-Id", "7");
        let bytes = sent.to_bytes();
        assert!(bytes.starts_with(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Id: 7\r\nContent-Length: 7\r\n\r\n"));
        let read = read_response(&mut io::BufReader::new(&bytes[..])).unwrap();
        assert_eq!(read.header("content-length"), Some("7"));
        assert_eq!((read.status, read.text()), (200, r#"{"a":1}"#.to_owned()));
        let unframed = read_response(&mut &b"HTTP/1.1 502 Bad Gateway\r\n\r\n<html>"[..]).unwrap();
        assert_eq!(
            (
                unframed.status,
                unframed.reason.as_str(),
                unframed.text().as_str()
            ),
            (502, "Bad Gateway", "<html>")
        );
    }
}
