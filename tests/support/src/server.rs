//! A test HTTP server on real sockets: it reads each request (with `httparse`), records it, and
//! answers what the test's handler says: a response, a close, a reset, or a tunnel (a `CONNECT`
//! proxy).
//!
//! ```
//! use std::io::{BufReader, Write};
//! use tc_redis_test_support::{Reply, Response, TestServer, http};
//!
//! let server = TestServer::start(|request| match request.target.as_str() {
//!     "/role" => Response::json(r#"{"Code":"Success"}"#).into(),
//!     _ => Reply::Close,
//! });
//! let mut stream = std::net::TcpStream::connect(server.addr())?;
//! stream.write_all(b"GET /role HTTP/1.1\r\nHost: x\r\n\r\n")?;
//! let response = http::read_response(&mut BufReader::new(&stream))?;
//! assert_eq!(response.text(), r#"{"Code":"Success"}"#);
//! assert_eq!(server.requests()[0].request_line(), "GET /role HTTP/1.1");
//! # Ok::<(), std::io::Error>(())
//! ```

use crate::http::{Request, Response, read_request};
use std::io::{self, BufReader, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;

/// What the server does with a request it has read (and recorded).
#[derive(Debug, Clone)]
pub enum Reply {
    /// Answers, and goes on reading the connection unless the request or the response says
    /// `Connection: close` (or the request is HTTP/1.0 without `keep-alive`). A `2xx` to
    /// `CONNECT` is sent as a head alone, without `Content-Length`, as RFC 9110 requires.
    Respond(Response),
    /// Closes the connection without answering (a FIN).
    Close,
    /// Resets the connection without answering (`SO_LINGER` 0: an RST).
    Reset,
    /// Answers `200 Connection established` and relays bytes both ways between the client and
    /// this address, as an HTTP proxy does for `CONNECT`; closes if it cannot connect there.
    Tunnel(SocketAddr),
}

impl From<Response> for Reply {
    fn from(response: Response) -> Reply {
        Reply::Respond(response)
    }
}

type Handler = dyn Fn(&Request) -> Reply + Send + Sync;

struct Shared {
    /// `None`: every connection is closed as soon as it is accepted.
    handler: Option<Box<Handler>>,
    requests: Mutex<Vec<Request>>,
    connections: AtomicUsize,
    stop: AtomicBool,
    /// The connections still open, by number, to shut down when the server is dropped.
    open: Mutex<Vec<(usize, TcpStream)>>,
}

/// A server on 127.0.0.1 (a port of its own), one thread per connection. Dropping it stops the
/// accept thread (joined) and shuts down every open connection.
pub struct TestServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
}

impl TestServer {
    /// Serves every request with `handler`, which sees the request as read (its
    /// [`Request::connection`] set) after it was recorded.
    ///
    /// # Panics
    ///
    /// When 127.0.0.1 cannot be bound.
    pub fn start(handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> TestServer {
        TestServer::with(Some(Box::new(handler)))
    }

    /// Answers every request with `response`.
    pub fn always(response: Response) -> TestServer {
        TestServer::start(move |_| Reply::Respond(response.clone()))
    }

    /// Accepts connections and closes each at once, reading nothing (counted by
    /// [`TestServer::connections`]; no request is recorded).
    pub fn closing() -> TestServer {
        TestServer::with(None)
    }

    fn with(handler: Option<Box<Handler>>) -> TestServer {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .unwrap_or_else(|e| panic!("cannot bind 127.0.0.1: {e}"));
        let addr = listener
            .local_addr()
            .expect("a bound listener has an address");
        let shared = Arc::new(Shared {
            handler,
            requests: Mutex::default(),
            connections: AtomicUsize::new(0),
            stop: AtomicBool::new(false),
            open: Mutex::default(),
        });
        let accept = std::thread::Builder::new()
            .name(format!("test-server-{}", addr.port()))
            .spawn({
                let shared = shared.clone();
                move || accept_loop(&listener, &shared)
            })
            .expect("spawn the accept thread");
        TestServer {
            addr,
            shared,
            accept: Some(accept),
        }
    }

    /// The listening address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request read so far, in the order they were read.
    pub fn requests(&self) -> Vec<Request> {
        lock(&self.shared.requests).clone()
    }

    /// The connections accepted so far.
    pub fn connections(&self) -> usize {
        self.shared.connections.load(Ordering::SeqCst)
    }
}

impl std::fmt::Debug for TestServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestServer")
            .field("addr", &self.addr)
            .field("connections", &self.connections())
            .field("requests", &lock(&self.shared.requests).len())
            .finish()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop, which checks `stop` for every connection.
        let _ = TcpStream::connect(self.addr);
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
        for (_, stream) in lock(&self.shared.open).drain(..) {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }
}

