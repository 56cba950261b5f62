//! Logging: `tracing` to stderr, filtered by `RUST_LOG` (default `info`), as text (colours only
//! on a terminal) or one JSON object per line (`LOG_FORMAT=json`, for log shippers). A bad value
//! stops start-up like any other bad setting, instead of being silently replaced.
//!
//! The server writes through a queue drained by a thread of its own (`tracing-appender`), so a
//! request never waits on the write to stderr. That thread writes what it drained in one go, then
//! rests `BATCH_PAUSE` before draining again: under load one write carries hundreds of lines and
//! a request's line seldom has to wake the thread (either would cost more than the line).
//! It is lossless: when the queue is full, logging waits rather than dropping lines. Dropping
//! the returned `LogFlush` (a clean exit) writes out what is queued; a crash (SIGKILL, abort)
//! loses what was still queued, about the last `BATCH_PAUSE` of lines.

use std::io::{BufWriter, IsTerminal, Stderr, Write};
use std::time::Duration;

use tracing_appender::non_blocking::{NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::{fmt, fmt::MakeWriter, EnvFilter};

use crate::server::config::ConfigError;

pub mod access;
mod clock;

const DEFAULT_FILTER: &str = "info";

/// How long the log thread rests after a write: the longest a line waits in the queue.
const BATCH_PAUSE: Duration = Duration::from_millis(20);

/// Keeps the log's buffer draining; dropped, it writes out what is left (the guard's `Drop`).
#[must_use = "dropping it stops the log writer: keep it until the process ends"]
pub struct LogFlush {
    _writer: WorkerGuard,
}

/// Starts logging with `RUST_LOG` and `LOG_FORMAT` from the environment (read `.env` first),
/// through the buffered writer.
pub fn init_from_env() -> Result<LogFlush, ConfigError> {
    let json = match std::env::var("LOG_FORMAT").ok().as_deref().map(str::trim) {
        None | Some("" | "text") => false,
        Some("json") => true,
        Some(other) => {
            return Err(ConfigError::new(
                "LOG_FORMAT",
                format!("must be text or json, got {other:?}"),
            ))
        }
    };
    let filter = parse_filter(std::env::var("RUST_LOG").ok().as_deref())?;
    let (writer, guard) = NonBlockingBuilder::default()
        .lossy(false)
        .thread_name("badge-log")
        .finish(Batches::default());
    let shape = if json {
        access::Shape::Json
    } else {
        access::Shape::Text {
            ansi: std::io::stderr().is_terminal(),
        }
    };
    access::install(writer.clone(), shape);
    install(filter, json, writer);
    Ok(LogFlush { _writer: guard })
}

/// The log thread's output: what it drained goes out in one write (`flush`, called once the
/// queue is empty), then the thread rests so that the next batch can gather.
struct Batches {
    out: BufWriter<Stderr>,
}

impl Default for Batches {
    fn default() -> Self {
        Self {
            out: BufWriter::with_capacity(64 * 1024, std::io::stderr()),
        }
    }
}

impl Write for Batches {
    fn write(&mut self, line: &[u8]) -> std::io::Result<usize> {
        self.out.write(line)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()?;
        std::thread::sleep(BATCH_PAUSE);
        Ok(())
    }
}

/// Installs the global text subscriber with `filter` (`None` or blank: `info`), writing straight
/// to stderr; later calls are no-ops (tests start many apps in one process).
pub fn init(filter: Option<&str>) -> Result<(), ConfigError> {
    install(parse_filter(filter)?, false, std::io::stderr);
    Ok(())
}

fn parse_filter(filter: Option<&str>) -> Result<EnvFilter, ConfigError> {
    let filter = filter.map(str::trim).filter(|f| !f.is_empty());
    EnvFilter::try_new(filter.unwrap_or(DEFAULT_FILTER)).map_err(|e| {
        ConfigError::new(
            "RUST_LOG",
            format!("is not a log filter like info or badge=debug,warn ({e})"),
        )
    })
}

fn install<W>(filter: EnvFilter, json: bool, writer: W)
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let logs = fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_timer(clock::UtcClock);
    let _ = if json {
        logs.json().flatten_event(true).try_init()
    } else {
        // Colours for a person at a terminal, plain text for files and pipes.
        logs.with_ansi(std::io::stderr().is_terminal()).try_init()
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_filter_that_cannot_be_parsed_names_rust_log() {
        let err = init(Some("badge=loud")).unwrap_err();
        assert_eq!(err.var, "RUST_LOG");
    }
}
