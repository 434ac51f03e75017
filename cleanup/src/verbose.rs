//! `-v` / `-vv`: the library's events (target `tc_redis`) on stderr.
//!
//! Only the `tc_redis` target is let through, and never below `debug`: ureq's and
//! `ureq_proto`'s own events are not the library's, and at `trace` `ureq_proto` prints raw
//! request heads with the `Authorization` and `X-TC-Token` headers. The library's events carry
//! no secret (see `tc_redis::events`).

use log::{Level, LevelFilter, Log, Metadata, Record};
use std::io::Write;

/// Prints the events of target `tc_redis` (and its modules) at `level` and above.
struct StderrLogger {
    level: Level,
}

impl StderrLogger {
    fn wanted(&self, metadata: &Metadata<'_>) -> bool {
        let target = metadata.target();
        let ours = target == tc_redis::events::TARGET
            || target
                .strip_prefix(tc_redis::events::TARGET)
                .is_some_and(|rest| rest.starts_with("::"));
        ours && metadata.level() <= self.level
    }
}

impl Log for StderrLogger {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        self.wanted(metadata)
    }

    fn log(&self, record: &Record<'_>) {
        if !self.wanted(record.metadata()) {
            return;
        }
        // The library escapes the server's text in its events; escaped here again, the one
        // rule of every line this tool prints (idempotent: nothing is escaped twice).
        let line = format!(
            "tc-redis-cleanup: {} {}\n",
            record.level().as_str().to_ascii_lowercase(),
            crate::output::escape_lines(&record.args().to_string())
        );
        // One write per event, so that lines do not interleave; stderr failing is not a reason
        // to stop the run (the summary reports a lost stdout).
        let _ = std::io::stderr().lock().write_all(line.as_bytes());
    }

    fn flush(&self) {
        let _ = std::io::stderr().flush();
    }
}

/// The level of `-v` counted `count` times: none, `info`, then `debug` (never `trace`).
fn level(count: u8) -> Option<Level> {
    match count {
        0 => None,
        1 => Some(Level::Info),
        _ => Some(Level::Debug),
    }
}

/// Installs the logger for `-v` given `count` times; nothing for 0.
pub(crate) fn install(count: u8) {
    let Some(level) = level(count) else {
        return;
    };
    // Lives for the whole process, as `log` requires; installed once, in `main`. Only fails
    // if a logger is already installed, which this program never does.
    let logger: &'static StderrLogger = Box::leak(Box::new(StderrLogger { level }));
    if log::set_logger(logger).is_ok() {
        log::set_max_level(level.to_level_filter().min(LevelFilter::Debug));
    }
}

#[cfg(test)]
mod tests {
    use super::{StderrLogger, level};
    use log::{Level, Metadata};

    fn wanted(logger: &StderrLogger, target: &str, level: Level) -> bool {
        logger.wanted(&Metadata::builder().target(target).level(level).build())
    }

    #[test]
    fn only_the_library_target_and_never_trace() {
        assert_eq!(level(0), None);
        assert_eq!(level(1), Some(Level::Info));
        assert_eq!(level(9), Some(Level::Debug), "-vvvvvvvvv stays at debug");
        let debug = StderrLogger {
            level: Level::Debug,
        };
        assert!(wanted(&debug, "tc_redis", Level::Debug));
        assert!(wanted(&debug, "tc_redis::client", Level::Warn));
        assert!(!wanted(&debug, "tc_redis", Level::Trace));
        for other in ["ureq_proto", "ureq", "tc_redis_fake", "rustls"] {
            assert!(!wanted(&debug, other, Level::Error), "{other}");
        }
        let info = StderrLogger { level: Level::Info };
        assert!(wanted(&info, "tc_redis", Level::Info));
        assert!(!wanted(&info, "tc_redis", Level::Debug));
    }
}
