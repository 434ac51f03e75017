//! Scaffolding shared by the integration tests: a client builder set up for the fake, and a
//! manual clock that records the client's sleeps instead of waiting.
//!
//! ```
//! use std::time::Duration;
//! use tc_redis_fake::support::{ManualClock, client_builder};
//! use tc_redis_fake::{FakeConfig, FakeServer};
//!
//! let server = FakeServer::start(FakeConfig::new())?;
//! let clock = ManualClock::new(Duration::from_secs(1_700_000_000));
//! let _client = client_builder(&server).clock(clock.clone()).build().unwrap();
//! assert!(clock.sleeps().is_empty());
//! # Ok::<(), std::io::Error>(())
//! ```

use crate::{DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, FakeServer};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tc_redis::clock::Clock;
use tc_redis::{Client, ClientBuilder, Credentials};

/// The fake's default credentials ([`DEFAULT_SECRET_ID`], [`DEFAULT_SECRET_KEY`]).
pub fn credentials() -> Credentials {
    Credentials::new(DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY).unwrap()
}

/// A builder for `endpoint` that works against a fake with the default configuration: region
/// `ap-guangzhou`, plain HTTP allowed, the fake's default [`credentials`].
pub fn endpoint_builder(endpoint: impl Into<String>) -> ClientBuilder {
    Client::builder()
        .region("ap-guangzhou")
        .endpoint(endpoint)
        .allow_plain_http(true)
        .credentials(credentials())
}

/// [`endpoint_builder`] for `server`'s endpoint.
pub fn client_builder(server: &FakeServer) -> ClientBuilder {
    endpoint_builder(server.endpoint())
}

/// The system time, since the Unix epoch.
pub fn system_now() -> Duration {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap()
}

/// A [`Clock`] that never waits: it records every sleep and (unless frozen) moves its time
/// forward by the sleep, and only then. Clones share the time and the record.
#[derive(Debug, Clone)]
pub struct ManualClock {
    state: Arc<Mutex<State>>,
    frozen: bool,
}

#[derive(Debug)]
struct State {
    now: Duration,
    sleeps: Vec<Duration>,
}

impl ManualClock {
    fn with(start: Duration, frozen: bool) -> Self {
        let state = State {
            now: start,
            sleeps: Vec::new(),
        };
        ManualClock {
            state: Arc::new(Mutex::new(state)),
            frozen,
        }
    }

    /// A clock at `start` (since the Unix epoch) that moves only when slept on.
    pub fn new(start: Duration) -> Self {
        ManualClock::with(start, false)
    }

    /// A clock at the system time (to the nanosecond) that moves only when slept on.
    pub fn system() -> Self {
        ManualClock::new(system_now())
    }

    /// A clock at the system time in whole seconds, shifted by `offset_secs`, that moves only
    /// when slept on.
    pub fn system_offset(offset_secs: i64) -> Self {
        let secs = system_now().as_secs() as i64 + offset_secs;
        ManualClock::new(Duration::from_secs(secs as u64))
    }

    /// A clock stuck at `start`: sleeping records the sleep but never moves the time, so a rate
    /// limiter sees every request as coming at once.
    pub fn frozen(start: Duration) -> Self {
        ManualClock::with(start, true)
    }

    /// The current time, since the Unix epoch.
    pub fn now(&self) -> Duration {
        self.state.lock().unwrap().now
    }

    /// Every sleep so far, in order.
    pub fn sleeps(&self) -> Vec<Duration> {
        self.state.lock().unwrap().sleeps.clone()
    }

    /// Moves the time forward by `d` without recording a sleep (even when frozen).
    pub fn advance(&self, d: Duration) {
        self.state.lock().unwrap().now += d;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Duration {
        ManualClock::now(self)
    }

    fn sleep(&self, d: Duration) {
        let mut state = self.state.lock().unwrap();
        state.sleeps.push(d);
        if !self.frozen {
            state.now += d;
        }
    }
}
