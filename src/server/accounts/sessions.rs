//! The `sessions` table: every query on it lives here. A row holds only the SHA-256 of its
//! token; expiry slides forward, refreshed at most once a day, but never past the session's
//! absolute lifetime (`SESSION_MAX_AGE`): a stolen cookie kept busy still dies.

use std::{
    net::IpAddr,
    time::{Duration, Instant},
};

use sqlx::{Any, Executor, FromRow};

use crate::{
    domain::SessionToken,
    server::{
        clock::{secs, unix_now},
        db::{Db, HousekeepingDb},
    },
    wire::User,
};

/// Refresh the expiry when the last refresh is older than this (one write a day, not per request).
const REFRESH_AFTER: Duration = Duration::from_secs(86_400);

/// How long sessions live: `ttl` since last use (sliding), at most `max_age` since sign-in.
#[derive(Clone, Copy, Debug)]
pub struct Lifetime {
    pub ttl: Duration,
    pub max_age: Duration,
}

impl Lifetime {
    /// The expiry of a session created at `created_at`, seen at `now`.
    fn expiry(&self, created_at: i64, now: i64) -> i64 {
        now.saturating_add(secs(self.ttl))
            .min(created_at.saturating_add(secs(self.max_age)))
    }
}

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
    /// The session's own id (see `SessionInfo`), to tell it apart from the user's others.
    pub session_id: String,
    /// True when the expiry was just pushed forward (the cookie's Max-Age should follow).
    pub refreshed: bool,
    /// When the session ends (unix seconds).
    pub expires_at: i64,
    /// When the person signed in (unix seconds): OpenID Connect's `auth_time`.
    pub created_at: i64,
    /// How the person signed in (RFC 8176 values).
    pub amr: Vec<String>,
}

#[derive(FromRow)]
struct SessionRow {
    #[sqlx(flatten)]
    user: User,
    session_id: String,
    created_at: i64,
    expires_at: i64,
    last_seen_at: i64,
    amr: String,
}

/// A session as its owner sees it in the list.
#[derive(FromRow)]
pub struct ListedSession {
    pub id: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// A new session's id: random, unrelated to its token.
fn new_session_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Stores a new session for `user_id`, opened by the proofs `amr`, and returns its token for the
/// cookie. Only the door (`accounts::door`) calls it.
pub async fn create<'c>(
    executor: impl Executor<'c, Database = Any>,
    user_id: &str,
    amr: &str,
    lifetime: Lifetime,
    client: &ClientInfo,
) -> sqlx::Result<SessionToken> {
    let token = SessionToken::generate();
    let now = unix_now();
    sqlx::query(
        "INSERT INTO sessions (id, token_hash, user_id, created_at, expires_at, last_seen_at, user_agent, ip, amr) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(new_session_id())
    .bind(token.hash())
    .bind(user_id)
    .bind(now)
    .bind(lifetime.expiry(now, now))
    .bind(now)
    .bind(client.user_agent.as_deref())
    .bind(client.ip.to_string())
    .bind(amr)
    .execute(executor)
    .await?;
    Ok(token)
}

/// Finds the unexpired session for `token`, sliding its expiry forward once a day. A session
/// older than `max_age` is refused even if its row says otherwise (`SESSION_MAX_AGE` lowered
/// since it was made); pruning removes it once its stored expiry passes.
pub async fn lookup(
    db: &Db,
    token: &SessionToken,
    lifetime: Lifetime,
) -> sqlx::Result<Option<ActiveSession>> {
    let hash = token.hash();
    let now = unix_now();
    let row: Option<SessionRow> = sqlx::query_as(
        "SELECT u.id, u.email, u.email_verified_at, s.id AS session_id, s.created_at, \
         s.expires_at, s.last_seen_at, s.amr FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND s.created_at > $3",
    )
    .bind(&hash)
    .bind(now)
    .bind(now.saturating_sub(secs(lifetime.max_age)))
    .fetch_optional(db)
    .await?;
    let Some(SessionRow {
        user,
        session_id,
        created_at,
        mut expires_at,
        last_seen_at,
        amr,
    }) = row
    else {
        return Ok(None);
    };
    let refreshed = now.saturating_sub(last_seen_at) >= secs(REFRESH_AFTER);
    if refreshed {
        expires_at = lifetime.expiry(created_at, now);
        sqlx::query("UPDATE sessions SET expires_at = $1, last_seen_at = $2 WHERE token_hash = $3")
            .bind(expires_at)
            .bind(now)
            .bind(&hash)
            .execute(db)
            .await?;
    }
    Ok(Some(ActiveSession {
        user,
        session_id,
        refreshed,
        expires_at,
        created_at,
        amr: amr.split_whitespace().map(str::to_owned).collect(),
    }))
}

/// Deletes the session for `token` (sign-out); deleting a missing one is fine.
pub async fn delete(db: &Db, token: &SessionToken) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token.hash())
        .execute(db)
        .await?;
    Ok(())
}

/// The user's unexpired sessions, most recently active first.
pub async fn list_for_user(db: &Db, user_id: &str) -> sqlx::Result<Vec<ListedSession>> {
    sqlx::query_as(
        "SELECT id, created_at, last_seen_at, ip, user_agent FROM sessions \
         WHERE user_id = $1 AND expires_at > $2 AND id IS NOT NULL \
         ORDER BY last_seen_at DESC, created_at DESC",
    )
    .bind(user_id)
    .bind(unix_now())
    .fetch_all(db)
    .await
}

