//! The delivery worker: claims due mails from the outbox, sends them, and retries failures
//! with backoff (5 s, 10 s, 20 s, … at most an hour apart) until 24 hours have passed, then
//! gives up with an error log. Every instance runs one; the outbox's claim keeps them from
//! sending a mail twice. A mail's text and token never reach the log.

use std::{path::Path, sync::Arc, time::Duration};

use anyhow::Context;
use lettre::{
    address::Envelope, AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Tokio1Executor,
};
use tokio::sync::Notify;

use super::outbox::{self, Claimed};
use crate::server::{clock::unix_now, db::Db};

/// How long a worker holds a claimed mail: longer than an SMTP attempt can take.
const LEASE: Duration = Duration::from_secs(120);
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);
/// How often an idle worker looks for mails queued by other instances (its own wake it at once).
const POLL: Duration = Duration::from_secs(1);
const BATCH: i64 = 20;
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

/// Delivers queued mails until the process ends. `wake` makes it look at once (a mail was
/// just queued here); otherwise it looks every second.
pub async fn run(db: Db, transport: Transport, wake: Arc<Notify>) {
    loop {
        match outbox::claim(&db, LEASE, BATCH).await {
            Ok(batch) if !batch.is_empty() => {
                for mail in batch {
                    deliver(&db, &transport, mail).await;
                }
                continue;
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "outbox: looking for mails failed; trying again"),
        }
        tokio::select! {
            () = wake.notified() => {}
            () = tokio::time::sleep(POLL) => {}
        }
    }
}

async fn deliver(db: &Db, transport: &Transport, mail: Claimed) {
    let outcome = match envelope(&mail) {
        Ok(envelope) => transport.send(&envelope, mail.message.as_bytes()).await,
        Err(error) => Err(error),
    };
    let recorded = match outcome {
        Ok(destination) => {
            tracing::info!(mail_id = %mail.id, to = %destination, "mail delivered");
            outbox::mark_sent(db, &mail.id).await
        }
        Err(error) if unix_now() - mail.created_at >= GIVE_UP_AFTER.as_secs() as i64 => {
            tracing::error!(mail_id = %mail.id, attempts = mail.attempts, %error, "mail abandoned after 24 hours of failed attempts");
            outbox::give_up(db, &mail.id, &error).await
        }
        Err(error) => {
            let wait = backoff(mail.attempts);
            tracing::warn!(mail_id = %mail.id, attempts = mail.attempts, retry_in_secs = wait.as_secs(), %error, "mail not delivered; will retry");
            outbox::retry_later(db, &mail.id, wait, &error).await
        }
    };
    if let Err(error) = recorded {
        // The lease runs out and the mail is tried again: at worst sent twice, never lost.
        tracing::warn!(mail_id = %mail.id, %error, "outbox: recording a delivery failed");
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
