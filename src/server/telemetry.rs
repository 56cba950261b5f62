//! Logging: `tracing` to stderr, filtered by `RUST_LOG` (default `info`), as text (colours only
//! on a terminal) or one JSON object per line (`LOG_FORMAT=json`, for log shippers). A bad value
//! stops start-up like any other bad setting, instead of being silently replaced.

use std::io::IsTerminal;

use tracing_subscriber::{fmt, EnvFilter};

use crate::server::config::ConfigError;

const DEFAULT_FILTER: &str = "info";

/// Starts logging with `RUST_LOG` and `LOG_FORMAT` from the environment (read `.env` first).
pub fn init_from_env() -> Result<(), ConfigError> {
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
    install(std::env::var("RUST_LOG").ok().as_deref(), json)
}

/// Installs the global text subscriber with `filter` (`None` or blank: `info`); later calls
/// are no-ops (tests start many apps in one process).
pub fn init(filter: Option<&str>) -> Result<(), ConfigError> {
    install(filter, false)
}

fn install(filter: Option<&str>, json: bool) -> Result<(), ConfigError> {
    let filter = filter.map(str::trim).filter(|f| !f.is_empty());
    let filter = EnvFilter::try_new(filter.unwrap_or(DEFAULT_FILTER)).map_err(|e| {
        ConfigError::new(
            "RUST_LOG",
            format!("is not a log filter like info or badge=debug,warn ({e})"),
        )
    })?;
    let logs = fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = if json {
        logs.json().flatten_event(true).try_init()
    } else {
        // Colours for a person at a terminal, plain text for files and pipes.
        logs.with_ansi(std::io::stderr().is_terminal()).try_init()
    };
    Ok(())
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
