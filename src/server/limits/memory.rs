//! Keyed attempt counters in this process's memory, by the generic cell rate algorithm (GCRA):
//! per key one instant, the "theoretical arrival time" of the next attempt. A quota of `count`
//! per `period` allows a burst of `count`, then one every `period / count`. Checking and
//! counting is one step under the lock, and an attempt counted can be given back (`refund`)
//! when it turned out not to be one that should count.
//!
//! Memory is bounded: at most `cap` keys. A key whose quota has fully recovered holds nothing
//! worth keeping, so a full table first forgets those (at most once a second); if it is still
//! full, new keys share one overflow counter until room frees up: rotating through addresses
//! then slows every newcomer down together, but never lifts a limit or grows the process.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

/// `count` attempts per `period`.
#[derive(Clone, Copy, Debug)]
pub struct Quota {
    pub count: u32,
    pub period: Duration,
}

impl Quota {
    pub const fn per_minute(count: u32) -> Self {
        Self::new(count, Duration::from_secs(60))
    }

    pub const fn new(count: u32, period: Duration) -> Self {
        Self { count, period }
    }

    /// The time one attempt takes to recover.
    fn interval(&self) -> Duration {
        self.period / self.count.max(1)
    }
}

/// The key every newcomer counts under while the table is full.
const OVERFLOW: &str = "\u{0}overflow";
/// A full table looks for recovered keys at most this often.
const SWEEP_AT_MOST_EVERY: Duration = Duration::from_secs(1);

pub struct MemoryLimiter {
    quota: Quota,
    cap: usize,
    state: Mutex<Table>,
}

#[derive(Default)]
struct Table {
    next_at: HashMap<String, Instant>,
    swept_at: Option<Instant>,
}

impl MemoryLimiter {
    pub fn new(quota: Quota, cap: usize) -> Self {
        Self {
            quota,
            cap,
            state: Mutex::default(),
        }
    }

    /// Counts an attempt under `key` at `now` if the quota allows one; otherwise how long until
    /// it would. Returns the key actually counted (the overflow key when the table is full), to
    /// refund it later.
    pub fn acquire(&self, key: &str, now: Instant) -> Result<String, Duration> {
        let mut table = self.table();
        let key = if table.next_at.contains_key(key) || table.has_room(self.cap, now) {
            key
        } else {
            OVERFLOW
        };
        let next_at =
            table.next_at.get(key).map_or(now, |at| (*at).max(now)) + self.quota.interval();
        let allowed_until = now + self.quota.period;
        if next_at > allowed_until {
            return Err(next_at - allowed_until);
        }
        table.next_at.insert(key.to_owned(), next_at);
        Ok(key.to_owned())
    }

    /// Gives back one attempt counted under `key` (it turned out not to count).
    pub fn refund(&self, key: &str, now: Instant) {
        let mut table = self.table();
        if let Some(at) = table.next_at.get_mut(key) {
            match at.checked_sub(self.quota.interval()) {
                Some(earlier) if earlier > now => *at = earlier,
                _ => {
                    table.next_at.remove(key);
                }
            }
        }
    }

    /// Forgets the keys whose quota has fully recovered.
    pub fn sweep(&self, now: Instant) {
        let mut table = self.table();
        table.sweep(now);
        table.next_at.shrink_to_fit();
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.table().next_at.len()
    }

    fn table(&self) -> std::sync::MutexGuard<'_, Table> {
        // A panic elsewhere cannot leave the map half-updated: every write is one insert/remove.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Table {
    fn has_room(&mut self, cap: usize, now: Instant) -> bool {
        if self.next_at.len() < cap {
            return true;
        }
        let may_sweep = self
            .swept_at
            .is_none_or(|at| now.saturating_duration_since(at) >= SWEEP_AT_MOST_EVERY);
        if may_sweep {
            self.sweep(now);
        }
        self.next_at.len() < cap
    }

    fn sweep(&mut self, now: Instant) {
        self.next_at.retain(|_, at| *at > now);
        self.swept_at = Some(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIVE_A_MINUTE: Quota = Quota::per_minute(5);

    #[test]
    fn a_burst_of_the_quota_then_one_per_interval() {
        let limiter = MemoryLimiter::new(FIVE_A_MINUTE, 100);
        let start = Instant::now();
        for _ in 0..5 {
            limiter.acquire("ada", start).unwrap();
        }
        assert_eq!(limiter.acquire("ada", start), Err(Duration::from_secs(12)));
        assert!(limiter
            .acquire("ada", start + Duration::from_secs(11))
            .is_err());
        limiter
            .acquire("ada", start + Duration::from_secs(12))
            .unwrap();
        limiter.acquire("bob", start).unwrap();
    }

    #[test]
    fn a_refund_gives_the_attempt_back() {
        let limiter = MemoryLimiter::new(FIVE_A_MINUTE, 100);
        let now = Instant::now();
        for _ in 0..20 {
            let key = limiter.acquire("ada", now).unwrap();
            limiter.refund(&key, now);
        }
        assert_eq!(limiter.len(), 0, "nothing left to remember");
        for _ in 0..5 {
            limiter.acquire("ada", now).unwrap();
        }
        assert!(limiter.acquire("ada", now).is_err());
    }

    #[test]
    fn rotating_keys_never_grow_the_table_past_its_cap_nor_escape_the_limit() {
        let limiter = MemoryLimiter::new(FIVE_A_MINUTE, 1_000);
        let now = Instant::now();
        let allowed = (0..100_000)
            .filter(|n| limiter.acquire(&format!("203.0.{n}"), now).is_ok())
            .count();

        assert!(limiter.len() <= 1_001, "{} keys held", limiter.len());
        // The first thousand keys got their own counter; every later one shared the overflow's.
        assert_eq!(allowed, 1_000 + 5);
    }

    #[test]
    fn a_full_table_makes_room_from_recovered_keys() {
        let limiter = MemoryLimiter::new(FIVE_A_MINUTE, 10);
        let start = Instant::now();
        for n in 0..10 {
            limiter.acquire(&format!("old {n}"), start).unwrap();
        }
        let later = start + Duration::from_secs(13);

        assert_eq!(limiter.acquire("new", later), Ok("new".to_owned()));
        assert_eq!(limiter.len(), 1);
    }
}
