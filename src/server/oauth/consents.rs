//! What a person allowed each client: remembered per client and scopes, so the consent page is
//! shown once, and again only when a client asks for more (better-auth#5025 re-used it).

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
