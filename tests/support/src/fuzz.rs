//! What the fuzzers share: the seed and the number of cases from the environment, the
//! generator, panics caught with where they came from, and one report of the failures that says
//! how to replay them. What a fuzzer generates, checks and shrinks stays its own.
//!
//! ```
//! use tc_redis_test_support::{Fuzz, catch};
//!
//! // TC_REDIS_FUZZ_CASES and TC_REDIS_FUZZ_SEED override these defaults.
//! let mut fuzz = Fuzz::from_env("example", 100, 0x1234);
//! let mut rng = fuzz.rng();
//! for case in 0..fuzz.cases() {
//!     let input = rng.below(1000);
//!     match catch(|| input.checked_mul(2).expect("no overflow")) {
//!         Ok(doubled) if doubled % 2 == 0 => {}
//!         Ok(odd) => fuzz.fail(|| format!("case {case}: {input} doubled is {odd}")),
//!         Err(panic) => fuzz.fail(|| format!("case {case}: {input}: {panic}")),
//!     }
//! }
//! fuzz.finish(); // panics, naming the seed, if a case failed
//! ```

use crate::Rng;
use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;
use std::time::{Duration, Instant};

/// The variable that sets the seed: decimal, `0x` hex (`_` allowed), or `random`.
pub const SEED_VAR: &str = "TC_REDIS_FUZZ_SEED";
/// The variable that sets the number of cases (decimal or `0x` hex, `_` allowed).
pub const CASES_VAR: &str = "TC_REDIS_FUZZ_CASES";
/// How many failures a report shows in full (all are counted).
const SHOWN: usize = 5;

/// One fuzzing run: its seed and number of cases, and the failures found so far.
#[derive(Debug)]
pub struct Fuzz {
    name: String,
    seed: u64,
    cases: usize,
    started: Instant,
    failures: usize,
    reports: Vec<String>,
}

impl Fuzz {
    /// A run of `default_cases` cases from `default_seed`, unless [`CASES_VAR`] or [`SEED_VAR`]
    /// say otherwise; prints both, so that the output of any run can be replayed.
    ///
    /// # Panics
    ///
    /// When a variable is set to something that is not a number (or `random` for the seed).
    pub fn from_env(name: &str, default_cases: usize, default_seed: u64) -> Fuzz {
        let seed = match std::env::var(SEED_VAR) {
            Ok(v) if v == "random" => random_seed(),
            _ => env_number(SEED_VAR).unwrap_or(default_seed),
        };
        let cases = env_number(CASES_VAR).map_or(default_cases, |n| n as usize);
        println!("{name}: seed {seed:#x} ({SEED_VAR}), {cases} cases ({CASES_VAR})");
        Fuzz::new(name, cases, seed)
    }

    /// A run of exactly `cases` cases from `seed`, whatever the environment says.
    pub fn new(name: &str, cases: usize, seed: u64) -> Fuzz {
        Fuzz {
            name: name.to_owned(),
            seed,
            cases,
            started: Instant::now(),
            failures: 0,
            reports: Vec::new(),
        }
    }

    /// The seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The number of cases to run.
    pub fn cases(&self) -> usize {
        self.cases
    }

    /// A generator at the start of the seed's sequence.
    pub fn rng(&self) -> Rng {
        Rng::new(self.seed)
    }

    /// The time since the run began.
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// The failures so far.
    pub fn failures(&self) -> usize {
        self.failures
    }

    /// Records a failure. `report` (what failed, on which input, shrunk if the fuzzer can) is
    /// called only for the first few failures, the ones [`Fuzz::finish`] shows, so that an
    /// expensive shrink runs only when it is shown.
    pub fn fail(&mut self, report: impl FnOnce() -> String) {
        self.failures += 1;
        if self.reports.len() < SHOWN {
            self.reports.push(report());
        }
    }

    /// The report of the failures, `None` when there is none.
    pub fn report(&self) -> Option<String> {
        (self.failures > 0).then(|| {
            format!(
                "{}: seed {:#x}: {} failing input(s){}; replay with {SEED_VAR}={:#x} \
                 {CASES_VAR}={}\n{}",
                self.name,
                self.seed,
                self.failures,
                if self.failures > self.reports.len() {
                    format!(" (the first {} below)", self.reports.len())
                } else {
                    String::new()
                },
                self.seed,
                self.cases,
                self.reports.join("\n\n")
            )
        })
    }

    /// Ends the run.
    ///
    /// # Panics
    ///
    /// When a case failed, with [`Fuzz::report`].
    #[track_caller]
    pub fn finish(self) {
        if let Some(report) = self.report() {
            panic!("{report}");
        }
    }
}

/// A seed from the clock and the process id, for `TC_REDIS_FUZZ_SEED=random`.
fn random_seed() -> u64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    now.as_nanos() as u64 ^ u64::from(std::process::id())
}

fn env_number(name: &str) -> Option<u64> {
    let v = std::env::var(name).ok()?;
    Some(parse_number(&v).unwrap_or_else(|| panic!("{name}={v:?} is not a number")))
}

