//! Mail: composing the verification and reset mails (`compose`), the durable outbox they are
//! written to in the same transaction as their token (`outbox`), sealed (`seal`: the row holds
//! no readable link), and the worker that delivers them over SMTP or, without `SMTP_URL`, as
//! `.eml` files (`delivery`). Knows nothing of accounts: callers hand it a recipient and a token.

pub mod compose;
pub mod delivery;
pub mod outbox;
pub mod seal;

use std::sync::Arc;

use sqlx::{Any, Executor};

pub use compose::{Composer, Outgoing};
pub use seal::MailSeal;

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("not a mail address: {0:?}")]
    Address(String),
    #[error("building the mail: {0}")]
    Build(#[from] lettre::error::Error),
    #[error("the formatted mail is not ASCII")]
    NotAscii,
    #[error("sealing the mail failed")]
    Seal(#[from] crate::server::sealing::SealError),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
}

/// What senders of mail hold: the composer, the seal, and a way to wake this instance's
/// delivery worker once a mail is committed to the outbox.
#[derive(Clone)]
pub struct MailQueue {
    pub composer: Composer,
    seal: Arc<MailSeal>,
    wake: Arc<tokio::sync::Notify>,
}

impl MailQueue {
    pub fn new(composer: Composer, seal: Arc<MailSeal>) -> Self {
        Self {
            composer,
            seal,
            wake: Default::default(),
        }
    }

    /// Queues a sealed mail: call it inside the transaction that stores the token it carries.
    pub async fn enqueue<'c>(
        &self,
        executor: impl Executor<'c, Database = Any>,
        mail: &Outgoing,
    ) -> Result<(), MailError> {
        outbox::enqueue(executor, &self.seal, mail).await
    }

    /// The signal the delivery worker waits on.
    pub fn wake_signal(&self) -> std::sync::Arc<tokio::sync::Notify> {
        self.wake.clone()
    }

    /// Tells the worker a mail is waiting (call after the transaction commits).
    pub fn wake_delivery(&self) {
        self.wake.notify_one();
    }
}

/// Builds the mail set-up from the configuration and starts this instance's delivery worker.
/// `site` is the site's public URL: links point there, and the default sender is at its host.
pub fn start(
    config: &crate::server::config::MailConfig,
    site: &url::Url,
    seal: MailSeal,
    db: crate::server::db::Db,
) -> anyhow::Result<MailQueue> {
    let host = site.host_str().unwrap_or("localhost").to_owned();
    let origin = site.origin().ascii_serialization();
    let composer = Composer::new(config.sender(&host), origin, host, config.reset_ttl);
    let transport = delivery::Transport::new(config.smtp_url(), &config.outbox_dir)?;
    if config.smtp_url().is_none() {
        tracing::warn!(
            folder = %config.outbox_dir.display(),
            "SMTP_URL is not set: mails are written as .eml files to this folder instead of \
             being sent (fine for development; set SMTP_URL in production)"
        );
    }
    let seal = Arc::new(seal);
    let queue = MailQueue::new(composer, seal.clone());
    tokio::spawn(delivery::run(
        db,
        transport,
        seal,
        queue.wake_signal(),
        delivery::Pace::default(),
    ));
    Ok(queue)
}
