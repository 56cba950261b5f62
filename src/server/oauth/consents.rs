//! What a person allowed each client: remembered per client and scopes, so the consent page is
//! shown once, and again only when a client asks for more (better-auth#5025 re-used it). The
//! account page lists them as Connected apps, with when each was last used.

use sqlx::FromRow;

use super::Scopes;
use crate::server::{clock::unix_now, db::Db};

/// The scopes `user_id` allowed `client_id`, if any.
pub async fn granted(db: &Db, user_id: &str, client_id: &str) -> sqlx::Result<Scopes> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT scope FROM oauth_consents WHERE user_id = $1 AND client_id = $2")
            .bind(user_id)
            .bind(client_id)
            .fetch_optional(db)
            .await?;
    Ok(row.map_or_else(Scopes::default, |(scope,)| Scopes::parse(&scope)))
}

/// Remembers that `user_id` allowed `client_id` these scopes (on top of earlier ones).
pub async fn grant(db: &Db, user_id: &str, client_id: &str, scopes: Scopes) -> sqlx::Result<()> {
    let all = granted(db, user_id, client_id).await?.union(scopes);
    sqlx::query(
        "INSERT INTO oauth_consents (user_id, client_id, scope, granted_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (user_id, client_id) DO UPDATE SET scope = excluded.scope, \
         granted_at = excluded.granted_at",
    )
    .bind(user_id)
    .bind(client_id)
    .bind(all.to_string())
    .bind(unix_now())
    .execute(db)
    .await?;
    Ok(())
}

/// Notes that `client_id` just used its grant from `user_id` (a code or a refresh). A first-party
/// client, never asked, is remembered here with the scopes it used, so it is listed (and can be
/// revoked) among the person's connected apps too.
pub async fn touch(db: &Db, user_id: &str, client_id: &str, scope: &str) -> sqlx::Result<()> {
    let now = unix_now();
    sqlx::query(
        "INSERT INTO oauth_consents (user_id, client_id, scope, granted_at, last_used_at) \
         VALUES ($1, $2, $3, $4, $4) \
         ON CONFLICT (user_id, client_id) DO UPDATE SET last_used_at = excluded.last_used_at",
    )
    .bind(user_id)
    .bind(client_id)
    .bind(scope)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

/// An app the person allowed, as their account page lists it.
#[derive(Debug, FromRow)]
pub struct ConnectedApp {
    pub client_id: String,
    pub name: String,
    pub scope: String,
    pub granted_at: i64,
    pub last_used_at: Option<i64>,
}

/// The apps `user_id` allowed, most recently used first.
pub async fn connected(db: &Db, user_id: &str) -> sqlx::Result<Vec<ConnectedApp>> {
    sqlx::query_as(
        "SELECT c.client_id, k.name, c.scope, c.granted_at, c.last_used_at FROM oauth_consents c \
         JOIN oauth_clients k ON k.client_id = c.client_id WHERE c.user_id = $1 \
         ORDER BY COALESCE(c.last_used_at, c.granted_at) DESC, k.name",
    )
    .bind(user_id)
    .fetch_all(db)
    .await
}
