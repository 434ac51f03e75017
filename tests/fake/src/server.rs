//! The listener and the per-connection loop: read a request, decide the answer (API or fault),
//! record it, write it, repeat while the connection is kept alive.

use crate::api::Service;
use crate::envelope::{self, Lang};
use crate::fault::Fault;
use crate::http::{self, ReadError, Request};
use crate::rng::Rng;
use crate::{RecordedRequest, Stats};
use std::collections::HashMap;
use std::io::{BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::thread;

const JSON: &str = "application/json";
const JSON_UTF8: &str = "application/json; charset=utf-8";

/// State shared by the accept thread, the connection threads and the [`crate::FakeServer`].
pub(crate) struct Shared {
    pub(crate) service: Service,
    rng: Rng,
    fault: Mutex<Option<Fault>>,
    log: Mutex<Vec<RecordedRequest>>,
    connections: AtomicU64,
    requests: AtomicU64,
    malformed: AtomicU64,
    /// Open connections, so that stopping the server can shut them down.
    open: Mutex<HashMap<u64, TcpStream>>,
    pub(crate) stop: AtomicBool,
}

/// A poisoned lock only means another connection thread panicked; the data is still usable.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// What goes back on the wire for one request.
struct Answer {
    status: u16,
    content_type: String,
    body: Vec<u8>,
    error_code: Option<String>,
    request_id: Option<String>,
}

/// How the answer is delivered.
enum Delivery {
    Normal,
    ResetBefore,
    ResetMid,
    Hang,
    Drip(std::time::Duration),
}

/// How a connection ends.
enum End {
    Close,
    Reset,
}

impl Shared {
    pub(crate) fn new(service: Service) -> Shared {
        Shared {
            service,
            rng: Rng::new(),
            fault: Mutex::new(None),
            log: Mutex::new(Vec::new()),
            connections: AtomicU64::new(0),
            requests: AtomicU64::new(0),
            malformed: AtomicU64::new(0),
            open: Mutex::new(HashMap::new()),
            stop: AtomicBool::new(false),
        }
    }

    pub(crate) fn stats(&self) -> Stats {
        Stats {
            connections: self.connections.load(Ordering::SeqCst),
            requests: self.requests.load(Ordering::SeqCst),
            malformed: self.malformed.load(Ordering::SeqCst),
        }
    }

    pub(crate) fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.log).clone()
    }

    pub(crate) fn set_fault(&self, fault: Option<Fault>) {
        *lock(&self.fault) = fault;
    }

    /// Shuts every open connection down, so that their threads see EOF and end.
    pub(crate) fn close_all(&self) {
        for stream in lock(&self.open).values() {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }

    /// The fault for the request just read; counts down (and clears) `ErrorFirst`, clears
    /// `Once`.
    fn take_fault(&self) -> Option<Fault> {
        let mut slot = lock(&self.fault);
        if let Some(Fault::Once(_)) = slot.as_ref() {
            return match slot.take() {
                Some(Fault::Once(inner)) => Some(*inner),
                other => other,
            };
        }
        if let Some(Fault::ErrorFirst { count, .. }) = slot.as_mut() {
            if *count == 0 {
                *slot = None;
                return None;
            }
            *count -= 1;
            let current = slot.clone();
            if let Some(Fault::ErrorFirst { count: 0, .. }) = *slot {
                *slot = None;
            }
            return current;
        }
        slot.clone()
    }

    /// Runs a request through the API and wraps the result in the envelope.
    fn api_answer(&self, req: &Request, content_type: &str) -> Answer {
        if req.path() != "/" {
            return Answer {
                status: 404,
                content_type: "text/plain; charset=utf-8".into(),
                body: b"404 page not found: the API is served at /".to_vec(),
                error_code: None,
                request_id: None,
            };
        }
        let lang = Lang::from_header(req.header("x-tc-language"));
        let request_id = self.rng.uuid_v4();
        let (body, error_code) = match self.service.handle(req) {
            Ok(fields) => (envelope::success(fields, &request_id), None),
            Err(e) => (envelope::error(&e, lang, &request_id), Some(e.code)),
        };
        Answer {
            status: 200,
            content_type: content_type.into(),
            body,
            error_code,
            request_id: Some(request_id),
        }
    }

    fn answer(&self, req: &Request) -> (Answer, Delivery) {
        let fault = self.take_fault();
        let raw = |status, content_type: &str, body: &[u8]| Answer {
            status,
            content_type: content_type.into(),
            body: body.to_vec(),
            error_code: None,
            request_id: None,
        };
        match fault {
            // `take_fault` unwrapped one `Once`; a `Once` inside it is served normally.
            None | Some(Fault::Once(_)) => (self.api_answer(req, JSON), Delivery::Normal),
            Some(Fault::HttpStatus(status, page)) => (
                raw(status, "text/html; charset=utf-8", page.as_bytes()),
                Delivery::Normal,
            ),
            Some(Fault::Body {
                status,
                content_type,
                body,
            }) => (raw(status, &content_type, &body), Delivery::Normal),
            Some(Fault::ErrorFirst { code, .. }) => {
                let lang = Lang::from_header(req.header("x-tc-language"));
                let request_id = self.rng.uuid_v4();
                let err = envelope::ApiError::with(&code, "injected fault");
                let answer = Answer {
                    status: 200,
                    content_type: JSON.into(),
                    body: envelope::error(&err, lang, &request_id),
                    error_code: Some(code),
                    request_id: Some(request_id),
                };
                (answer, Delivery::Normal)
            }
            Some(Fault::ContentTypeWithCharset) => {
                (self.api_answer(req, JSON_UTF8), Delivery::Normal)
            }
            Some(Fault::ResetBeforeResponse) => (self.api_answer(req, JSON), Delivery::ResetBefore),
            Some(Fault::ResetMidBody) => (self.api_answer(req, JSON), Delivery::ResetMid),
            Some(Fault::NeverAnswer) => (self.api_answer(req, JSON), Delivery::Hang),
            Some(Fault::DripBody { interval }) => {
                (self.api_answer(req, JSON), Delivery::Drip(interval))
            }
        }
    }
}

