//! The `oidc_round_trips` table: a round trip to a provider under way, found by the token its
//! cookie holds and used once.

use sqlx::{Any, Executor, FromRow};

use crate::server::{clock::unix_now, db::HousekeepingDb};

#[derive(Clone, Debug, FromRow)]
pub struct RoundTrip {
    pub provider: String,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
    /// Set when a signed-in person connects the provider to their account.
    pub user_id: Option<String>,
    pub next: String,
    pub expires_at: i64,
}

pub async fn insert<'c>(
    executor: impl Executor<'c, Database = Any>,
    token_hash: &str,
    trip: &RoundTrip,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO oidc_round_trips \
         (token_hash, provider, state, nonce, pkce_verifier, user_id, next, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(token_hash)
    .bind(&trip.provider)
    .bind(&trip.state)
    .bind(&trip.nonce)
    .bind(&trip.pkce_verifier)
    .bind(&trip.user_id)
    .bind(&trip.next)
    .bind(trip.expires_at)
    .execute(executor)
    .await?;
    Ok(())
}

/// Takes the round trip (gone afterwards, whatever the callback brings): of two callbacks with
/// one cookie, one gets it.
pub async fn take<'c>(
    executor: impl Executor<'c, Database = Any>,
    token_hash: &str,
) -> sqlx::Result<Option<RoundTrip>> {
    sqlx::query_as(
        "DELETE FROM oidc_round_trips WHERE token_hash = $1 \
         RETURNING provider, state, nonce, pkce_verifier, user_id, next, expires_at",
    )
    .bind(token_hash)
    .fetch_optional(executor)
    .await
}

/// Removes expired round trips; returns how many.
pub async fn prune_expired(housekeeping: &mut HousekeepingDb) -> sqlx::Result<u64> {
    let done = housekeeping
        .execute(
            sqlx::query("DELETE FROM oidc_round_trips WHERE expires_at <= $1").bind(unix_now()),
        )
        .await?;
    Ok(done.rows_affected())
}