/// A port on 127.0.0.1 that nothing listens on (bound, then released): a connection to it is
/// refused.
pub fn closed_port() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .unwrap_or_else(|e| panic!("cannot bind 127.0.0.1: {e}"));
    listener.local_addr().expect("bound").port()
}

/// A lock that a panicking test thread cannot poison for the others.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>) {
    for stream in listener.incoming() {
        if shared.stop.load(Ordering::SeqCst) {
            return;
        }
        let Ok(stream) = stream else { continue };
        let number = shared.connections.fetch_add(1, Ordering::SeqCst) + 1;
        if shared.handler.is_none() {
            drop(stream);
            continue;
        }
        if let Ok(clone) = stream.try_clone() {
            lock(&shared.open).push((number, clone));
        }
        let shared = shared.clone();
        let _ = std::thread::Builder::new()
            .name(format!("test-server-connection-{number}"))
            .spawn(move || {
                let _ = serve(&shared, &stream, number);
                lock(&shared.open).retain(|(n, _)| *n != number);
            });
    }
}

fn serve(shared: &Shared, stream: &TcpStream, number: usize) -> io::Result<()> {
    let handler = shared.handler.as_ref().expect("serve runs with a handler");
    let mut reader = BufReader::new(stream.try_clone()?);
    while let Some(mut request) = read_request(&mut reader)? {
        request.connection = number;
        lock(&shared.requests).push(request.clone());
        match handler(&request) {
            Reply::Respond(response) => {
                let tunnel_ok =
                    request.method == "CONNECT" && (200..300).contains(&response.status);
                let bytes = match tunnel_ok {
                    true => response.head(false),
                    false => response.to_bytes(),
                };
                let mut writer = stream;
                writer.write_all(&bytes)?;
                let close = response
                    .header("connection")
                    .is_some_and(|v| v.eq_ignore_ascii_case("close"));
                if close || request.wants_close() {
                    break;
                }
            }
            Reply::Close => break,
            Reply::Reset => return reset(stream),
            Reply::Tunnel(target) => return tunnel(stream, reader, target),
        }
    }
    stream.shutdown(Shutdown::Both)
}

/// Closes with an RST instead of a FIN: `SO_LINGER` on with a timeout of 0, then close.
fn reset(stream: &TcpStream) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: a valid socket, and a `linger` of the size passed.
    let status = unsafe {
        libc::setsockopt(
            stream.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            (&linger as *const libc::linger).cast(),
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        )
    };
    if status != 0 {
        return Err(io::Error::last_os_error());
    }
    // The close (of this and of the server's clone) resets; shutdown would send a FIN first.
    Ok(())
}

