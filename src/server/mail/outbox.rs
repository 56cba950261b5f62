//! The `outbox` table: every query on it lives here. A worker claims ONE row at a time with a
//! lease and a claim token of its own, by one UPDATE that re-checks the claim on the row it
//! locks, so two workers (or instances) never hold the same row. A worker that dies mid-send
//! loses its lease and the row is tried again; a worker whose lease ran out meanwhile finds
//! that its final update changes nothing (every one is conditioned on its claim token), so it
//! cannot overwrite what the worker that took the row over recorded.

use std::time::Duration;

use sqlx::{Any, Executor, FromRow};

use super::{MailError, MailSeal, Outgoing};
use crate::{
    domain::random_token,
    server::{
        clock::{secs, unix_now},
        db::Db,
    },
};

/// A mail a worker holds until its lease ends.
#[derive(Debug, FromRow)]
pub struct Claimed {
    pub id: String,
    /// This claim's own token: the final update applies only while it still holds the row.
    pub claim_token: String,
    pub sender: String,
    pub recipient: String,
    /// Sealed (`MailSeal`).
    pub message: String,
    pub created_at: i64,
    /// Attempts so far, this one included.
    pub attempts: i64,
}

/// Queues a mail, sealed: call it inside the transaction that stores the token it carries.
pub async fn enqueue<'c>(
    executor: impl Executor<'c, Database = Any>,
    seal: &MailSeal,
    mail: &Outgoing,
) -> Result<(), MailError> {
    let sealed = seal.seal(&mail.id, &mail.message)?;
    let now = unix_now();
    sqlx::query(
        "INSERT INTO outbox (id, sender, recipient, message, created_at, attempts, next_attempt_at) \
         VALUES ($1, $2, $3, $4, $5, 0, $5)",
    )
    .bind(&mail.id)
    .bind(&mail.sender)
    .bind(&mail.recipient)
    .bind(&sealed)
    .bind(now)
    .execute(executor)
    .await?;
    Ok(())
}

/// Claims the next due mail for `lease`, if any. One at a time: a mail waiting behind others
/// in a worker's hands would see its lease run out and be sent again by another worker.
pub async fn claim(db: &Db, lease: Duration) -> sqlx::Result<Option<Claimed>> {
    let now = unix_now();
    // The claim conditions stand in the outer WHERE too: PostgreSQL re-checks them on the row
    // version it locks, so a row another worker claimed meanwhile is skipped, not taken twice.
    sqlx::query_as(
        "UPDATE outbox SET claimed_until = $1, claim_token = $3, attempts = attempts + 1 \
         WHERE id IN (SELECT id FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL \
                      AND next_attempt_at <= $2 AND (claimed_until IS NULL OR claimed_until <= $2) \
                      ORDER BY next_attempt_at LIMIT 1) \
           AND sent_at IS NULL AND failed_at IS NULL \
           AND (claimed_until IS NULL OR claimed_until <= $2) \
         RETURNING id, claim_token, sender, recipient, message, created_at, attempts",
    )
    .bind(now.saturating_add(secs(lease)))
    .bind(now)
    .bind(random_token())
    .fetch_optional(db)
    .await
}

/// Deletes the rows of mails sent or given up more than `kept` ago (their text is already
/// erased; the rows stay that long for an operator's questions); returns how many.
pub async fn prune_finished(db: &Db, kept: Duration) -> sqlx::Result<u64> {
    let before = unix_now().saturating_sub(secs(kept));
    let done = sqlx::query(
        "DELETE FROM outbox WHERE (sent_at IS NOT NULL AND sent_at <= $1) \
         OR (failed_at IS NOT NULL AND failed_at <= $1)",
    )
    .bind(before)
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// Mails waiting to be sent (a metric).
pub async fn backlog(db: &Db) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL")
        .fetch_one(db)
        .await
}

/// Marks a mail delivered and erases its text; false when the claim was lost meanwhile.
pub async fn mark_sent(db: &Db, mail: &Claimed) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE outbox SET sent_at = $1, message = '', claimed_until = NULL, claim_token = NULL, \
         last_error = NULL WHERE id = $2 AND claim_token = $3",
    )
    .bind(unix_now())
    .bind(&mail.id)
    .bind(&mail.claim_token)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Schedules another attempt after `wait`, keeping the reason; false when the claim was lost.
pub async fn retry_later(
    db: &Db,
    mail: &Claimed,
    wait: Duration,
    error: &str,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE outbox SET next_attempt_at = $1, claimed_until = NULL, claim_token = NULL, \
         last_error = $2 WHERE id = $3 AND claim_token = $4",
    )
    .bind(unix_now().saturating_add(secs(wait)))
    .bind(error)
    .bind(&mail.id)
    .bind(&mail.claim_token)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Gives up on a mail: it stays in the table, marked failed, without its text; false when the
/// claim was lost.
pub async fn give_up(db: &Db, mail: &Claimed, error: &str) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE outbox SET failed_at = $1, message = '', claimed_until = NULL, \
         claim_token = NULL, last_error = $2 WHERE id = $3 AND claim_token = $4",
    )
    .bind(unix_now())
    .bind(error)
    .bind(&mail.id)
    .bind(&mail.claim_token)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}
