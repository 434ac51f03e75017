//! Running `tc-redis-cleanup` as an operator would: a clean credential environment, captured
//! output, standard input from a string, a full disk, or a pseudo-terminal.

use std::fmt;
use std::io::{Read, Write};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tc_redis_fake::{DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, FakeServer};
use tc_redis_test_support::TempDir;

pub const BIN: &str = env!("CARGO_BIN_EXE_tc-redis-cleanup");

/// What a run left: exit status, stdout, stderr.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl fmt::Debug for Run {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "exit {}\n--- stdout ---\n{}--- stderr ---\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// The fake's credentials, as environment variables.
pub fn creds() -> [(&'static str, &'static str); 2] {
    [
        ("TENCENTCLOUD_SECRET_ID", DEFAULT_SECRET_ID),
        ("TENCENTCLOUD_SECRET_KEY", DEFAULT_SECRET_KEY),
    ]
}

/// A command for the program with a clean credential environment (an empty HOME: no profile
/// file; no keys, no region, no TKE pod, no proxy, no CA bundle) plus `env`, and that HOME, to
/// keep until the program has ended.
pub fn command<S: AsRef<std::ffi::OsStr>>(args: &[S], env: &[(&str, &str)]) -> (Command, TempDir) {
    let home = TempDir::new("cli-home");
    let mut cmd = Command::new(BIN);
    cmd.args(args).env("HOME", home.path());
    for var in [
        "TENCENTCLOUD_SECRET_ID",
        "TENCENTCLOUD_SECRET_KEY",
        "TENCENTCLOUD_SESSION_TOKEN",
        "TENCENTCLOUD_TOKEN",
        "TENCENTCLOUD_REGION",
        "TENCENTCLOUD_CREDENTIALS_FILE",
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
        "http_proxy",
        "NO_PROXY",
        "no_proxy",
        "TKE_REGION",
        "TKE_PROVIDER_ID",
        "TKE_WEB_IDENTITY_TOKEN_FILE",
        "TKE_ROLE_ARN",
        "TCCLI_PROFILE",
        "SSL_CERT_FILE",
    ] {
        cmd.env_remove(var);
    }
    for (var, _) in std::env::vars_os() {
        if var
            .to_string_lossy()
            .starts_with("TENCENTCLOUD_ENDPOINT_URL_")
        {
            cmd.env_remove(var);
        }
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    (cmd, home)
}

fn finish(child: Child) -> Run {
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(!stderr.contains("panicked"), "{stderr}");
    Run {
        code: out.status.code().expect("ended by a signal"),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr,
    }
}

/// Runs with standard input closed (not a terminal).
pub fn run<S: AsRef<std::ffi::OsStr>>(args: &[S], env: &[(&str, &str)]) -> Run {
    run_with_stdin(args, env, "")
}

/// Runs with `stdin` on a pipe.
pub fn run_with_stdin<S: AsRef<std::ffi::OsStr>>(
    args: &[S],
    env: &[(&str, &str)],
    stdin: &str,
) -> Run {
    let (mut command, _home) = command(args, env);
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stdin.take().unwrap();
    // The program may exit before reading (bad usage): a broken pipe is fine then.
    let _ = pipe.write_all(stdin.as_bytes());
    drop(pipe);
    finish(child)
}

/// Runs with standard output on `/dev/full` (every write fails with ENOSPC).
pub fn run_to_dev_full(args: &[&str]) -> Run {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let (mut command, _home) = command(args, &[]);
    let child = command
        .stdin(Stdio::null())
        .stdout(full)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    finish(child)
}

/// The JSON Lines of `stdout`, each parsed.
pub fn json_lines(stdout: &str) -> Vec<serde_json::Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l:?}")))
        .collect()
}

/// How many requests for `action` the fake received.
pub fn actions(server: &FakeServer, action: &str) -> usize {
    server
        .requests()
        .iter()
        .filter(|r| r.header("X-TC-Action") == Some(action))
        .count()
}

/// Waits (up to 20 s) until `done` holds.
pub fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// A pseudo-terminal: the program's stdin and stderr are its terminal side; the test reads
/// what the program draws there and types into it.
pub struct Pty {
    master: std::fs::File,
    pub screen: Arc<Mutex<Vec<u8>>>,
    child: Child,
    home: TempDir,
}

impl Pty {
    /// Starts the program with stdin and stderr on a new pseudo-terminal, stdout on a pipe.
    pub fn spawn(args: &[&str], env: &[(&str, &str)]) -> Pty {
        use std::os::fd::FromRawFd;
        // SAFETY: plain libc calls on a descriptor this function owns; ptsname_r writes into a
        // buffer of the length passed.
        let (master, slave_path) = unsafe {
            let fd = libc::posix_openpt(libc::O_RDWR | libc::O_NOCTTY);
            assert!(fd >= 0, "posix_openpt: {}", std::io::Error::last_os_error());
            assert_eq!(libc::grantpt(fd), 0, "grantpt");
            assert_eq!(libc::unlockpt(fd), 0, "unlockpt");
            let mut name = [0 as libc::c_char; 128];
            assert_eq!(
                libc::ptsname_r(fd, name.as_mut_ptr(), name.len()),
                0,
                "ptsname_r"
            );
            let path = std::ffi::CStr::from_ptr(name.as_ptr())
                .to_string_lossy()
                .into_owned();
            (std::fs::File::from_raw_fd(fd), path)
        };
        let slave = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&slave_path)
            .unwrap();
        let (mut command, home) = command(args, env);
        let child = command
            .stdin(slave.try_clone().unwrap())
            .stderr(slave)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let screen = Arc::new(Mutex::new(Vec::new()));
        let mut reader = master.try_clone().unwrap();
        let sink = screen.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            // Ends with EIO once the program (the last holder of the terminal side) exits.
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        Pty {
            master,
            screen,
            child,
            home,
        }
    }

    /// What the program has drawn on the terminal so far.
    pub fn screen(&self) -> String {
        String::from_utf8_lossy(&self.screen.lock().unwrap()).into_owned()
    }

    /// Waits until the terminal shows `text`.
    pub fn expect(&self, text: &str) {
        wait_until(&format!("{text:?} on the terminal"), || {
            self.screen().contains(text)
        });
    }

    /// Sends SIGINT to the program, as Ctrl-C on its terminal would.
    pub fn interrupt(&self) {
        let pid = libc::pid_t::try_from(self.child.id()).unwrap();
        // SAFETY: a signal to the child this Pty started and has not yet waited for.
        assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
    }

    /// Types a line.
    pub fn type_line(&mut self, line: &str) {
        self.master
            .write_all(format!("{line}\n").as_bytes())
            .unwrap();
    }

    /// Waits for the program to end; the terminal's output is in [`Run::stderr`].
    pub fn finish(self) -> Run {
        let Pty {
            master,
            screen,
            child,
            home,
        } = self;
        let out = child.wait_with_output().unwrap();
        drop(home);
        // Give the reader a moment to drain what the program wrote last.
        std::thread::sleep(Duration::from_millis(100));
        drop(master);
        let stderr = String::from_utf8_lossy(&screen.lock().unwrap()).into_owned();
        assert!(!stderr.contains("panicked"), "{stderr}");
        Run {
            code: out.status.code().expect("ended by a signal"),
            stdout: String::from_utf8(out.stdout).unwrap(),
            stderr,
        }
    }
}
