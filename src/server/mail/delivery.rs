//! The delivery worker: claims due mails from the outbox one at a time, opens and sends each,
//! and retries failures with backoff (5 s, 10 s, 20 s, … at most an hour apart) until 24 hours
//! have passed, then gives up with an error log. Every instance runs one; the outbox's claim
//! keeps them from sending a mail twice: a send is cut off at half the lease, so it always ends
//! while the claim still holds. A mail's text and token never reach the log.

use std::{path::Path, sync::Arc, time::Duration};

use anyhow::Context;
use lettre::{
    address::Envelope, AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Tokio1Executor,
};
use tokio::sync::Notify;

use super::{
    outbox::{self, Claimed},
    MailSeal,
};
use crate::server::{clock::unix_now, db::Db};

const SMTP_TIMEOUT: Duration = Duration::from_secs(30);
const FIRST_RETRY: Duration = Duration::from_secs(5);
const LONGEST_WAIT: Duration = Duration::from_secs(3600);
const GIVE_UP_AFTER: Duration = Duration::from_secs(24 * 3600);

/// Where mails go.
pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// One `.eml` file per mail (no `SMTP_URL`: development).
    Files(AsyncFileTransport<Tokio1Executor>, std::path::PathBuf),
}

impl Transport {
    /// SMTP from `smtp_url` (lettre's URL form), else files in `outbox_dir`.
    pub fn new(smtp_url: Option<&str>, outbox_dir: &Path) -> anyhow::Result<Self> {
        match smtp_url {
            Some(url) => Ok(Self::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .context("SMTP_URL: not a usable SMTP URL")?
                    .timeout(Some(SMTP_TIMEOUT))
                    .build(),
            )),
            None => {
                // The files hold live links: only this user may read them, whatever the umask.
                std::os::unix::fs::DirBuilderExt::mode(
                    std::fs::DirBuilder::new().recursive(true),
                    0o700,
                )
                .create(outbox_dir)
                .with_context(|| format!("cannot create {}", outbox_dir.display()))?;
                Ok(Self::Files(
                    AsyncFileTransport::new(outbox_dir),
                    outbox_dir.to_owned(),
                ))
            }
        }
    }

    /// Hands the mail over; says where it went.
    async fn send(&self, envelope: &Envelope, message: &[u8]) -> Result<String, String> {
        match self {
            Self::Smtp(smtp) => smtp
                .send_raw(envelope, message)
                .await
                .map(|_| "the SMTP server".to_owned())
                .map_err(|e| e.to_string()),
            Self::Files(files, dir) => files
                .send_raw(envelope, message)
                .await
                .map(|id| dir.join(format!("{id}.eml")).display().to_string())
                .map_err(|e| e.to_string()),
        }
    }
}

/// How a worker paces itself.
#[derive(Clone, Copy, Debug)]
pub struct Pace {
    /// How long a worker holds a claimed mail. A send is cut off at half of it, so the claim
    /// outlives every send even with some clock difference between instances.
    pub lease: Duration,
    /// How often an idle worker looks for mails queued by other instances (its own wake it at
    /// once).
    pub poll: Duration,
}

impl Default for Pace {
    fn default() -> Self {
        Self {
            lease: Duration::from_secs(120),
            poll: Duration::from_secs(1),
        }
    }
}

/// Delivers queued mails until the process ends. `wake` makes it look at once (a mail was
/// just queued here); otherwise it looks every `pace.poll`.
pub async fn run(db: Db, transport: Transport, seal: Arc<MailSeal>, wake: Arc<Notify>, pace: Pace) {
    loop {
        match outbox::claim(&db, pace.lease).await {
            Ok(Some(mail)) => {
                deliver(&db, &transport, &seal, pace, mail).await;
                continue;
            }
            Ok(None) => {}
            Err(error) => tracing::warn!(%error, "outbox: looking for mails failed; trying again"),
        }
        tokio::select! {
            () = wake.notified() => {}
            () = tokio::time::sleep(pace.poll) => {}
        }
    }
}

async fn deliver(db: &Db, transport: &Transport, seal: &MailSeal, pace: Pace, mail: Claimed) {
    let Some(message) = seal.open(&mail.id, &mail.message) else {
        tracing::error!(mail_id = %mail.id, "mail sealed under a secret this instance does not know (AUTH_SECRET changed without AUTH_SECRET_PREVIOUS?): abandoned");
        record(
            &mail,
            outbox::give_up(db, &mail, "sealed under an unknown secret").await,
        );
        return;
    };
    let outcome = match envelope(&mail) {
        Ok(envelope) => {
            let sending = transport.send(&envelope, message.as_bytes());
            tokio::time::timeout(pace.lease / 2, sending)
                .await
                .unwrap_or_else(|_| Err("sending took longer than half the lease".into()))
        }
        Err(error) => Err(error),
    };
    let recorded = match outcome {
        Ok(destination) => {
            tracing::info!(mail_id = %mail.id, to = %destination, "mail delivered");
            outbox::mark_sent(db, &mail).await
        }
        Err(error) if unix_now() - mail.created_at >= GIVE_UP_AFTER.as_secs() as i64 => {
            tracing::error!(mail_id = %mail.id, attempts = mail.attempts, %error, "mail abandoned after 24 hours of failed attempts");
            outbox::give_up(db, &mail, &error).await
        }
        Err(error) => {
            let wait = backoff(mail.attempts);
            tracing::warn!(mail_id = %mail.id, attempts = mail.attempts, retry_in_secs = wait.as_secs(), %error, "mail not delivered; will retry");
            outbox::retry_later(db, &mail, wait, &error).await
        }
    };
    record(&mail, recorded);
}

/// Logs what a final update that did not happen means.
fn record(mail: &Claimed, recorded: sqlx::Result<bool>) {
    match recorded {
        Ok(true) => {}
        Ok(false) => {
            tracing::warn!(mail_id = %mail.id, "outbox: the claim on this mail ran out before its outcome was recorded; the worker holding it now decides")
        }
        // The lease runs out and the mail is tried again: at worst sent twice, never lost.
        Err(error) => {
            tracing::warn!(mail_id = %mail.id, %error, "outbox: recording a delivery failed")
        }
    }
}

fn envelope(mail: &Claimed) -> Result<Envelope, String> {
    let sender = mail.sender.parse().map_err(|_| "bad sender address")?;
    let recipient = mail
        .recipient
        .parse()
        .map_err(|_| "bad recipient address")?;
    Envelope::new(Some(sender), vec![recipient]).map_err(|e| e.to_string())
}

/// The wait after the `attempts`-th failure: 5 s, 10 s, 20 s, … at most an hour.
fn backoff(attempts: i64) -> Duration {
    let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 20)).unwrap_or(20);
    FIRST_RETRY
        .saturating_mul(2u32.saturating_pow(doublings))
        .min(LONGEST_WAIT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mail_files_folder_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let root = tempfile::tempdir().unwrap();
        let folder = root.path().join("data/outbox");

        Transport::new(None, &folder).unwrap();

        let mode = std::fs::metadata(&folder).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
    }

    #[test]
    fn retries_back_off_from_five_seconds_to_at_most_an_hour() {
        let waits: Vec<u64> = (1..=4).map(|n| backoff(n).as_secs()).collect();
        assert_eq!(waits, [5, 10, 20, 40]);
        assert_eq!(backoff(30), LONGEST_WAIT);
        assert!(
            backoff(1) <= Duration::from_secs(30),
            "first retry within 30 s"
        );
    }
}
