//! Counters every instance shares through Redis (`REDIS_URL`): one script call per check, so
//! checking and counting is one atomic step on the server; each key expires by itself once its
//! quota has recovered (`PX`). The arithmetic is `gcra::admit`, written in Lua.
//!
//! If Redis does not answer (down, unreachable, slower than `TIMEOUT`), the check falls back to
//! this instance's memory counters, with a warning (at most one every 10 s) and
//! `badge_rate_limit_store_errors_total`: limits then hold per instance, never fall open. The
//! connection is made lazily and remade on its own, so Badge starts and recovers without Redis.

use std::{
    sync::atomic::{AtomicI64, Ordering},
    time::Duration,
};

use redis::{
    aio::{ConnectionManager, ConnectionManagerConfig},
    Script, ScriptInvocation,
};

use super::{gcra::Micros, Limit};

/// Longest a check waits for Redis before it uses the memory counters instead.
const TIMEOUT: Duration = Duration::from_millis(250);
/// A warning about Redis at most this often.
const WARN_EVERY: Micros = 10_000_000;

/// Counts one attempt: `0` when allowed, else the wait (µs) until one would be.
const ACQUIRE: &str = r"
local now, interval, period = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local next_at = math.max(tonumber(redis.call('GET', KEYS[1])) or now, now) + interval
if next_at > now + period then
  return next_at - now - period
end
redis.call('SET', KEYS[1], string.format('%d', next_at), 'PX', math.ceil((next_at - now) / 1000))
return 0
";

/// Gives one counted attempt back.
const REFUND: &str = r"
local now, interval = tonumber(ARGV[1]), tonumber(ARGV[2])
local stored = tonumber(redis.call('GET', KEYS[1]))
if not stored then return 0 end
local earlier = stored - interval
if earlier <= now then
  redis.call('DEL', KEYS[1])
else
  redis.call('SET', KEYS[1], string.format('%d', earlier), 'PX', math.ceil((earlier - now) / 1000))
end
return 0
";

pub struct RedisCounters {
    connection: ConnectionManager,
    acquire: Script,
    refund: Script,
    warned_at: AtomicI64,
}

impl RedisCounters {
    /// Counters at `url` (`redis://host:port/db`, `rediss://` for TLS). Only a malformed URL is
    /// an error: the connection itself is made on first use.
    pub fn open(url: &str) -> redis::RedisResult<Self> {
        let client = redis::Client::open(url)?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(TIMEOUT))
            .set_response_timeout(Some(TIMEOUT))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_secs(1));
        Ok(Self {
            connection: ConnectionManager::new_lazy_with_config(client, config)?,
            acquire: Script::new(ACQUIRE),
            refund: Script::new(REFUND),
            warned_at: AtomicI64::new(i64::MIN),
        })
    }

    /// Counts an attempt under `key` if `limit` allows it (`Some(Ok(()))`; refused:
    /// `Some(Err(wait))`); `None` when Redis did not answer.
    pub async fn acquire(
        &self,
        limit: &Limit,
        key: &str,
        now: Micros,
    ) -> Option<Result<(), Micros>> {
        let mut invocation = self.acquire.key(stored_key(limit, key));
        invocation
            .arg(now)
            .arg(limit.quota.interval())
            .arg(limit.quota.period_micros());
        let answer = self.call(&invocation, now).await?;
        Some(if answer == 0 { Ok(()) } else { Err(answer) })
    }

    /// Gives back one attempt counted under `key`; false when Redis did not answer.
    pub async fn refund(&self, limit: &Limit, key: &str, now: Micros) -> bool {
        let mut invocation = self.refund.key(stored_key(limit, key));
        invocation.arg(now).arg(limit.quota.interval());
        self.call(&invocation, now).await.is_some()
    }

    /// Runs a script; `None` (counted and logged) when Redis did not answer in time.
    async fn call(&self, invocation: &ScriptInvocation<'_>, now: Micros) -> Option<i64> {
        let mut connection = self.connection.clone();
        let answer = tokio::time::timeout(TIMEOUT, invocation.invoke_async(&mut connection)).await;
        match answer {
            Ok(Ok(answer)) => Some(answer),
            Ok(Err(error)) => {
                self.failed(&error.to_string(), now);
                None
            }
            Err(_) => {
                self.failed("no answer in time", now);
                None
            }
        }
    }

    /// Counts a failed call, and says so in the log now and then.
    fn failed(&self, error: &str, now: Micros) {
        metrics::counter!("badge_rate_limit_store_errors_total", "store" => "redis").increment(1);
        let last = self.warned_at.load(Ordering::Relaxed);
        if now.saturating_sub(last) >= WARN_EVERY
            && self
                .warned_at
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            tracing::warn!(
                %error,
                "REDIS_URL: Redis does not answer; attempt limits fall back to this instance's \
                 memory until it does (with N instances, up to N times the attempts)"
            );
        }
    }
}

fn stored_key(limit: &Limit, key: &str) -> String {
    format!("badge:limit:{}:{key}", limit.name)
}
