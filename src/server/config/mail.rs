//! The mail settings: `SMTP_URL`, `MAIL_FROM`, `RESET_TTL`, `REQUIRE_EMAIL_VERIFICATION`.

use std::time::Duration;

use lettre::message::Mailbox;
use secrecy::{ExposeSecret, SecretString};

use super::parse::{parse_bool, parse_duration, ConfigError};

/// Where mails go when `SMTP_URL` is not set: one `.eml` file per mail (`MAIL_OUTBOX_DIR`).
const OUTBOX_FOLDER: &str = "data/outbox";

#[derive(Clone, Debug)]
pub struct MailConfig {
    /// lettre's URL form (`smtp://host:port`, `smtp://user:pass@host:587?tls=required`,
    /// `smtps://…`); may hold a password, so it is never printed. `None`: files in `outbox_dir`.
    pub smtp_url: Option<SecretString>,
    /// `MAIL_FROM`; `None` until the site is known: then `Badge <no-reply@HOST>`.
    pub from: Option<Mailbox>,
    pub outbox_dir: std::path::PathBuf,
    /// Password-reset link lifetime (`RESET_TTL`).
    pub reset_ttl: Duration,
    /// Refuse sign-in until the email is verified (`REQUIRE_EMAIL_VERIFICATION`).
    pub require_verification: bool,
}

impl MailConfig {
    pub(super) fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let smtp_url = var("SMTP_URL")
            .map(|value| validate_smtp_url(&value).map(|()| SecretString::from(value)))
            .transpose()?;
        let from = var("MAIL_FROM")
            .map(|value| {
                value.parse::<Mailbox>().map_err(|_| {
                    ConfigError::new(
                        "MAIL_FROM",
                        "must be an address like no-reply@example.com or Name <no-reply@example.com>",
                    )
                })
            })
            .transpose()?;
        Ok(Self {
            smtp_url,
            from,
            outbox_dir: var("MAIL_OUTBOX_DIR")
                .unwrap_or_else(|| OUTBOX_FOLDER.into())
                .into(),
            reset_ttl: parse_duration("RESET_TTL", var("RESET_TTL"), Duration::from_secs(30 * 60))?,
            require_verification: parse_bool(
                "REQUIRE_EMAIL_VERIFICATION",
                var("REQUIRE_EMAIL_VERIFICATION"),
            )?
            .unwrap_or(false),
        })
    }

    /// `MAIL_FROM`, else `Badge <no-reply@HOST>` for the site's host.
    pub fn sender(&self, site_host: &str) -> Mailbox {
        self.from.clone().unwrap_or_else(|| {
            let address = format!("no-reply@{site_host}")
                .parse()
                .unwrap_or_else(|_| "no-reply@localhost".parse().expect("a valid address"));
            Mailbox::new(Some("Badge".into()), address)
        })
    }

    /// The SMTP URL, for building the transport only.
    pub fn smtp_url(&self) -> Option<&str> {
        self.smtp_url.as_ref().map(|url| url.expose_secret())
    }
}

/// Checks the scheme and host up front, so a typo stops start-up instead of every mail.
fn validate_smtp_url(value: &str) -> Result<(), ConfigError> {
    let problem = || {
        ConfigError::new(
            "SMTP_URL",
            "must be smtp://host:port, smtp://user:pass@host:587?tls=required or smtps://host",
        )
    };
    let url = url::Url::parse(value).map_err(|_| problem())?;
    if !matches!(url.scheme(), "smtp" | "smtps") || url.host_str().is_none_or(str::is_empty) {
        return Err(problem());
    }
    Ok(())
}
