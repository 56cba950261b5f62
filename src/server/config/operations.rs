//! The operations settings: `REQUEST_TIMEOUT`, `SHUTDOWN_TIMEOUT`, `MAX_CONNECTIONS`,
//! `METRICS_ADDR`. (`LOG_FORMAT` and `RUST_LOG` are read by `telemetry`, before everything else.)

use std::{net::SocketAddr, time::Duration};

use super::parse::{parse_duration, ConfigError};

#[derive(Clone, Debug)]
pub struct OperationsConfig {
    /// A request is cut (408) after this long, its body included.
    pub request_timeout: Duration,
    /// On SIGTERM, how long open connections may take to finish.
    pub shutdown_timeout: Duration,
    /// Open connections beyond this are closed at once; `None`: from the open-files limit.
    pub max_connections: Option<usize>,
    /// A separate listener for `/metrics` (Prometheus); `None`: no metrics.
    pub metrics_addr: Option<SocketAddr>,
}

impl OperationsConfig {
    pub(super) fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        Ok(Self {
            request_timeout: parse_duration(
                "REQUEST_TIMEOUT",
                var("REQUEST_TIMEOUT"),
                Duration::from_secs(30),
            )?,
            shutdown_timeout: parse_duration(
                "SHUTDOWN_TIMEOUT",
                var("SHUTDOWN_TIMEOUT"),
                Duration::from_secs(30),
            )?,
            max_connections: var("MAX_CONNECTIONS")
                .map(|v| match v.parse::<usize>() {
                    Ok(n) if n >= 1 => Ok(n),
                    _ => Err(ConfigError::new(
                        "MAX_CONNECTIONS",
                        format!("must be a positive number, got {v:?}"),
                    )),
                })
                .transpose()?,
            metrics_addr: var("METRICS_ADDR")
                .map(|v| {
                    v.parse::<SocketAddr>().map_err(|_| {
                        ConfigError::new("METRICS_ADDR", "must be an address like 127.0.0.1:9100")
                    })
                })
                .transpose()?,
        })
    }
}
