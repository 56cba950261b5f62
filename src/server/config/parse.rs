//! Parsers for single values: each names its variable in the one-line error.

use std::time::Duration;

use url::Url;

use crate::server::secret::SecretError;

/// A configuration value that cannot be used; `Display` is the one line shown at start-up.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration: {var} {problem}")]
pub struct ConfigError {
    pub var: &'static str,
    pub problem: String,
}

impl ConfigError {
    pub fn new(var: &'static str, problem: impl Into<String>) -> Self {
        Self {
            var,
            problem: problem.into(),
        }
    }
}

pub(super) fn secret_error(var: &'static str) -> impl Fn(SecretError) -> ConfigError {
    move |error| ConfigError::new(var, error.to_string())
}

/// For commands that must not create a database: the SQLite file `url` names must exist.
pub(super) fn require_existing_database(url: &str) -> Result<(), ConfigError> {
    match crate::server::db::sqlite_file(url) {
        Some(file) if !file.exists() => Err(ConfigError::new(
            "DATABASE_URL",
            format!(
                "names no existing database: looked for {} (run this where the server runs, \
                 or set DATABASE_URL; only `badge` serving and `badge migrate` create one)",
                std::path::absolute(&file).unwrap_or(file).display()
            ),
        )),
        _ => Ok(()),
    }
}

pub(super) fn validate_database_url(url: &str) -> Result<(), ConfigError> {
    // The value may hold a password, so the message never repeats it.
    let ok = url.starts_with("sqlite:")
        || url.starts_with("postgres://")
        || url.starts_with("postgresql://");
    if ok {
        Ok(())
    } else {
        Err(ConfigError::new(
            "DATABASE_URL",
            "must start with sqlite: or postgres:// (e.g. sqlite://data/badge.db)",
        ))
    }
}

pub(super) fn parse_origin_url(var: &'static str, value: &str) -> Result<Url, ConfigError> {
    let url = Url::parse(value)
        .map_err(|e| ConfigError::new(var, format!("is not a URL ({e}): {value:?}")))?;
    match url.scheme() {
        "http" | "https" if url.host().is_some() => Ok(url),
        _ => Err(ConfigError::new(
            var,
            format!("must be an http(s) URL with a host: {value:?}"),
        )),
    }
}

pub(super) fn origin_of(url: &Url) -> String {
    url.origin().ascii_serialization()
}

pub(super) fn parse_duration(
    var: &'static str,
    value: Option<String>,
    default: Duration,
) -> Result<Duration, ConfigError> {
    let Some(value) = value else {
        return Ok(default);
    };
    match humantime::parse_duration(&value) {
        Ok(d) if d >= Duration::from_secs(1) => Ok(d),
        Ok(_) => Err(ConfigError::new(var, "must be at least 1s")),
        Err(e) => Err(ConfigError::new(
            var,
            format!("is not a duration like 15m or 7d ({e}): {value:?}"),
        )),
    }
}

pub(super) fn parse_bool(
    var: &'static str,
    value: Option<String>,
) -> Result<Option<bool>, ConfigError> {
    match value.as_deref().map(str::to_ascii_lowercase).as_deref() {
        None => Ok(None),
        Some("false" | "0" | "no" | "off") => Ok(Some(false)),
        Some("true" | "1" | "yes" | "on") => Ok(Some(true)),
        Some(other) => Err(ConfigError::new(
            var,
            format!("must be true or false, got {other:?}"),
        )),
    }
}
