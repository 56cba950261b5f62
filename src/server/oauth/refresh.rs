//! Refresh tokens: 256 random bits handed to the client, only their SHA-256 stored. Each use
//! rotates the token; the used one stays, marked, so presenting it again is recognised as theft
//! (or a client racing itself) and ends the whole family, i.e. the grant (RFC 9700 §4.14.2).
//! A token granted with `offline_access` outlives the session it came from (until
//! `OAUTH_REFRESH_TTL` passes unused, or the person revokes it); any other dies with that session.

use std::time::Duration;

use sqlx::FromRow;

use super::{digest, grants, random_token, Scopes};
use crate::server::{
    clock::{secs, unix_now},
    db::Db,
};

/// What a refresh family stands for, copied from token to token.
#[derive(Clone, Debug, FromRow)]
pub struct Family {
    pub family_id: String,
    pub client_id: String,
    pub user_id: String,
    /// The session the grant came from (`sid` while it lasts).
    pub session_id: String,
    /// 1: granted with offline_access (outlives the session).
    pub offline: i64,
    pub scope: String,
    pub auth_time: i64,
    pub amr: String,
}

impl Family {
    pub fn is_offline(&self) -> bool {
        self.offline != 0
    }
}

/// Stores a new token of `family` (a grant's first, or the next one after a rotation) and
/// returns it (the only time it exists in full).
pub async fn issue(
    conn: &mut sqlx::AnyConnection,
    family: &Family,
    ttl: Duration,
) -> sqlx::Result<String> {
    let token = random_token();
    let now = unix_now();
    sqlx::query(
        "INSERT INTO oauth_refresh_tokens (token_hash, family_id, client_id, user_id, session_id, \
         offline, scope, auth_time, amr, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(digest(&token))
    .bind(&family.family_id)
    .bind(&family.client_id)
    .bind(&family.user_id)
    .bind(&family.session_id)
    .bind(family.offline)
    .bind(&family.scope)
    .bind(family.auth_time)
    .bind(&family.amr)
    .bind(now)
    .bind(now.saturating_add(secs(ttl)))
    .execute(&mut *conn)
    .await?;
    Ok(token)
}

#[derive(Debug)]
pub enum Rotation {
    /// The token was good: here is its successor, and whether its session is still signed in
    /// (`family.scope` is what was asked for this time, within the grant).
    Rotated {
        family: Family,
        token: String,
        session_alive: bool,
    },
    /// Used before: the whole family is revoked now.
    Reused,
    /// Its session ended (a token without offline_access): the family is revoked now.
    SessionEnded,
    /// More scopes asked than granted: nothing changed, the token is still good.
    ScopeTooWide,
    /// Unknown, expired, revoked, or another client's.
    Invalid,
}

const FAMILY_COLUMNS: &str =
    "family_id, client_id, user_id, session_id, offline, scope, auth_time, amr";

/// Uses `client_id`'s refresh `token` (narrowed to `asked`, if given): marks it used and issues
/// its successor in one transaction, so of two uses racing exactly one wins (the other is a
/// reuse).
pub async fn rotate(
    db: &Db,
    token: &str,
    client_id: &str,
    asked: Option<Scopes>,
    ttl: Duration,
) -> sqlx::Result<Rotation> {
    let hash = digest(token);
    let now = unix_now();
    // The UPDATE comes first: SQLite's transaction then holds the write lock from the start.
    let mut tx = db.begin().await?;
    let used: Option<Family> = sqlx::query_as(&format!(
        "UPDATE oauth_refresh_tokens SET used_at = $1 \
         WHERE token_hash = $2 AND client_id = $3 AND used_at IS NULL AND expires_at > $1 \
         RETURNING {FAMILY_COLUMNS}"
    ))
    .bind(now)
    .bind(&hash)
    .bind(client_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(mut family) = used else {
        let seen: Option<(String, Option<i64>)> = sqlx::query_as(
            "SELECT family_id, used_at FROM oauth_refresh_tokens \
             WHERE token_hash = $1 AND client_id = $2",
        )
        .bind(&hash)
        .bind(client_id)
        .fetch_optional(&mut *tx)
        .await?;
        return Ok(match seen {
            Some((family_id, Some(_))) => {
                let revoked = grants::revoke(&mut tx, &family_id).await?;
                tx.commit().await?;
                tracing::warn!(
                    client_id,
                    revoked,
                    "a used refresh token was presented again: its family is revoked"
                );
                Rotation::Reused
            }
            _ => Rotation::Invalid,
        });
    };
    let session_alive = session_alive(&mut tx, &family.session_id, now).await?;
    if !session_alive && !family.is_offline() {
        grants::revoke(&mut tx, &family.family_id).await?;
        tx.commit().await?;
        return Ok(Rotation::SessionEnded);
    }
    let granted = Scopes::parse(&family.scope);
    if asked.is_some_and(|asked| !asked.within(granted)) {
        tx.rollback().await?;
        return Ok(Rotation::ScopeTooWide);
    }
    let token = issue(&mut tx, &family, ttl).await?;
    tx.commit().await?;
    if let Some(asked) = asked {
        family.scope = asked.union(Scopes::parse("openid")).to_string();
    }
    Ok(Rotation::Rotated {
        family,
        token,
        session_alive,
    })
}

/// True while the session `session_id` is signed in.
pub async fn session_alive(
    conn: &mut sqlx::AnyConnection,
    session_id: &str,
    now: i64,
) -> sqlx::Result<bool> {
    let found: Option<(i64,)> =
        sqlx::query_as("SELECT expires_at FROM sessions WHERE id = $1 AND expires_at > $2")
            .bind(session_id)
            .bind(now)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(found.is_some())
}

/// The family of a live, unused refresh token, if any (for introspection): an unused token
/// not expired, whose session is signed in unless it is offline.
pub async fn live(db: &Db, token: &str) -> sqlx::Result<Option<(Family, i64, i64)>> {
    #[derive(FromRow)]
    struct Row {
        #[sqlx(flatten)]
        family: Family,
        created_at: i64,
        expires_at: i64,
    }
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {FAMILY_COLUMNS}, created_at, expires_at FROM oauth_refresh_tokens r \
         WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 AND (offline = 1 \
         OR EXISTS (SELECT 1 FROM sessions s WHERE s.id = r.session_id AND s.expires_at > $2))"
    ))
    .bind(digest(token))
    .bind(unix_now())
    .fetch_optional(db)
    .await?;
    Ok(row.map(|row| (row.family, row.created_at, row.expires_at)))
}

/// Revokes the family of `client_id`'s refresh `token` (RFC 7009); false when there was none.
pub async fn revoke(db: &Db, token: &str, client_id: &str) -> sqlx::Result<bool> {
    let mut conn = db.acquire().await?;
    let family: Option<(String,)> = sqlx::query_as(
        "SELECT family_id FROM oauth_refresh_tokens WHERE token_hash = $1 AND client_id = $2",
    )
    .bind(digest(token))
    .bind(client_id)
    .fetch_optional(&mut *conn)
    .await?;
    match family {
        Some((family_id,)) => Ok(grants::revoke(&mut conn, &family_id).await? > 0),
        None => Ok(false),
    }
}

/// Deletes refresh tokens that expired (used or not).
pub async fn prune_expired(db: &Db) -> sqlx::Result<u64> {
    let pruned = sqlx::query("DELETE FROM oauth_refresh_tokens WHERE expires_at <= $1")
        .bind(unix_now())
        .execute(db)
        .await?;
    Ok(pruned.rows_affected())
}
