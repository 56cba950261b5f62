//! Where the counters live, chosen once at start-up: memory (SQLite: one instance), PostgreSQL
//! (the default there: every instance shares them) or Redis (`REDIS_URL`). One interface:
//! `acquire` counts an attempt or refuses it, `refund` gives one back, `sweep` forgets what
//! has recovered.

use super::{
    gcra::{self, Micros},
    memory::MemoryCounters,
    postgres::PostgresCounters,
    redis::RedisCounters,
    Limit, LimitError, RateLimited,
};
use crate::server::db::Db;

/// Keys one limit remembers at most in memory (~100 bytes each).
const KEYS_PER_LIMIT: usize = 100_000;

/// Which store the configuration asks for.
pub enum StoreChoice<'a> {
    Memory,
    Postgres(Db),
    Redis(&'a str),
}

pub enum Counters {
    Memory(MemoryCounters),
    Postgres(PostgresCounters),
    /// With this instance's memory as the fallback while Redis does not answer.
    Redis(RedisCounters, MemoryCounters),
}

/// An attempt counted, to give back if it turns out not to count.
pub struct Counted {
    limit: Limit,
    key: String,
    /// Counted in the fallback memory because Redis did not answer.
    in_fallback: bool,
}

impl Counters {
    pub fn memory() -> Self {
        Self::Memory(MemoryCounters::new(KEYS_PER_LIMIT))
    }

    pub async fn open(choice: StoreChoice<'_>) -> anyhow::Result<Self> {
        Ok(match choice {
            StoreChoice::Memory => Self::memory(),
            StoreChoice::Postgres(db) => Self::Postgres(PostgresCounters::open(db).await?),
            StoreChoice::Redis(url) => Self::Redis(
                RedisCounters::open(url)
                    .map_err(|e| anyhow::anyhow!("REDIS_URL: not a usable Redis URL ({e})"))?,
                MemoryCounters::new(KEYS_PER_LIMIT),
            ),
        })
    }

    /// The store's name, for the log and the benchmarks.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Memory(_) => "memory",
            Self::Postgres(_) => "postgres",
            Self::Redis(..) => "redis",
        }
    }

    /// Counts an attempt under `key` if `limit` allows one.
    pub async fn acquire(
        &self,
        limit: &Limit,
        key: &str,
        now: Micros,
    ) -> Result<Counted, LimitError> {
        let counted = |key: String, in_fallback| Counted {
            limit: *limit,
            key,
            in_fallback,
        };
        let outcome = match self {
            Self::Memory(memory) => memory
                .acquire(limit, key, now)
                .map(|key| counted(key, false)),
            Self::Postgres(postgres) => postgres
                .acquire(limit, key, now)
                .await?
                .map(|()| counted(key.to_owned(), false)),
            Self::Redis(redis, fallback) => match redis.acquire(limit, key, now).await {
                Some(outcome) => outcome.map(|()| counted(key.to_owned(), false)),
                None => fallback
                    .acquire(limit, key, now)
                    .map(|key| counted(key, true)),
            },
        };
        outcome.map_err(|wait| refused(limit, wait))
    }

    /// Gives back an attempt `acquire` counted. Best effort: a store that does not answer
    /// keeps the attempt counted (stricter, never looser).
    pub async fn refund(&self, counted: Counted, now: Micros) {
        let Counted {
            limit,
            key,
            in_fallback,
        } = counted;
        match self {
            Self::Memory(memory) => memory.refund(&limit, &key, now),
            Self::Postgres(postgres) => {
                if let Err(error) = postgres.refund(&limit, &key).await {
                    tracing::warn!(%error, "giving back a counted attempt failed");
                }
            }
            Self::Redis(_, fallback) if in_fallback => fallback.refund(&limit, &key, now),
            Self::Redis(redis, _) => {
                redis.refund(&limit, &key, now).await;
            }
        }
    }

    /// Forgets counters that have fully recovered (Redis expires its own).
    pub async fn sweep(&self, now: Micros) {
        match self {
            Self::Memory(memory) | Self::Redis(_, memory) => memory.sweep(now),
            Self::Postgres(postgres) => match postgres.delete_recovered(now).await {
                Ok(0) => {}
                Ok(deleted) => tracing::debug!(deleted, "recovered attempt counters deleted"),
                Err(error) => tracing::warn!(%error, "deleting recovered attempt counters failed"),
            },
        }
    }
}

/// A refusal, counted in the metrics, with its wait in whole seconds.
fn refused(limit: &Limit, wait: Micros) -> LimitError {
    metrics::counter!("badge_rate_limited_total", "limit" => limit.name).increment(1);
    LimitError::Limited(RateLimited {
        retry_after_secs: gcra::whole_seconds(wait),
    })
}
