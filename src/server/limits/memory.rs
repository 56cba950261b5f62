//! Counters in this process's memory: the store on SQLite (one instance), and the fallback of
//! the Redis store. Checking and counting is one step under the lock.
//!
//! Memory is bounded: each limit keeps at most `cap` keys. A key whose `next_at` has passed
//! holds nothing worth keeping, so a full table first forgets those (at most once a second);
//! if it is still full, new keys share one overflow counter until room frees up: rotating
//! through addresses then slows every newcomer down together, but never lifts a limit or grows
//! the process.

use std::{collections::HashMap, sync::Mutex};

use super::gcra::{self, Micros};
use super::Limit;

/// The key every newcomer counts under while a table is full.
const OVERFLOW: &str = "\u{0}overflow";
/// A full table looks for recovered keys at most this often.
const SWEEP_AT_MOST_EVERY: Micros = 1_000_000;

pub struct MemoryCounters {
    cap: usize,
    tables: Mutex<HashMap<&'static str, Table>>,
}

#[derive(Default)]
struct Table {
    next_at: HashMap<String, Micros>,
    swept_at: Option<Micros>,
}

impl MemoryCounters {
    /// Counters keeping at most `cap` keys per limit.
    pub fn new(cap: usize) -> Self {
        Self {
            cap,
            tables: Mutex::default(),
        }
    }

    /// Counts an attempt under `key` if `limit` allows one; otherwise how long until it would.
    /// Returns the key actually counted (the overflow key when the table is full), to refund.
    pub fn acquire(&self, limit: &Limit, key: &str, now: Micros) -> Result<String, Micros> {
        let mut tables = self.tables();
        let table = tables.entry(limit.name).or_default();
        let key = if table.next_at.contains_key(key) || table.has_room(self.cap, now) {
            key
        } else {
            OVERFLOW
        };
        let next_at = gcra::admit(table.next_at.get(key).copied(), now, limit.quota)?;
        table.next_at.insert(key.to_owned(), next_at);
        Ok(key.to_owned())
    }

    /// Gives back one attempt counted under `key`.
    pub fn refund(&self, limit: &Limit, key: &str, now: Micros) {
        let mut tables = self.tables();
        let Some(table) = tables.get_mut(limit.name) else {
            return;
        };
        let Some(stored) = table.next_at.get(key).copied() else {
            return;
        };
        match gcra::refund(stored, now, limit.quota) {
            Some(earlier) => table.next_at.insert(key.to_owned(), earlier),
            None => table.next_at.remove(key),
        };
    }

    /// Forgets the keys whose quota has fully recovered.
    pub fn sweep(&self, now: Micros) {
        for table in self.tables().values_mut() {
            table.sweep(now);
            table.next_at.shrink_to_fit();
        }
    }

    fn tables(&self) -> std::sync::MutexGuard<'_, HashMap<&'static str, Table>> {
        // A panic elsewhere cannot leave a map half-updated: every write is one insert/remove.
        self.tables.lock().unwrap_or_else(|e| e.into_inner())
    }

    #[cfg(test)]
    fn len(&self, limit: &Limit) -> usize {
        self.tables().get(limit.name).map_or(0, |t| t.next_at.len())
    }
}

impl Table {
    fn has_room(&mut self, cap: usize, now: Micros) -> bool {
        if self.next_at.len() < cap {
            return true;
        }
        if self
            .swept_at
            .is_none_or(|at| now.saturating_sub(at) >= SWEEP_AT_MOST_EVERY)
        {
            self.sweep(now);
        }
        self.next_at.len() < cap
    }

    fn sweep(&mut self, now: Micros) {
        self.next_at.retain(|_, next_at| *next_at > now);
        self.swept_at = Some(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::limits::gcra::Quota;

    const LIMIT: Limit = Limit {
        name: "test",
        quota: Quota::per_minute(5),
    };
    const SECOND: Micros = 1_000_000;

    #[test]
    fn a_refund_gives_the_attempt_back_and_forgets_what_is_left_of_nothing() {
        let counters = MemoryCounters::new(100);
        let now = 1_000 * SECOND;
        for _ in 0..20 {
            let key = counters.acquire(&LIMIT, "ada", now).unwrap();
            counters.refund(&LIMIT, &key, now);
        }
        assert_eq!(counters.len(&LIMIT), 0, "nothing left to remember");
        for _ in 0..5 {
            counters.acquire(&LIMIT, "ada", now).unwrap();
        }
        assert!(counters.acquire(&LIMIT, "ada", now).is_err());
    }

    #[test]
    fn rotating_keys_never_grow_a_table_past_its_cap_nor_escape_the_limit() {
        let counters = MemoryCounters::new(1_000);
        let now = 1_000 * SECOND;
        let allowed = (0..100_000)
            .filter(|n| counters.acquire(&LIMIT, &format!("203.0.{n}"), now).is_ok())
            .count();

        assert!(
            counters.len(&LIMIT) <= 1_001,
            "{} keys held",
            counters.len(&LIMIT)
        );
        // The first thousand keys got their own counter; every later one shared the overflow's.
        assert_eq!(allowed, 1_000 + 5);
    }

    #[test]
    fn a_full_table_makes_room_from_recovered_keys() {
        let counters = MemoryCounters::new(10);
        let start = 1_000 * SECOND;
        for n in 0..10 {
            counters
                .acquire(&LIMIT, &format!("old {n}"), start)
                .unwrap();
        }
        let later = start + 13 * SECOND;

        assert_eq!(counters.acquire(&LIMIT, "new", later), Ok("new".to_owned()));
        assert_eq!(counters.len(&LIMIT), 1);
    }

    #[test]
    fn each_limit_has_a_table_of_its_own() {
        let counters = MemoryCounters::new(10);
        let other = Limit {
            name: "other",
            ..LIMIT
        };
        let now = 1_000 * SECOND;
        for n in 0..10 {
            counters.acquire(&LIMIT, &format!("{n}"), now).unwrap();
        }
        assert_eq!(counters.acquire(&other, "ada", now), Ok("ada".to_owned()));
    }
}
