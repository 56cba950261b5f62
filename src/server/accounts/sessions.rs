//! The `sessions` table: every query on it lives here. A row holds only the SHA-256 of its
//! token; expiry slides forward, refreshed at most once a day.

use std::{net::IpAddr, time::Duration};

use sqlx::{Any, Executor, FromRow};

use crate::{
    domain::SessionToken,
    server::{clock::unix_now, db::Db},
    wire::User,
};

/// Refresh the expiry when the last refresh is older than this (one write a day, not per request).
const REFRESH_AFTER: Duration = Duration::from_secs(86_400);

/// Where a session was created from, kept for the user's own review.
#[derive(Clone, Debug)]
pub struct ClientInfo {
    pub ip: IpAddr,
    pub user_agent: Option<String>,
}

/// What a valid session token resolves to.
#[derive(Debug)]
pub struct ActiveSession {
    pub user: User,
    /// True when the expiry was just pushed forward (the cookie's Max-Age should follow).
    pub refreshed: bool,
}

#[derive(FromRow)]
struct SessionRow {
    #[sqlx(flatten)]
    user: User,
    last_seen_at: i64,
}

fn secs(d: Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX)
}

/// Stores a new session for `user_id` and returns its token for the cookie.
pub async fn create<'c>(
    executor: impl Executor<'c, Database = Any>,
    user_id: &str,
    ttl: Duration,
    client: &ClientInfo,
) -> sqlx::Result<SessionToken> {
    let token = SessionToken::generate();
    let now = unix_now();
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at, last_seen_at, user_agent, ip) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(token.hash())
    .bind(user_id)
    .bind(now)
    .bind(now.saturating_add(secs(ttl)))
    .bind(now)
    .bind(client.user_agent.as_deref())
    .bind(client.ip.to_string())
    .execute(executor)
    .await?;
    Ok(token)
}

/// Finds the unexpired session for `token`, sliding its expiry forward once a day.
pub async fn lookup(
    db: &Db,
    token: &SessionToken,
    ttl: Duration,
) -> sqlx::Result<Option<ActiveSession>> {
    let hash = token.hash();
    let now = unix_now();
    let row: Option<SessionRow> = sqlx::query_as(
        "SELECT u.id, u.email, s.last_seen_at FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.token_hash = $1 AND s.expires_at > $2",
    )
    .bind(&hash)
    .bind(now)
    .fetch_optional(db)
    .await?;
    let Some(SessionRow { user, last_seen_at }) = row else {
        return Ok(None);
    };
    let refreshed = now.saturating_sub(last_seen_at) >= secs(REFRESH_AFTER);
    if refreshed {
        sqlx::query("UPDATE sessions SET expires_at = $1, last_seen_at = $2 WHERE token_hash = $3")
            .bind(now.saturating_add(secs(ttl)))
            .bind(now)
            .bind(&hash)
            .execute(db)
            .await?;
    }
    Ok(Some(ActiveSession { user, refreshed }))
}

/// Deletes the session for `token` (sign-out); deleting a missing one is fine.
pub async fn delete(db: &Db, token: &SessionToken) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token.hash())
        .execute(db)
        .await?;
    Ok(())
}

/// Removes expired sessions; returns how many.
pub async fn prune_expired(db: &Db) -> sqlx::Result<u64> {
    let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
        .bind(unix_now())
        .execute(db)
        .await?;
    Ok(done.rows_affected())
}
