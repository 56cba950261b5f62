//! Counters every instance shares through PostgreSQL: the `rate_limits` table (UNLOGGED: a
//! crash may lose counters, which only forgives some attempts; it never shares them wrongly),
//! checked and counted in ONE statement per attempt. `INSERT … ON CONFLICT DO UPDATE` locks the
//! key's row, so parallel attempts on any number of instances are counted one after another
//! and never get past the limit together (Zitadel GHSA-7h8m-vrxx-vr4m). The arithmetic is
//! `gcra::admit`, written in SQL.

use super::{
    gcra::{self, Micros},
    Limit,
};
use crate::server::db::Db;

pub struct PostgresCounters {
    db: Db,
}

impl PostgresCounters {
    /// Makes the table UNLOGGED if it is not yet (counters need no crash safety, and an
    /// unlogged commit waits for no disk); safe to run on several instances at once.
    pub async fn open(db: Db) -> sqlx::Result<Self> {
        sqlx::query(
            "DO $$ BEGIN \
               IF (SELECT relpersistence FROM pg_class WHERE oid = 'rate_limits'::regclass) = 'p' \
               THEN ALTER TABLE rate_limits SET UNLOGGED; END IF; \
             END $$",
        )
        .execute(&db)
        .await?;
        Ok(Self { db })
    }

    /// Counts an attempt under `key` if `limit` allows it: `Ok(Ok(()))`; refused:
    /// `Ok(Err(wait))`.
    pub async fn acquire(
        &self,
        limit: &Limit,
        key: &str,
        now: Micros,
    ) -> sqlx::Result<Result<(), Micros>> {
        let key = stored_key(limit, key);
        let quota = limit.quota;
        let counted: Option<(i64,)> = sqlx::query_as(
            "INSERT INTO rate_limits (key, next_at) VALUES ($1, $2 + $3) \
             ON CONFLICT (key) DO UPDATE SET next_at = GREATEST(rate_limits.next_at, $2) + $3 \
             WHERE GREATEST(rate_limits.next_at, $2) + $3 <= $2 + $4 \
             RETURNING next_at",
        )
        .bind(&key)
        .bind(now)
        .bind(quota.interval())
        .bind(quota.period_micros())
        .fetch_optional(&self.db)
        .await?;
        if counted.is_some() {
            return Ok(Ok(()));
        }
        // Refused (the row is there, or the statement would have inserted it): how long for?
        let stored: Option<(i64,)> =
            sqlx::query_as("SELECT next_at FROM rate_limits WHERE key = $1")
                .bind(&key)
                .fetch_optional(&self.db)
                .await?;
        let wait = gcra::admit(stored.map(|(next_at,)| next_at), now, quota)
            .err()
            .unwrap_or(1);
        Ok(Err(wait))
    }

    /// Gives back one attempt counted under `key` (a `next_at` in the past reads as recovered).
    pub async fn refund(&self, limit: &Limit, key: &str) -> sqlx::Result<()> {
        sqlx::query("UPDATE rate_limits SET next_at = next_at - $2 WHERE key = $1")
            .bind(stored_key(limit, key))
            .bind(limit.quota.interval())
            .execute(&self.db)
            .await?;
        Ok(())
    }

    /// Deletes the counters that have fully recovered; returns how many.
    pub async fn delete_recovered(&self, now: Micros) -> sqlx::Result<u64> {
        let done = sqlx::query("DELETE FROM rate_limits WHERE next_at <= $1")
            .bind(now)
            .execute(&self.db)
            .await?;
        Ok(done.rows_affected())
    }
}

fn stored_key(limit: &Limit, key: &str) -> String {
    format!("{}:{key}", limit.name)
}