/// Deletes the user's session with this id; false when the user has no such session (another
/// user's id deletes nothing).
pub async fn delete_by_id(db: &Db, user_id: &str, session_id: &str) -> sqlx::Result<bool> {
    let done = sqlx::query("DELETE FROM sessions WHERE id = $1 AND user_id = $2")
        .bind(session_id)
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Deletes every session of the user except `keep_id`; returns how many.
pub async fn delete_others<'c>(
    executor: impl Executor<'c, Database = Any>,
    user_id: &str,
    keep_id: &str,
) -> sqlx::Result<u64> {
    let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND (id IS NULL OR id <> $2)")
        .bind(user_id)
        .bind(keep_id)
        .execute(executor)
        .await?;
    Ok(done.rows_affected())
}

/// Deletes every session of the user.
pub async fn delete_all<'c>(
    executor: impl Executor<'c, Database = Any>,
    user_id: &str,
) -> sqlx::Result<u64> {
    let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(executor)
        .await?;
    Ok(done.rows_affected())
}

/// Gives every session created before sessions had ids (or by an older instance during a
/// rolling upgrade) its own random id. Run after the migrations; safe to run concurrently.
pub async fn assign_missing_ids(db: &Db) -> sqlx::Result<u64> {
    let mut assigned = 0;
    loop {
        let hashes: Vec<(String,)> =
            sqlx::query_as("SELECT token_hash FROM sessions WHERE id IS NULL LIMIT 500")
                .fetch_all(db)
                .await?;
        if hashes.is_empty() {
            return Ok(assigned);
        }
        for (hash,) in hashes {
            let done =
                sqlx::query("UPDATE sessions SET id = $1 WHERE token_hash = $2 AND id IS NULL")
                    .bind(new_session_id())
                    .bind(&hash)
                    .execute(db)
                    .await?;
            assigned += done.rows_affected();
        }
    }
}

/// Removes expired sessions in batches that give way to requests; returns how many.
pub async fn prune_expired(housekeeping: &mut HousekeepingDb) -> sqlx::Result<u64> {
    prune_expired_in_batches(housekeeping, PruneBatches::default()).await
}

/// How pruning shares the database and the CPU with requests. A single DELETE of a million
/// expired rows would hold SQLite's write lock (and a CPU) for minutes; instead each batch is
/// sized to take about `target` and is followed by a rest `rest_factor` times as long as it
/// took, so pruning uses at most a fifth of a CPU, and less when the machine is busy (a batch
/// then takes longer, and so does the rest).
///
/// What requests feel is the length of one batch, not the share of CPU: a batch holds a CPU
/// for as long as it runs, and a request arriving meanwhile waits for it. So batches are kept
/// short, well under a request's quiet p99, and on SQLite (whose statements run in this
/// process) they run on a thread at the lowest priority (`HousekeepingDb`). A deleted session
/// costs SQLite about 0.2 ms under full load (four index entries, two of them at random
/// pages), so the floor is a couple of rows, not fifty (fifty took ~9 ms a batch under load).
#[derive(Clone, Copy, Debug)]
pub struct PruneBatches {
    pub first: i64,
    /// Never fewer rows than this. A batch's time includes its waits for the database and the
    /// CPU, so under full load batches shrink to this floor: pruning then slows down rather
    /// than the requests (`make bench-scale` reports how many rows 5 minutes of saturation
    /// prune: thousands on SQLite, where pruning also runs at the lowest priority, about a
    /// hundred thousand on PostgreSQL).
    pub min: i64,
    pub max: i64,
    pub target: Duration,
    pub rest_factor: u32,
}

impl Default for PruneBatches {
    fn default() -> Self {
        Self {
            first: 10,
            min: 2,
            max: 5_000,
            target: Duration::from_micros(500),
            rest_factor: 4,
        }
    }
}

impl PruneBatches {
    /// The next batch size: halved after a slow batch, doubled after a quick one.
    fn next(&self, size: i64, took: Duration) -> i64 {
        let next = if took > self.target * 2 {
            size / 2
        } else if took < self.target / 2 {
            size * 2
        } else {
            size
        };
        self.bounded(next)
    }

    /// `size` within `min..=max`, and at least one row.
    fn bounded(&self, size: i64) -> i64 {
        size.max(self.min).min(self.max).max(1)
    }
}

/// `now` is fixed at the start, so rows expiring meanwhile wait for the next round. Oldest
/// first, by the `expires_at` index (without the ORDER BY, PostgreSQL scans the table once it
/// knows most rows have expired).
pub async fn prune_expired_in_batches(
    housekeeping: &mut HousekeepingDb,
    batches: PruneBatches,
) -> sqlx::Result<u64> {
    let now = unix_now();
    let mut pruned = 0;
    let mut size = batches.bounded(batches.first);
    loop {
        let started = Instant::now();
        let done = housekeeping
            .execute(
                sqlx::query(
                    "DELETE FROM sessions WHERE token_hash IN (SELECT token_hash FROM sessions \
                     WHERE expires_at <= $1 ORDER BY expires_at LIMIT $2)",
                )
                .bind(now)
                .bind(size),
            )
            .await?;
        let took = started.elapsed();
        pruned += done.rows_affected();
        if done.rows_affected() < u64::try_from(size).unwrap_or(0) {
            return Ok(pruned);
        }
        tokio::time::sleep(took * batches.rest_factor).await;
        size = batches.next(size, took);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prune_batches_shrink_when_slow_and_grow_when_quick_within_bounds() {
        let batches = PruneBatches::default();
        let slow = batches.target * 3;
        let quick = batches.target / 3;

        assert_eq!(batches.next(100, slow), 50);
        assert_eq!(batches.next(batches.min, slow), batches.min);
        assert_eq!(batches.next(100, quick), 200);
        assert_eq!(batches.next(batches.max, quick), batches.max);
        assert_eq!(batches.next(100, batches.target), 100);
    }
}
