//! Sessions: a random token in an HttpOnly cookie, only its SHA-256 in the database,
//! seven-day sliding expiry refreshed at most once a day.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use rand::{rngs::OsRng, RngCore};
use sha2::{Digest, Sha256};
use sqlx::Row;
use tower_cookies::{
    cookie::{time, SameSite},
    Cookie, Cookies,
};

use crate::{auth::User, config::Config, db::Db};

/// Refresh the expiry when the last refresh is older than this (one write a day, not per request).
const REFRESH_AFTER: Duration = Duration::from_secs(86_400);

/// Where a session was created from, kept for the user's own review.
#[derive(Clone, Debug, Default)]
pub struct ClientInfo {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// Cookie settings derived from the configuration.
#[derive(Clone, Debug)]
pub struct SessionCookie {
    name: &'static str,
    secure: bool,
    ttl: Duration,
}

impl SessionCookie {
    pub fn from_config(config: &Config) -> Self {
        // `__Host-` makes browsers refuse the cookie unless Secure, Path=/ and host-only,
        // so a sibling subdomain cannot plant or overwrite it.
        let secure = config.is_https();
        Self {
            name: if secure {
                "__Host-badge_session"
            } else {
                "badge_session"
            },
            secure,
            ttl: config.session_ttl,
        }
    }

    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    pub fn token(&self, cookies: &Cookies) -> Option<String> {
        cookies.get(self.name).map(|c| c.value().to_owned())
    }

    pub fn set(&self, cookies: &Cookies, token: String) {
        let max_age =
            time::Duration::seconds(i64::try_from(self.ttl.as_secs()).unwrap_or(i64::MAX));
        cookies.add(self.build(token).max_age(max_age).build());
    }

    pub fn clear(&self, cookies: &Cookies) {
        cookies.remove(self.build(String::new()).build());
    }

    fn build(&self, value: String) -> tower_cookies::cookie::CookieBuilder<'static> {
        Cookie::build((self.name, value))
            .http_only(true)
            .same_site(SameSite::Lax)
            .path("/")
            .secure(self.secure)
    }
}

/// A new 256-bit token (what the cookie holds) and its hash (what the database holds).
pub fn new_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash_token(&token);
    (token, hash)
}

/// SHA-256, hex: a fast hash is right here because the token already has 256 bits of entropy.
pub fn hash_token(token: &str) -> String {
    use std::fmt::Write;
    let digest = Sha256::digest(token.as_bytes());
    let mut hex = String::with_capacity(64);
    for byte in digest {
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

fn secs(d: Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX)
}

/// Stores a new session for `user_id` and returns the raw token for the cookie.
pub async fn create<'c, E>(
    executor: E,
    user_id: &str,
    ttl: Duration,
    client: &ClientInfo,
) -> sqlx::Result<String>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    let (token, hash) = new_token();
    let now = unix_now();
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at, last_seen_at, user_agent, ip) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(hash)
    .bind(user_id)
    .bind(now)
    .bind(now.saturating_add(secs(ttl)))
    .bind(now)
    .bind(client.user_agent.clone())
    .bind(client.ip.clone())
    .execute(executor)
    .await?;
    Ok(token)
}

/// What a valid session token resolves to.
pub struct ActiveSession {
    pub user: User,
    /// True when the expiry was just pushed forward (the cookie's Max-Age should follow).
    pub refreshed: bool,
}

/// Finds the unexpired session for `token`, sliding its expiry forward once a day.
pub async fn lookup(db: &Db, token: &str, ttl: Duration) -> sqlx::Result<Option<ActiveSession>> {
    let hash = hash_token(token);
    let now = unix_now();
    let row = sqlx::query(
        "SELECT u.id, u.email, s.last_seen_at FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.token_hash = $1 AND s.expires_at > $2",
    )
    .bind(&hash)
    .bind(now)
    .fetch_optional(db)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let user = User {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
    };
    let last_refresh: i64 = row.try_get("last_seen_at")?;
    let refreshed = now.saturating_sub(last_refresh) >= secs(REFRESH_AFTER);
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
pub async fn delete(db: &Db, token: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(hash_token(token))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_256_bit_and_only_their_hash_is_kept() {
        let (token, hash) = new_token();
        assert_eq!(URL_SAFE_NO_PAD.decode(&token).unwrap().len(), 32);
        assert_eq!(hash.len(), 64);
        assert_ne!(token, hash);
        assert_eq!(hash_token(&token), hash);
        assert_ne!(new_token().0, token);
    }
}
