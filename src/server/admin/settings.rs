//! `badge config`: the effective settings, one `NAME=value` line per variable the server reads,
//! with every secret left out (a secret's presence and size show, never its bytes).

use std::time::Duration;

use url::Url;

use crate::server::{
    config::{Config, JwtAlgorithm},
    db,
};

/// The lines of `badge config`. `env` reads the process environment (after `.env`): it tells
/// where the secret came from and gives the variables read before the configuration (logging).
pub fn config_lines(config: &Config, env: impl Fn(&str) -> Option<String>) -> String {
    let env = |name: &str| env(name).filter(|v| !v.trim().is_empty());
    let or = |value: Option<String>, default: &str| value.unwrap_or_else(|| default.to_owned());
    let duration = |d: Duration| humantime::format_duration(d).to_string();
    let secret_source = if env("AUTH_SECRET").is_some() {
        "set"
    } else if env("BETTER_AUTH_SECRET").is_some() {
        "from BETTER_AUTH_SECRET"
    } else {
        "not set: generated and stored in the data folder"
    };
    let secret = config.auth_secret.expose().len();
    let previous = config.auth_secret_previous.len();
    let algorithm = match config.jwt_algorithm {
        JwtAlgorithm::Hs256 => "HS256",
        JwtAlgorithm::EdDsa => "EdDSA",
    };
    let trusted = Some(config.trusted_origins.join(",")).filter(|list| !list.is_empty());
    let (mail, ops) = (&config.mail, &config.operations);
    let lines = [
        (
            "DATABASE_URL",
            without_secrets(&db::redacted(&config.database_url)),
        ),
        (
            "DATABASE_MAX_CONNECTIONS",
            or(
                config.database_max_connections.map(|n| n.to_string()),
                "(the engine's default)",
            ),
        ),
        ("AUTH_SECRET", format!("({secret_source}, {secret} bytes)")),
        (
            "AUTH_SECRET_PREVIOUS",
            match previous {
                0 => "(none)".to_owned(),
                n => format!("({n} older secret(s) still accepted)"),
            },
        ),
        (
            "SITE_URL",
            or(
                config.site_url.as_ref().map(Url::to_string),
                "(from the bound address)",
            ),
        ),
        ("LEPTOS_SITE_ADDR", config.site_addr.to_string()),
        ("LEPTOS_SITE_ROOT", config.site_root.display().to_string()),
        ("JWT_ALGORITHM", algorithm.to_owned()),
        (
            "JWT_KEY_ROTATION",
            or(config.jwt_key_rotation.map(duration), "off"),
        ),
        ("JWT_TTL", duration(config.jwt_ttl)),
        ("OAUTH_CODE_TTL", duration(config.oauth_code_ttl)),
        ("OAUTH_REFRESH_TTL", duration(config.oauth_refresh_ttl)),
        ("SESSION_TTL", duration(config.session_ttl)),
        ("SESSION_MAX_AGE", duration(config.session_max_age)),
        (
            "JWT_ISSUER",
            or(config.jwt_issuer.clone(), "(the site's origin)"),
        ),
        ("JWT_AUDIENCE", or(config.jwt_audience.clone(), "(none)")),
        ("TRUSTED_ORIGINS", or(trusted, "(none)")),
        (
            "VAULT_URL",
            or(config.vault_url.clone(), "(the built-in vault)"),
        ),
        ("TRUST_PROXY", config.trust_proxy.to_string()),
        ("AUTH_RATE_LIMIT", config.rate_limit.to_string()),
        (
            "REDIS_URL",
            or(
                config
                    .redis_url
                    .as_ref()
                    .map(|url| without_secrets(secrecy::ExposeSecret::expose_secret(url))),
                "(none)",
            ),
        ),
        ("RATE_LIMIT_STORE", config.limit_store.name().to_owned()),
        (
            "SMTP_URL",
            or(
                mail.smtp_url().map(without_secrets),
                "(none: mails are written to MAIL_OUTBOX_DIR)",
            ),
        ),
        (
            "MAIL_FROM",
            or(
                mail.from.as_ref().map(ToString::to_string),
                "(Badge <no-reply@the site's host>)",
            ),
        ),
        ("MAIL_OUTBOX_DIR", mail.outbox_dir.display().to_string()),
        ("RESET_TTL", duration(mail.reset_ttl)),
        (
            "REQUIRE_EMAIL_VERIFICATION",
            mail.require_verification.to_string(),
        ),
        ("REQUEST_TIMEOUT", duration(ops.request_timeout)),
        ("SHUTDOWN_TIMEOUT", duration(ops.shutdown_timeout)),
        (
            "MAX_CONNECTIONS",
            or(
                ops.max_connections.map(|n| n.to_string()),
                "(from the open-files limit)",
            ),
        ),
        (
            "METRICS_ADDR",
            or(
                ops.metrics_addr.map(|a| a.to_string()),
                "(none: no metrics)",
            ),
        ),
        ("LOG_FORMAT", or(env("LOG_FORMAT"), "text")),
        ("RUST_LOG", or(env("RUST_LOG"), "info")),
    ];
    lines
        .into_iter()
        .map(|(name, value)| format!("{name}={value}\n"))
        .collect()
}

/// The URL with its password and any `…password…` query value replaced by `***`, or a
/// placeholder when that cannot be done.
fn without_secrets(url: &str) -> String {
    let Ok(mut url) = Url::parse(url) else {
        return "(set; not shown: not a URL)".to_owned();
    };
    if url.password().is_some() && url.set_password(Some("***")).is_err() {
        return "(set; not shown: it holds a password)".to_owned();
    }
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(key, value)| {
            let secret = key.to_ascii_lowercase().contains("password");
            let value = if secret {
                "***".into()
            } else {
                value.into_owned()
            };
            (key.into_owned(), value)
        })
        .collect();
    if !pairs.is_empty() {
        url.query_pairs_mut().clear().extend_pairs(pairs);
    }
    url.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_lose_their_passwords_in_the_userinfo_and_the_query() {
        let shown = without_secrets(&db::redacted(
            "postgres://app:hunter2@db.internal/badge?password=swordfish&sslmode=require",
        ));
        assert!(
            !shown.contains("hunter2") && !shown.contains("swordfish"),
            "{shown}"
        );
        assert!(
            shown.contains("db.internal") && shown.contains("sslmode=require"),
            "{shown}"
        );
        let smtp = without_secrets("smtp://mailer:s3cret@smtp.example.com:587?tls=required");
        assert_eq!(smtp, "smtp://mailer:***@smtp.example.com:587?tls=required");
    }

    #[test]
    fn sqlite_urls_show_as_given() {
        for url in [
            "sqlite://data/badge.db",
            "sqlite::memory:",
            "sqlite:///var/lib/badge.db",
        ] {
            assert_eq!(without_secrets(url), url);
        }
    }
}
