//! Authorization codes: 256 random bits handed to the client once, only their SHA-256 stored;
//! single use, short-lived (`OAUTH_CODE_TTL`), bound to the client, the redirect URI and the
//! PKCE challenge. A code presented a second time is refused and revokes every token it issued,
//! refresh tokens included (RFC 6749 §4.1.2: a code seen twice may have been stolen).

use std::time::Duration;

use sqlx::FromRow;

use super::{digest, grants, random_token};
use crate::server::{
    clock::{secs, unix_now},
    db::Db,
};

/// What a code stands for.
pub struct Grant<'a> {
    pub client_id: &'a str,
    pub user_id: &'a str,
    pub session_id: &'a str,
    pub redirect_uri: &'a str,
    pub scope: &'a str,
    pub nonce: Option<&'a str>,
    pub code_challenge: Option<&'a str>,
    /// When the person signed in (the session's start), for `auth_time`.
    pub auth_time: i64,
    pub amr: &'a [String],
}

/// Stores a new code for `grant` and returns it (the only time it exists in full).
pub async fn issue(db: &Db, grant: &Grant<'_>, ttl: Duration) -> sqlx::Result<String> {
    let code = random_token();
    let now = unix_now();
    sqlx::query(
        "INSERT INTO oauth_codes (code_hash, client_id, user_id, session_id, redirect_uri, scope, \
         nonce, code_challenge, auth_time, amr, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(digest(&code))
    .bind(grant.client_id)
    .bind(grant.user_id)
    .bind(grant.session_id)
    .bind(grant.redirect_uri)
    .bind(grant.scope)
    .bind(grant.nonce)
    .bind(grant.code_challenge)
    .bind(grant.auth_time)
    .bind(grant.amr.join(" "))
    .bind(now.saturating_add(secs(ttl)))
    .execute(db)
    .await?;
    Ok(code)
}

/// A code just redeemed: what it was issued for.
#[derive(Debug, FromRow)]
pub struct Redeemed {
    pub code_hash: String,
    pub user_id: String,
    pub session_id: String,
    pub redirect_uri: String,
    pub scope: String,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub auth_time: i64,
    pub amr: String,
}

#[derive(Debug)]
pub enum Redemption {
    Redeemed(Redeemed),
    /// Used before: what it issued is revoked now.
    Reused,
    /// Unknown, expired, or another client's.
    Invalid,
}

/// Marks `client_id`'s code used, in one statement, so two redemptions racing cannot both win.
pub async fn redeem(db: &Db, code: &str, client_id: &str) -> sqlx::Result<Redemption> {
    let hash = digest(code);
    let now = unix_now();
    let redeemed: Option<Redeemed> = sqlx::query_as(
        "UPDATE oauth_codes SET used_at = $1 \
         WHERE code_hash = $2 AND client_id = $3 AND used_at IS NULL AND expires_at > $1 \
         RETURNING code_hash, user_id, session_id, redirect_uri, scope, nonce, code_challenge, \
         auth_time, amr",
    )
    .bind(now)
    .bind(&hash)
    .bind(client_id)
    .fetch_optional(db)
    .await?;
    if let Some(redeemed) = redeemed {
        return Ok(Redemption::Redeemed(redeemed));
    }
    let used: Option<(Option<i64>,)> =
        sqlx::query_as("SELECT used_at FROM oauth_codes WHERE code_hash = $1 AND client_id = $2")
            .bind(&hash)
            .bind(client_id)
            .fetch_optional(db)
            .await?;
    if matches!(used, Some((Some(_),))) {
        let revoked = grants::revoke(&mut *db.acquire().await?, &hash).await?;
        tracing::warn!(
            client_id,
            revoked,
            "an authorization code was presented again: the tokens it issued are revoked"
        );
        return Ok(Redemption::Reused);
    }
    Ok(Redemption::Invalid)
}

/// Deletes codes that expired (used or not): nothing can redeem them any more.
pub async fn prune_expired(db: &Db) -> sqlx::Result<u64> {
    let pruned = sqlx::query("DELETE FROM oauth_codes WHERE expires_at <= $1")
        .bind(unix_now())
        .execute(db)
        .await?;
    Ok(pruned.rows_affected())
}
