//! The `signing_keys` table: every query on it lives here. Each change is one transaction whose
//! first statement writes, and new keys take an explicit `generation`, unique per algorithm: of
//! two processes creating the same key, one commits and the other gets `LostRace` and re-reads.
//! Keys are generated before the transaction begins (an RSA key takes a moment), off the async
//! workers.

use sqlx::{Any, Executor, FromRow};

use super::{
    life_cycle::KeyTimes,
    material::{KeyAlgorithm, NewKey},
};
use crate::server::{
    db::Db,
    sealing::{SealError, Sealer},
};

#[derive(Clone, Debug, FromRow)]
pub struct KeyRow {
    pub kid: String,
    pub generation: i64,
    pub algorithm: String,
    pub public_key: String,
    pub sealed_private_key: String,
    pub created_at: i64,
    pub activates_at: i64,
    pub retires_at: Option<i64>,
}

impl KeyRow {
    /// `None` for an algorithm this version does not know (the row is then ignored).
    pub fn key_algorithm(&self) -> Option<KeyAlgorithm> {
        KeyAlgorithm::from_name(&self.algorithm)
    }

    pub fn times(&self) -> KeyTimes {
        KeyTimes {
            kid: self.kid.clone(),
            generation: self.generation,
            activates_at: self.activates_at,
            retires_at: self.retires_at,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Seal(#[from] SealError),
    #[error("another process changed the keys at the same moment; try again")]
    LostRace,
    #[error("no key has the id {0}")]
    UnknownKid(String),
    #[error("generating a {0} key failed (the system's randomness is unavailable)")]
    Generation(&'static str),
}

/// A fresh key of `algorithm`, made on a blocking thread.
async fn generate(algorithm: KeyAlgorithm) -> Result<NewKey, StoreError> {
    tokio::task::spawn_blocking(move || algorithm.generate())
        .await
        .ok()
        .flatten()
        .ok_or(StoreError::Generation(algorithm.name()))
}

pub async fn all(db: &Db) -> sqlx::Result<Vec<KeyRow>> {
    sqlx::query_as(
        "SELECT kid, generation, algorithm, public_key, sealed_private_key, created_at, \
         activates_at, retires_at FROM signing_keys ORDER BY algorithm, generation",
    )
    .fetch_all(db)
    .await
}

/// True while the key `kid` is in the key set: a revoked key is deleted at once, so a token
/// it signed is dead to introspection before other instances re-read the set.
pub async fn is_stored(db: &Db, kid: &str) -> sqlx::Result<bool> {
    let found: Option<(String,)> = sqlx::query_as("SELECT kid FROM signing_keys WHERE kid = $1")
        .bind(kid)
        .fetch_optional(db)
        .await?;
    Ok(found.is_some())
}

/// Creates the `algorithm` key of `generation` (one more than the newest the caller saw),
/// signing from `activates_at`; every older key of the algorithm still signing then retires at
/// that moment.
pub async fn create(
    db: &Db,
    sealer: &Sealer,
    algorithm: KeyAlgorithm,
    generation: i64,
    activates_at: i64,
    now: i64,
) -> Result<String, StoreError> {
    let key = generate(algorithm).await?;
    let mut tx = db.begin().await?;
    let kid = insert(
        &mut *tx,
        sealer,
        algorithm,
        &key,
        generation,
        activates_at,
        now,
    )
    .await?;
    retire_older(&mut *tx, algorithm, generation, activates_at).await?;
    tx.commit().await?;
    Ok(kid)
}

/// "Sign with a new key from now on": the next key if one is published, else a new one; the
/// key signing until now retires now (and stays published).
pub async fn rotate_now(
    db: &Db,
    sealer: &Sealer,
    algorithm: KeyAlgorithm,
    newest: i64,
    now: i64,
) -> Result<String, StoreError> {
    let key = generate(algorithm).await?;
    let mut tx = db.begin().await?;
    // The first statement writes, so on SQLite this transaction holds the write lock from here.
    let promoted = sqlx::query(
        "UPDATE signing_keys SET activates_at = $1 \
         WHERE algorithm = $2 AND generation = $3 AND activates_at > $1",
    )
    .bind(now)
    .bind(algorithm.name())
    .bind(newest)
    .execute(&mut *tx)
    .await?;
    let (kid, generation) = if promoted.rows_affected() == 1 {
        let kid: (String,) =
            sqlx::query_as("SELECT kid FROM signing_keys WHERE algorithm = $1 AND generation = $2")
                .bind(algorithm.name())
                .bind(newest)
                .fetch_one(&mut *tx)
                .await?;
        (kid.0, newest)
    } else {
        let generation = newest + 1;
        (
            insert(&mut *tx, sealer, algorithm, &key, generation, now, now).await?,
            generation,
        )
    };
    retire_older(&mut *tx, algorithm, generation, now).await?;
    tx.commit().await?;
    Ok(kid)
}

/// Removes a key at once. When it was the one signing, a new key takes over in the same
/// transaction.
pub async fn revoke(db: &Db, sealer: &Sealer, kid: &str, now: i64) -> Result<(), StoreError> {
    let algorithm = all(db)
        .await?
        .iter()
        .find(|row| row.kid == kid)
        .and_then(KeyRow::key_algorithm)
        .ok_or_else(|| StoreError::UnknownKid(kid.to_owned()))?;
    // The replacement, should the key be the one signing.
    let key = generate(algorithm).await?;
    let mut tx = db.begin().await?;
    let removed: Option<KeyRow> = sqlx::query_as(
        "DELETE FROM signing_keys WHERE kid = $1 RETURNING kid, generation, algorithm, \
         public_key, sealed_private_key, created_at, activates_at, retires_at",
    )
    .bind(kid)
    .fetch_optional(&mut *tx)
    .await?;
    let removed = removed.ok_or_else(|| StoreError::UnknownKid(kid.to_owned()))?;
    let was_signing = removed.activates_at <= now && removed.retires_at.is_none_or(|r| r > now);
    if was_signing {
        let newest: (Option<i64>,) =
            sqlx::query_as("SELECT MAX(generation) FROM signing_keys WHERE algorithm = $1")
                .bind(algorithm.name())
                .fetch_one(&mut *tx)
                .await?;
        let generation = newest.0.unwrap_or(0).max(removed.generation) + 1;
        insert(&mut *tx, sealer, algorithm, &key, generation, now, now).await?;
        retire_older(&mut *tx, algorithm, generation, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

pub async fn delete(db: &Db, kid: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM signing_keys WHERE kid = $1")
        .bind(kid)
        .execute(db)
        .await?;
    Ok(())
}

/// Replaces a key's sealed private half, unless another process already did.
pub async fn reseal(db: &Db, kid: &str, old: &str, new: &str) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE signing_keys SET sealed_private_key = $1 WHERE kid = $2 AND sealed_private_key = $3",
    )
    .bind(new)
    .bind(kid)
    .bind(old)
    .execute(db)
    .await?;
    Ok(())
}

async fn insert<'c>(
    executor: impl Executor<'c, Database = Any>,
    sealer: &Sealer,
    algorithm: KeyAlgorithm,
    key: &NewKey,
    generation: i64,
    activates_at: i64,
    now: i64,
) -> Result<String, StoreError> {
    let sealed = sealer.seal(&key.kid, &key.private)?;
    let inserted = sqlx::query(
        "INSERT INTO signing_keys (kid, generation, algorithm, public_key, sealed_private_key, \
         created_at, activates_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&key.kid)
    .bind(generation)
    .bind(algorithm.name())
    .bind(&key.public_key)
    .bind(&sealed)
    .bind(now)
    .bind(activates_at)
    .execute(executor)
    .await;
    match inserted {
        Ok(_) => Ok(key.kid.clone()),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Err(StoreError::LostRace),
        Err(e) => Err(e.into()),
    }
}

async fn retire_older<'c>(
    executor: impl Executor<'c, Database = Any>,
    algorithm: KeyAlgorithm,
    generation: i64,
    at: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE signing_keys SET retires_at = $1 \
         WHERE algorithm = $2 AND generation < $3 AND (retires_at IS NULL OR retires_at > $1)",
    )
    .bind(at)
    .bind(algorithm.name())
    .bind(generation)
    .execute(executor)
    .await?;
    Ok(())
}
