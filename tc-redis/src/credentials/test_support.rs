//! Test helpers shared by the providers' unit tests: the test secrets and a check that none
//! leaked, an injected environment, a temporary directory and a fake metadata server.

use super::EnvProvider;
use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

pub(super) const ID: &str = "AKIDtestSecretId0001";
pub(super) const KEY: &str = "DistinctiveSecretKeyZq9";
pub(super) const TOKEN: &str = "DistinctiveTokenXy7";

pub(super) fn assert_no_secret(text: &str) {
    assert!(!text.contains(KEY), "secret key leaked: {text}");
    assert!(!text.contains(TOKEN), "token leaked: {text}");
    assert!(!text.contains("TmpKeyQw8"), "temporary key leaked: {text}");
    assert!(
        !text.contains("TmpTokenPo5"),
        "temporary token leaked: {text}"
    );
}

pub(super) fn env(vars: &[(&str, &str)]) -> EnvProvider {
    let map: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    EnvProvider::with_lookup(move |name| map.get(name).cloned())
}

pub(super) struct TempDir(pub(super) PathBuf);

impl TempDir {
    pub(super) fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!(
            "tc-redis-credentials-{}-{name}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub(super) const ROLE_PATH: &str = "/latest/meta-data/cam/security-credentials/";

pub(super) struct Fake {
    pub(super) base: String,
    hits: Arc<Mutex<Vec<String>>>,
}

impl Fake {
    pub(super) fn hits(&self) -> Vec<String> {
        self.hits.lock().unwrap().clone()
    }
}

/// A metadata server on 127.0.0.1 answering `route(path) -> (status, body)`.
pub(super) fn fake(route: impl Fn(&str) -> (u16, String) + Send + 'static) -> Fake {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let hits = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&hits);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request = Vec::new();
            let mut chunk = [0u8; 1024];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut chunk) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&chunk[..n]),
                }
            }
            let request = String::from_utf8_lossy(&request);
            let path = request.split_whitespace().nth(1).unwrap_or("").to_owned();
            seen.lock().unwrap().push(path.clone());
            let (status, body) = route(&path);
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    Fake {
        base: format!("http://{addr}{ROLE_PATH}"),
        hits,
    }
}

pub(super) fn closed_port_base() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}{ROLE_PATH}")
}
