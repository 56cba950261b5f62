//! Logging: `tracing` to stderr, filtered by `RUST_LOG` (default `info`). A filter that cannot
//! be parsed stops start-up like any other bad setting, instead of being silently replaced.

use std::io::IsTerminal;

use tracing_subscriber::{fmt, EnvFilter};

use crate::server::config::ConfigError;

const DEFAULT_FILTER: &str = "info";

/// Starts logging with `RUST_LOG` from the environment (read `.env` first).
pub fn init_from_env() -> Result<(), ConfigError> {
    init(std::env::var("RUST_LOG").ok().as_deref())
}

/// Installs the global subscriber with `filter` (`None` or blank: `info`); later calls are
/// no-ops (tests start many apps in one process).
pub fn init(filter: Option<&str>) -> Result<(), ConfigError> {
    let filter = filter.map(str::trim).filter(|f| !f.is_empty());
    let filter = EnvFilter::try_new(filter.unwrap_or(DEFAULT_FILTER)).map_err(|e| {
        ConfigError::new(
            "RUST_LOG",
            format!("is not a log filter like info or badge=debug,warn ({e})"),
        )
    })?;
    let _ = fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colours for a person at a terminal, plain text for files and log shippers.
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
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