/// Decimal or `0x` hex, `_` allowed between digits.
fn parse_number(v: &str) -> Option<u64> {
    let v = v.trim().replace('_', "");
    match v.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => v.parse().ok(),
    }
}

thread_local! {
    static CATCHING: Cell<bool> = const { Cell::new(false) };
    static LAST_PANIC: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Runs `f`, turning a panic into `Err("panicked at <file:line:col> (called from <where>):
/// <message>")`, without the default hook's output. `called from` names the first frame of the
/// workspace's own code below the panic, outside test files and this crate, when the panic was
/// raised elsewhere (in `std`, `serde_json`, `quote`); panics outside `catch` are reported as
/// usual.
pub fn catch<R>(f: impl FnOnce() -> R) -> Result<R, String> {
    install_panic_hook();
    CATCHING.with(|c| c.set(true));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    CATCHING.with(|c| c.set(false));
    result.map_err(|_| LAST_PANIC.with(|p| p.borrow().clone()))
}

fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !CATCHING.with(Cell::get) {
                return previous(info);
            }
            let message = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "<non-string payload>".to_owned());
            let location = info
                .location()
                .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()))
                .unwrap_or_else(|| "<unknown location>".to_owned());
            let backtrace = std::backtrace::Backtrace::force_capture().to_string();
            let ours = backtrace
                .lines()
                .filter_map(|l| l.trim().strip_prefix("at "))
                .find(|at| is_workspace_code(at))
                .filter(|at| *at != location)
                .map(|at| format!(" (called from {at})"))
                .unwrap_or_default();
            LAST_PANIC.with(|p| {
                *p.borrow_mut() = format!("panicked at {location}{ours}: {message}");
            });
        }));
    });
}

/// Whether a backtrace frame's `file:line:col` is the workspace's own code under test: not the
/// standard library or a dependency, not this crate, not a test target (a file under a
/// package's `tests/` that is not some `src/`).
fn is_workspace_code(at: &str) -> bool {
    let test_target = at
        .rfind("tests/")
        .is_some_and(|i| !at[i..].contains("/src/"));
    !at.contains("/rustc/")
        && !at.contains("/.cargo/")
        && !at.contains("tests/support/src/")
        && !test_target
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_caught_panic_says_where_and_what_and_the_hook_stays_quiet() {
        let caught = catch(|| -> u8 { panic!("boom") }).expect_err("caught");
        assert!(
            caught.starts_with("panicked at ")
                && caught.contains("fuzz.rs")
                && caught.ends_with(": boom"),
            "{caught}"
        );
        assert_eq!(catch(|| 7), Ok(7));
        // A panic in std called from here names the call site as where it came from when that
        // is workspace code; from this crate's own tests it is not, so only the location shows.
        let caught = catch(|| "x".parse::<u8>().unwrap()).expect_err("caught");
        assert!(caught.contains("ParseIntError"), "{caught}");
    }

    #[test]
    fn workspace_code_is_neither_a_dependency_nor_a_test_target_nor_this_crate() {
        for (at, ours) in [
            ("tc-redis/src/response.rs:10:5", true),
            ("codegen/src/emit.rs:1:1", true),
            ("tests/fake/src/api.rs:3:9", true),
            ("/work/x/tc-redis/tests/fuzz_response.rs:9:1", false),
            ("codegen/tests/fuzz/main.rs:9:1", false),
            ("tests/support/src/fuzz.rs:1:1", false),
            ("/rustc/abc/library/core/src/panicking.rs:1:1", false),
            (
                "/root/.cargo/registry/src/serde_json-1.0/src/de.rs:1:1",
                false,
            ),
        ] {
            assert_eq!(is_workspace_code(at), ours, "{at}");
        }
    }

    #[test]
    fn numbers_are_decimal_or_hex_with_underscores() {
        assert_eq!(parse_number("3_000"), Some(3000));
        assert_eq!(parse_number(" 0x5bec_0de6 "), Some(0x5bec_0de6));
        assert_eq!(parse_number("ten"), None);
    }

    #[test]
    fn failures_are_all_counted_the_first_five_reported_with_how_to_replay() {
        let mut fuzz = Fuzz::new("demo", 40, 0xabc);
        assert_eq!((fuzz.seed(), fuzz.cases()), (0xabc, 40));
        assert!(fuzz.report().is_none());
        let mut made = 0;
        for case in 0..7 {
            fuzz.fail(|| {
                made += 1;
                format!("case {case} failed")
            });
        }
        assert_eq!(
            (fuzz.failures(), made),
            (7, 5),
            "reports are made only when shown"
        );
        let report = fuzz.report().expect("a report");
        assert!(
            report.starts_with(
                "demo: seed 0xabc: 7 failing input(s) (the first 5 below); replay with \
                 TC_REDIS_FUZZ_SEED=0xabc TC_REDIS_FUZZ_CASES=40\n"
            ),
            "{report}"
        );
        assert!(
            report.contains("case 4 failed") && !report.contains("case 5"),
            "{report}"
        );
        let panic = std::panic::catch_unwind(|| fuzz.finish()).expect_err("finish panics");
        assert_eq!(panic.downcast_ref::<String>(), Some(&report));
        Fuzz::new("clean", 1, 1).finish();
    }
}