/// Relays between the client and `target` until both directions have ended. Bytes the client
/// sent after the `CONNECT` head, still in `reader`'s buffer, go first.
fn tunnel(
    client: &TcpStream,
    mut reader: BufReader<TcpStream>,
    target: SocketAddr,
) -> io::Result<()> {
    let Ok(upstream) = TcpStream::connect(target) else {
        return client.shutdown(Shutdown::Both);
    };
    let mut writer = client;
    let established = Response {
        reason: "Connection established".to_owned(),
        ..Response::new(200)
    };
    writer.write_all(&established.head(false))?;
    let mut to_upstream = upstream.try_clone()?;
    let up = std::thread::spawn(move || {
        let _ = io::copy(&mut reader, &mut to_upstream);
        let _ = to_upstream.shutdown(Shutdown::Write);
    });
    let _ = io::copy(&mut &upstream, &mut writer);
    let _ = client.shutdown(Shutdown::Both);
    let _ = up.join();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::read_response;
    use std::io::Read;
    use std::time::Duration;

    fn connect(server: &TestServer) -> TcpStream {
        let stream = TcpStream::connect(server.addr()).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        stream
    }

    /// What the server sends before the connection ends: the bytes, or the error that ended it.
    fn rest(mut stream: &TcpStream) -> io::Result<Vec<u8>> {
        let mut all = Vec::new();
        stream.read_to_end(&mut all).map(|_| all)
    }

    #[test]
    fn keep_alive_requests_are_answered_and_recorded_with_their_connection() {
        let server = TestServer::always(Response::json("{}"));
        let mut stream = connect(&server);
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        for target in ["/a", "/b"] {
            write!(stream, "GET {target} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
            assert_eq!(read_response(&mut reader).unwrap().text(), "{}");
        }
        stream
            .write_all(b"POST /c HTTP/1.1\r\nConnection: close\r\nContent-Length: 2\r\n\r\nhi")
            .unwrap();
        assert_eq!(read_response(&mut reader).unwrap().status, 200);
        let requests = server.requests();
        let seen: Vec<(String, usize)> = requests
            .iter()
            .map(|r| (r.target.clone(), r.connection))
            .collect();
        assert_eq!(seen, [("/a".into(), 1), ("/b".into(), 1), ("/c".into(), 1)]);
        assert_eq!(requests[2].body, b"hi");
        assert_eq!(
            rest(&stream).unwrap(),
            b"",
            "closed after Connection: close"
        );
        assert_eq!(server.connections(), 1);
    }

    #[test]
    fn close_ends_with_a_fin_and_reset_with_an_rst_after_the_request_was_read() {
        let server = TestServer::start(|r| match r.target.as_str() {
            "/close" => Reply::Close,
            _ => Reply::Reset,
        });
        let closed = connect(&server);
        (&closed).write_all(b"GET /close HTTP/1.1\r\n\r\n").unwrap();
        assert_eq!(rest(&closed).unwrap(), b"");
        let reset = connect(&server);
        (&reset).write_all(b"GET /reset HTTP/1.1\r\n\r\n").unwrap();
        let e = rest(&reset).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::ConnectionReset, "{e}");
        assert_eq!(server.requests().len(), 2, "both were read first");
    }

    #[test]
    fn closing_accepts_and_closes_reading_nothing() {
        let server = TestServer::closing();
        let stream = connect(&server);
        assert_eq!(rest(&stream).unwrap(), b"");
        assert_eq!((server.connections(), server.requests().len()), (1, 0));
    }

    #[test]
    fn a_connect_tunnel_relays_to_its_target_after_a_head_without_a_length() {
        let target = TestServer::always(Response::json("from the target"));
        let upstream = target.addr();
        let proxy = TestServer::start(move |r| match r.method.as_str() {
            "CONNECT" => Reply::Tunnel(upstream),
            _ => Response::new(400).into(),
        });
        let stream = connect(&proxy);
        write!(
            &stream,
            "CONNECT example.invalid:443 HTTP/1.1\r\nHost: example.invalid:443\r\n\r\n"
        )
        .unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut head = [0u8; 39];
        reader.read_exact(&mut head).unwrap();
        assert_eq!(&head, b"HTTP/1.1 200 Connection established\r\n\r\n");
        write!(
            &stream,
            "GET /through HTTP/1.1\r\nHost: example.invalid\r\n\r\n"
        )
        .unwrap();
        assert_eq!(
            read_response(&mut reader).unwrap().text(),
            "from the target"
        );
        assert_eq!(
            proxy.requests()[0].request_line(),
            "CONNECT example.invalid:443 HTTP/1.1"
        );
        assert_eq!(
            proxy.requests().len(),
            1,
            "the tunnelled request is the target's"
        );
        assert_eq!(target.requests()[0].target, "/through");
    }

    #[test]
    fn dropping_the_server_closes_idle_connections_and_refuses_new_ones() {
        let server = TestServer::always(Response::new(204));
        let idle = connect(&server);
        (&idle).write_all(b"GET / HTTP/1.1\r\n\r\n").unwrap();
        let mut reader = BufReader::new(&idle);
        assert_eq!(read_response(&mut reader).unwrap().status, 204);
        let addr = server.addr();
        drop(server);
        assert_eq!(rest(&idle).unwrap(), b"", "shut down by the drop");
        assert!(TcpStream::connect(addr).is_err(), "still listening");
    }

    #[test]
    fn a_closed_port_refuses() {
        let e = TcpStream::connect((Ipv4Addr::LOCALHOST, closed_port())).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::ConnectionRefused);
    }
}
