//! The two-factor tables: every query on `two_factor`, `backup_codes` and
//! `two_factor_challenges` lives here.

use sqlx::{Any, Executor, FromRow};

use crate::server::{clock::unix_now, db::HousekeepingDb};

#[derive(FromRow)]
pub struct TwoFactorRow {
    pub sealed_secret: String,
    pub created_at: i64,
    pub enabled_at: Option<i64>,
    pub last_step: i64,
}

pub async fn find<'c>(
    executor: impl Executor<'c, Database = Any>,
    user_id: &str,
) -> sqlx::Result<Option<TwoFactorRow>> {
    sqlx::query_as(
        "SELECT sealed_secret, created_at, enabled_at, last_step FROM two_factor WHERE user_id = $1",
    )
    .bind(user_id)
    .fetch_optional(executor)
    .await
}

/// Stores a new secret awaiting its first code, unless two-factor is on; false when it is on.
pub async fn start_setup<'c>(
    executor: impl Executor<'c, Database = Any>,
    user_id: &str,
    sealed_secret: &str,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO two_factor (user_id, sealed_secret, created_at, enabled_at, last_step) \
         VALUES ($1, $2, $3, NULL, 0) \
         ON CONFLICT (user_id) DO UPDATE SET sealed_secret = $2, created_at = $3, last_step = 0 \
         WHERE two_factor.enabled_at IS NULL",
    )
    .bind(user_id)
    .bind(sealed_secret)
    .bind(unix_now())
    .execute(executor)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Turns two-factor on with the step of the first code; false if it was not awaiting one (or
/// that step was used).
pub async fn enable<'c>(
    executor: impl Executor<'c, Database = Any>,
    user_id: &str,
    step: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE two_factor SET enabled_at = $1, last_step = $2 \
         WHERE user_id = $3 AND enabled_at IS NULL AND last_step < $2",
    )
    .bind(unix_now())
    .bind(step)
    .bind(user_id)
    .execute(executor)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Accepts `step` for the user if no step this late was accepted before: the one atomic check
/// that keeps a code from working twice, on any number of instances.
pub async fn accept_step<'c>(
    executor: impl Executor<'c, Database = Any>,
    user_id: &str,
    step: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE two_factor SET last_step = $1 \
         WHERE user_id = $2 AND enabled_at IS NOT NULL AND last_step < $1",
    )
    .bind(step)
    .bind(user_id)
    .execute(executor)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Deletes the user's two-factor set-up, backup codes and challenges.
pub async fn delete_all(conn: &mut sqlx::AnyConnection, user_id: &str) -> sqlx::Result<bool> {
    let done = sqlx::query("DELETE FROM two_factor WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    for table in [
        "backup_codes",
        "two_factor_challenges",
        "backup_code_reveals",
    ] {
        sqlx::query(&format!("DELETE FROM {table} WHERE user_id = $1"))
            .bind(user_id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(done.rows_affected() > 0)
}

/// Replaces the user's backup codes with these stored forms.
pub async fn replace_backup_codes(
    conn: &mut sqlx::AnyConnection,
    user_id: &str,
    stored: &[String],
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM backup_codes WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    for code in stored {
        sqlx::query("INSERT INTO backup_codes (code_hmac, user_id) VALUES ($1, $2)")
            .bind(code)
            .bind(user_id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Uses a backup code: true when it was the user's and unused (its row is gone now).
pub async fn use_backup_code<'c>(
    executor: impl Executor<'c, Database = Any>,
    user_id: &str,
    stored: &str,
) -> sqlx::Result<bool> {
    let done = sqlx::query("DELETE FROM backup_codes WHERE code_hmac = $1 AND user_id = $2")
        .bind(stored)
        .bind(user_id)
        .execute(executor)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Stores a challenge (the SHA-256 of its token) for `user_id`, answerable until `expires_at`.
pub async fn create_challenge<'c>(
    executor: impl Executor<'c, Database = Any>,
    token_hash: &str,
    user_id: &str,
    first_factor: &str,
    expires_at: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO two_factor_challenges \
         (token_hash, user_id, first_factor, created_at, expires_at, failures) \
         VALUES ($1, $2, $3, $4, $5, 0)",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(first_factor)
    .bind(unix_now())
    .bind(expires_at)
    .execute(executor)
    .await?;
    Ok(())
}

#[derive(FromRow)]
pub struct Challenge {
    pub user_id: String,
    /// What was proved before the code: `pwd` or `fed`.
    pub first_factor: String,
    pub expires_at: i64,
    pub failures: i64,
}

/// The challenge, without using it.
pub async fn find_challenge<'c>(
    executor: impl Executor<'c, Database = Any>,
    token_hash: &str,
) -> sqlx::Result<Option<Challenge>> {
    sqlx::query_as(
        "SELECT user_id, first_factor, expires_at, failures FROM two_factor_challenges \
         WHERE token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(executor)
    .await
}

/// Uses the challenge: deletes it and returns what it was. Of parallel uses, one gets it.
pub async fn consume_challenge<'c>(
    executor: impl Executor<'c, Database = Any>,
    token_hash: &str,
) -> sqlx::Result<Option<Challenge>> {
    sqlx::query_as(
        "DELETE FROM two_factor_challenges WHERE token_hash = $1 \
         RETURNING user_id, first_factor, expires_at, failures",
    )
    .bind(token_hash)
    .fetch_optional(executor)
    .await
}

/// Counts a wrong code on the challenge; returns the failures so far (0: it is gone).
pub async fn count_failure<'c>(
    executor: impl Executor<'c, Database = Any>,
    token_hash: &str,
) -> sqlx::Result<i64> {
    let failures: Option<(i64,)> = sqlx::query_as(
        "UPDATE two_factor_challenges SET failures = failures + 1 WHERE token_hash = $1 \
         RETURNING failures",
    )
    .bind(token_hash)
    .fetch_optional(executor)
    .await?;
    Ok(failures.map_or(0, |(n,)| n))
}

/// Removes expired challenges; returns how many.
pub async fn prune_expired(housekeeping: &mut HousekeepingDb) -> sqlx::Result<u64> {
    let done = housekeeping
        .execute(
            sqlx::query("DELETE FROM two_factor_challenges WHERE expires_at <= $1")
                .bind(unix_now()),
        )
        .await?;
    Ok(done.rows_affected())
}

/// Keeps new backup codes (sealed) for the account page to show once.
pub async fn keep_for_reveal<'c>(
    executor: impl Executor<'c, Database = Any>,
    user_id: &str,
    sealed_codes: &str,
    expires_at: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO backup_code_reveals (user_id, sealed_codes, expires_at) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id) DO UPDATE SET sealed_codes = $2, expires_at = $3",
    )
    .bind(user_id)
    .bind(sealed_codes)
    .bind(expires_at)
    .execute(executor)
    .await?;
    Ok(())
}

/// Takes the codes kept for the account page (they are gone afterwards), if still fresh.
pub async fn take_reveal<'c>(
    executor: impl Executor<'c, Database = Any>,
    user_id: &str,
) -> sqlx::Result<Option<String>> {
    let taken: Option<(String, i64)> = sqlx::query_as(
        "DELETE FROM backup_code_reveals WHERE user_id = $1 RETURNING sealed_codes, expires_at",
    )
    .bind(user_id)
    .fetch_optional(executor)
    .await?;
    Ok(taken
        .filter(|(_, expires_at)| *expires_at > unix_now())
        .map(|(sealed, _)| sealed))
}