/// Accepts connections until `stop` is set, a thread per connection.
pub(crate) fn accept_loop(listener: TcpListener, shared: std::sync::Arc<Shared>) {
    for stream in listener.incoming() {
        if shared.stop.load(Ordering::SeqCst) {
            break;
        }
        let Ok(stream) = stream else { continue };
        let id = shared.connections.fetch_add(1, Ordering::SeqCst) + 1;
        let _ = stream.set_nodelay(true);
        if let Ok(clone) = stream.try_clone() {
            lock(&shared.open).insert(id, clone);
        }
        let shared = shared.clone();
        let spawned = thread::Builder::new()
            .name(format!("tc-redis-fake-conn-{id}"))
            .spawn(move || {
                let end = serve(&stream, &shared, id);
                lock(&shared.open).remove(&id);
                if let End::Reset = end {
                    reset(&stream);
                }
            });
        if spawned.is_err() {
            // Out of threads: the stream was moved into the failed closure and is closed.
            continue;
        }
    }
}

/// Serves requests on one connection until it closes.
fn serve(stream: &TcpStream, shared: &Shared, connection: u64) -> End {
    let Ok(read_half) = stream.try_clone() else {
        return End::Close;
    };
    let mut reader = BufReader::new(read_half);
    let mut writer = stream;
    loop {
        if shared.stop.load(Ordering::SeqCst) {
            return End::Close;
        }
        let req = match http::read_request(&mut reader, &mut writer) {
            Ok(req) => req,
            Err(ReadError::Closed | ReadError::Io) => return End::Close,
            Err(ReadError::Reject(status, why)) => {
                shared.malformed.fetch_add(1, Ordering::SeqCst);
                let date = http::imf_fixdate(shared.service.now());
                let body = format!("{status} {why}\n");
                let mut out = http::response_head(
                    status,
                    &date,
                    "text/plain; charset=utf-8",
                    body.len(),
                    true,
                );
                out.extend_from_slice(body.as_bytes());
                let _ = writer.write_all(&out);
                linger(stream, &mut reader);
                return End::Close;
            }
        };
        shared.requests.fetch_add(1, Ordering::SeqCst);
        let (answer, delivery) = shared.answer(&req);
        let close =
            !req.keep_alive() || matches!(delivery, Delivery::ResetBefore | Delivery::ResetMid);
        let head = http::response_head(
            answer.status,
            &http::imf_fixdate(shared.service.now()),
            &answer.content_type,
            answer.body.len(),
            close,
        );
        lock(&shared.log).push(RecordedRequest {
            method: req.method,
            target: req.target,
            headers: req.headers,
            body: req.body,
            status: answer.status,
            error_code: answer.error_code,
            request_id: answer.request_id,
            connection,
        });
        let sent = match delivery {
            Delivery::Normal => {
                let mut out = head;
                out.extend_from_slice(&answer.body);
                writer.write_all(&out)
            }
            Delivery::ResetBefore => return End::Reset,
            Delivery::ResetMid => {
                let mut out = head;
                out.extend_from_slice(&answer.body[..answer.body.len() / 2]);
                let _ = writer.write_all(&out).and_then(|()| writer.flush());
                return End::Reset;
            }
            Delivery::Hang => {
                // Swallow whatever the client sends until it gives up or the server stops.
                let mut sink = [0u8; 1024];
                while !shared.stop.load(Ordering::SeqCst) {
                    match reader.read(&mut sink) {
                        Ok(0) | Err(_) => break,
                        Ok(_) => {}
                    }
                }
                return End::Close;
            }
            Delivery::Drip(interval) => drip(writer, &head, &answer.body, interval, shared),
        };
        if sent.is_err() || close {
            return End::Close;
        }
    }
}

