//! The passkey tables: every query on `passkeys` and `passkey_ceremonies` lives here.

use sqlx::{Any, Executor, FromRow};

use crate::server::{clock::unix_now, db::HousekeepingDb};

/// What a ceremony was started for; a ceremony only completes what it was started for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    Register,
    SignIn,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Self::Register => "register",
            Self::SignIn => "sign_in",
        }
    }
}

pub async fn start_ceremony<'c>(
    executor: impl Executor<'c, Database = Any>,
    token_hash: &str,
    purpose: Purpose,
    user_id: Option<&str>,
    state: &str,
    expires_at: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO passkey_ceremonies (token_hash, purpose, user_id, state, expires_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash)
    .bind(purpose.as_str())
    .bind(user_id)
    .bind(state)
    .bind(expires_at)
    .execute(executor)
    .await?;
    Ok(())
}

#[derive(FromRow)]
pub struct Ceremony {
    pub purpose: String,
    pub user_id: Option<String>,
    pub state: String,
    pub expires_at: i64,
}

/// Takes the ceremony (it is gone afterwards, whatever it was for): the state if it was started
/// for `purpose` (and, for a registration, by `user_id`) and has not expired. Of parallel uses,
/// one gets it.
pub async fn take_ceremony<'c>(
    executor: impl Executor<'c, Database = Any>,
    token_hash: &str,
    purpose: Purpose,
    user_id: Option<&str>,
) -> sqlx::Result<Option<String>> {
    let taken: Option<Ceremony> = sqlx::query_as(
        "DELETE FROM passkey_ceremonies WHERE token_hash = $1 \
         RETURNING purpose, user_id, state, expires_at",
    )
    .bind(token_hash)
    .fetch_optional(executor)
    .await?;
    Ok(taken
        .filter(|c| c.purpose == purpose.as_str())
        .filter(|c| c.user_id.as_deref() == user_id)
        .filter(|c| c.expires_at > unix_now())
        .map(|c| c.state))
}

/// Removes expired ceremonies; returns how many.
pub async fn prune_expired(housekeeping: &mut HousekeepingDb) -> sqlx::Result<u64> {
    let done = housekeeping
        .execute(
            sqlx::query("DELETE FROM passkey_ceremonies WHERE expires_at <= $1").bind(unix_now()),
        )
        .await?;
    Ok(done.rows_affected())
}

/// A new passkey of `user_id`.
pub struct NewPasskey<'a> {
    pub id: &'a str,
    pub user_id: &'a str,
    pub credential_id: &'a str,
    pub name: &'a str,
    pub credential: &'a str,
}

/// Stores it; false when that credential is registered already (to any account).
pub async fn insert<'c>(
    executor: impl Executor<'c, Database = Any>,
    passkey: &NewPasskey<'_>,
    created_at: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO passkeys (id, user_id, credential_id, name, credential, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (credential_id) DO NOTHING",
    )
    .bind(passkey.id)
    .bind(passkey.user_id)
    .bind(passkey.credential_id)
    .bind(passkey.name)
    .bind(passkey.credential)
    .bind(created_at)
    .execute(executor)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[derive(FromRow)]
pub struct StoredPasskey {
    pub id: String,
    pub user_id: String,
    pub credential: String,
}

pub async fn find_by_credential_id<'c>(
    executor: impl Executor<'c, Database = Any>,
    credential_id: &str,
) -> sqlx::Result<Option<StoredPasskey>> {
    sqlx::query_as("SELECT id, user_id, credential FROM passkeys WHERE credential_id = $1")
        .bind(credential_id)
        .fetch_optional(executor)
        .await
}

/// Records a sign-in with the passkey: its updated record (counter, backup flags) and the time,
/// only if the record is still `seen` (neither removed nor used by another sign-in meanwhile).
/// The first statement of the sign-in's transaction, so it holds the row until the session is
/// stored.
pub async fn record_use<'c>(
    executor: impl Executor<'c, Database = Any>,
    id: &str,
    seen: &str,
    updated: &str,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE passkeys SET credential = $1, last_used_at = $2 WHERE id = $3 AND credential = $4",
    )
    .bind(updated)
    .bind(unix_now())
    .bind(id)
    .bind(seen)
    .execute(executor)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[derive(FromRow)]
pub struct ListedPasskey {
    pub id: String,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

/// The user's passkeys, oldest first.
pub async fn list<'c>(
    executor: impl Executor<'c, Database = Any>,
    user_id: &str,
) -> sqlx::Result<Vec<ListedPasskey>> {
    sqlx::query_as(
        "SELECT id, name, created_at, last_used_at FROM passkeys WHERE user_id = $1 \
         ORDER BY created_at, id",
    )
    .bind(user_id)
    .fetch_all(executor)
    .await
}

/// The records of the user's passkeys (to keep one authenticator from registering twice).
pub async fn credentials_of<'c>(
    executor: impl Executor<'c, Database = Any>,
    user_id: &str,
) -> sqlx::Result<Vec<String>> {
    let rows: Vec<(String,)> = sqlx::query_as("SELECT credential FROM passkeys WHERE user_id = $1")
        .bind(user_id)
        .fetch_all(executor)
        .await?;
    Ok(rows.into_iter().map(|(credential,)| credential).collect())
}

/// Removes one of the user's passkeys; false when it is not theirs or gone.
pub async fn delete<'c>(
    executor: impl Executor<'c, Database = Any>,
    user_id: &str,
    id: &str,
) -> sqlx::Result<bool> {
    let done = sqlx::query("DELETE FROM passkeys WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(user_id)
        .execute(executor)
        .await?;
    Ok(done.rows_affected() == 1)
}
