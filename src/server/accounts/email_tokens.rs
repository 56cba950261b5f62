//! The `email_tokens` table: the single-use links mailed for verification and password reset.
//! Only the SHA-256 of a token is stored; using a link deletes its row in the same statement
//! that reads it, so two uses at once cannot both succeed.

use std::time::Duration;

use sqlx::{Any, Executor, FromRow};

use crate::{
    domain::SessionToken,
    server::{
        clock::{secs, unix_now},
        db::HousekeepingDb,
    },
};

/// What a link is for (the `purpose` column).
#[derive(Clone, Copy, Debug)]
pub enum Purpose {
    VerifyEmail,
    ResetPassword,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Self::VerifyEmail => "verify-email",
            Self::ResetPassword => "reset-password",
        }
    }
}

/// A link that was just used.
#[derive(FromRow)]
pub struct UsedLink {
    pub user_id: String,
    pub email: String,
    pub expires_at: i64,
}

/// Stores a new link's token (hashed) for `user_id`, sent to `email`; returns the token.
pub async fn create<'c>(
    executor: impl Executor<'c, Database = Any>,
    purpose: Purpose,
    user_id: &str,
    email: &str,
    ttl: Duration,
) -> sqlx::Result<SessionToken> {
    let token = SessionToken::generate();
    let now = unix_now();
    sqlx::query(
        "INSERT INTO email_tokens (token_hash, user_id, purpose, email, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(token.hash())
    .bind(user_id)
    .bind(purpose.as_str())
    .bind(email)
    .bind(now)
    .bind(now.saturating_add(secs(ttl)))
    .execute(executor)
    .await?;
    Ok(token)
}

/// Deletes the link and returns what it was, whether or not it has expired (the caller
/// checks; an expired link is gone either way).
pub async fn consume<'c>(
    executor: impl Executor<'c, Database = Any>,
    purpose: Purpose,
    token: &SessionToken,
) -> sqlx::Result<Option<UsedLink>> {
    sqlx::query_as(
        "DELETE FROM email_tokens WHERE token_hash = $1 AND purpose = $2 \
         RETURNING user_id, email, expires_at",
    )
    .bind(token.hash())
    .bind(purpose.as_str())
    .fetch_optional(executor)
    .await
}

/// True when the link exists and has not expired (without using it).
pub async fn is_live(
    db: &crate::server::db::Db,
    purpose: Purpose,
    token: &SessionToken,
) -> sqlx::Result<bool> {
    let found: Option<(i64,)> = sqlx::query_as(
        "SELECT expires_at FROM email_tokens WHERE token_hash = $1 AND purpose = $2",
    )
    .bind(token.hash())
    .bind(purpose.as_str())
    .fetch_optional(db)
    .await?;
    Ok(found.is_some_and(|(expires_at,)| expires_at > unix_now()))
}

/// Deletes the user's links (for one purpose, or all).
pub async fn delete_for_user<'c>(
    executor: impl Executor<'c, Database = Any>,
    user_id: &str,
    purpose: Option<Purpose>,
) -> sqlx::Result<()> {
    match purpose {
        Some(purpose) => {
            sqlx::query("DELETE FROM email_tokens WHERE user_id = $1 AND purpose = $2")
                .bind(user_id)
                .bind(purpose.as_str())
                .execute(executor)
                .await?
        }
        None => {
            sqlx::query("DELETE FROM email_tokens WHERE user_id = $1")
                .bind(user_id)
                .execute(executor)
                .await?
        }
    };
    Ok(())
}

/// Removes expired links; returns how many.
pub async fn prune_expired(housekeeping: &mut HousekeepingDb) -> sqlx::Result<u64> {
    let done = housekeeping
        .execute(sqlx::query("DELETE FROM email_tokens WHERE expires_at <= $1").bind(unix_now()))
        .await?;
    Ok(done.rows_affected())
}