/// A lingering close after a rejected request: stop sending, then read and discard what the
/// client is still sending (briefly), so that closing does not reset the connection and destroy
/// the error response before the client reads it.
fn linger(stream: &TcpStream, reader: &mut impl Read) {
    let _ = stream.shutdown(Shutdown::Write);
    let _ = stream.set_read_timeout(Some(std::time::Duration::from_millis(200)));
    let mut sink = [0u8; 8192];
    let mut drained = 0;
    while drained < 1024 * 1024 {
        match reader.read(&mut sink) {
            Ok(0) | Err(_) => break,
            Ok(n) => drained += n,
        }
    }
}

fn drip(
    mut writer: &TcpStream,
    head: &[u8],
    body: &[u8],
    interval: std::time::Duration,
    shared: &Shared,
) -> std::io::Result<()> {
    writer.write_all(head)?;
    for byte in body {
        thread::sleep(interval);
        if shared.stop.load(Ordering::SeqCst) {
            return Err(std::io::ErrorKind::Interrupted.into());
        }
        writer.write_all(std::slice::from_ref(byte))?;
    }
    Ok(())
}

/// Closes the connection with a TCP RST: `SO_LINGER` with a zero timeout, then close.
fn reset(stream: &TcpStream) {
    #[cfg(unix)]
    {
        use std::os::fd::AsRawFd;
        let linger = libc::linger {
            l_onoff: 1,
            l_linger: 0,
        };
        // SAFETY: a valid open socket descriptor and a correctly sized `linger` value.
        unsafe {
            libc::setsockopt(
                stream.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_LINGER,
                std::ptr::addr_of!(linger).cast(),
                std::mem::size_of::<libc::linger>() as libc::socklen_t,
            );
        }
    }
    #[cfg(not(unix))]
    let _ = stream;
}
