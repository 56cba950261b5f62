//! The `users` table: every query on it lives here.

use sqlx::{Any, Executor, FromRow};

use crate::{domain::Email, server::clock::unix_now, server::db::Db, wire::User};

/// A user with the stored password hash (never leaves the server).
#[derive(FromRow)]
pub struct UserWithHash {
    #[sqlx(flatten)]
    pub user: User,
    pub password_hash: String,
}

pub async fn find_by_email(db: &Db, email: &Email) -> sqlx::Result<Option<UserWithHash>> {
    sqlx::query_as("SELECT id, email, email_verified_at, password_hash FROM users WHERE email = $1")
        .bind(email.as_str())
        .fetch_optional(db)
        .await
}

pub async fn find_by_id(db: &Db, user_id: &str) -> sqlx::Result<Option<UserWithHash>> {
    sqlx::query_as("SELECT id, email, email_verified_at, password_hash FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(db)
        .await
}

/// Inserts a user; a taken email fails with the database's unique violation.
pub async fn insert<'c>(
    executor: impl Executor<'c, Database = Any>,
    user: &User,
    password_hash: &str,
) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO users (id, email, password_hash, created_at) VALUES ($1, $2, $3, $4)")
        .bind(&user.id)
        .bind(&user.email)
        .bind(password_hash)
        .bind(unix_now())
        .execute(executor)
        .await?;
    Ok(())
}

/// Inserts a user whose email an external provider vouched for, with no password yet.
pub async fn insert_verified_without_password<'c>(
    executor: impl Executor<'c, Database = Any>,
    user: &User,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO users (id, email, password_hash, created_at, email_verified_at) \
         VALUES ($1, $2, $3, $4, $4)",
    )
    .bind(&user.id)
    .bind(&user.email)
    .bind(super::passwords::NO_PASSWORD)
    .bind(unix_now())
    .execute(executor)
    .await?;
    Ok(())
}

pub async fn set_password_hash<'c>(
    executor: impl Executor<'c, Database = Any>,
    user_id: &str,
    password_hash: &str,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(password_hash)
        .bind(user_id)
        .execute(executor)
        .await?;
    Ok(())
}

/// Stores `replacement` as the user's password hash only if it still is `verified`, the hash
/// a password was just checked against; false when a reset or a change replaced it meanwhile.
/// `replacement` may be `verified` itself: then the statement only holds the credential.
///
/// Run it as the FIRST statement of the transaction that acts on the check (opening a session,
/// storing a new password): it locks the user's row (PostgreSQL) or takes the write lock
/// (SQLite) until that transaction commits, so a reset cannot commit in between, and one that
/// committed first makes it fail. Whatever was done with the old password is then either undone
/// by the reset (its sessions deleted after this commit) or never done.
pub async fn hold_credential<'c>(
    executor: impl Executor<'c, Database = Any>,
    user_id: &str,
    verified: &str,
    replacement: &str,
) -> sqlx::Result<bool> {
    let done =
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2 AND password_hash = $3")
            .bind(replacement)
            .bind(user_id)
            .bind(verified)
            .execute(executor)
            .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks the user's email verified, if it is still `email` (the address the link went to).
pub async fn mark_email_verified<'c>(
    executor: impl Executor<'c, Database = Any>,
    user_id: &str,
    email: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE users SET email_verified_at = $1 \
         WHERE id = $2 AND email = $3 AND email_verified_at IS NULL",
    )
    .bind(unix_now())
    .bind(user_id)
    .bind(email)
    .execute(executor)
    .await?;
    Ok(())
}

/// Deletes the user row; false when it was already gone.
pub async fn delete<'c>(
    executor: impl Executor<'c, Database = Any>,
    user_id: &str,
) -> sqlx::Result<bool> {
    let done = sqlx::query("DELETE FROM users WHERE id = $1")
        .bind(user_id)
        .execute(executor)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// A user as the operator's `badge users list` shows it.
#[derive(FromRow)]
pub struct UserOverview {
    pub id: String,
    pub email: String,
    pub email_verified_at: Option<i64>,
    pub created_at: i64,
    /// Unexpired sessions.
    pub sessions: i64,
}

/// Every user with their unexpired sessions counted, oldest first.
pub async fn overview(db: &Db) -> sqlx::Result<Vec<UserOverview>> {
    sqlx::query_as(
        "SELECT u.id, u.email, u.email_verified_at, u.created_at, \
         (SELECT COUNT(*) FROM sessions s WHERE s.user_id = u.id AND s.expires_at > $1) AS sessions \
         FROM users u ORDER BY u.created_at, u.email",
    )
    .bind(unix_now())
    .fetch_all(db)
    .await
}
