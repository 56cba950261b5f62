//! The generic cell rate algorithm, in whole microseconds, as every store applies it: per key
//! one instant, `next_at`, the "theoretical arrival time" of the next attempt. A quota of
//! `count` per `period` allows a burst of `count`, then one every `period / count`; an attempt
//! is allowed when counting it keeps `next_at` within one period of now. A key whose `next_at`
//! has passed holds nothing worth keeping (a fresh key behaves the same), so stores expire it.
//! The PostgreSQL statement and the Redis script are this function, written in their language.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Microseconds since the Unix epoch: the clock every instance and store agree on.
pub type Micros = i64;

/// The instance's clock.
pub fn now() -> Micros {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
}

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
    pub fn interval(&self) -> Micros {
        self.period_micros() / i64::from(self.count.max(1))
    }

    pub fn period_micros(&self) -> Micros {
        i64::try_from(self.period.as_micros()).unwrap_or(i64::MAX)
    }
}

/// Counts one attempt on a key whose `next_at` is `stored` (`None`: unknown or expired): the
/// new `next_at` to store, or, refused, how long until an attempt would be allowed.
pub fn admit(stored: Option<Micros>, now: Micros, quota: Quota) -> Result<Micros, Micros> {
    let next_at = stored
        .unwrap_or(now)
        .max(now)
        .saturating_add(quota.interval());
    let allowed_until = now.saturating_add(quota.period_micros());
    if next_at > allowed_until {
        Err(next_at - allowed_until)
    } else {
        Ok(next_at)
    }
}

/// `next_at` once one counted attempt is given back; `None` when nothing is left to keep.
pub fn refund(stored: Micros, now: Micros, quota: Quota) -> Option<Micros> {
    let earlier = stored.saturating_sub(quota.interval());
    (earlier > now).then_some(earlier)
}

/// A wait rounded up to whole seconds, for `Retry-After` ("0 seconds" would invite an
/// immediate, refused retry).
pub fn whole_seconds(wait: Micros) -> u64 {
    u64::try_from(wait.max(1)).unwrap_or(1).div_ceil(1_000_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIVE_A_MINUTE: Quota = Quota::per_minute(5);
    const SECOND: Micros = 1_000_000;

    /// Runs `attempts` attempts at `now` on one key, from `stored`; the allowed count and the
    /// key's `next_at` after them.
    fn attempts(
        mut stored: Option<Micros>,
        now: Micros,
        attempts: usize,
    ) -> (usize, Option<Micros>) {
        let mut allowed = 0;
        for _ in 0..attempts {
            if let Ok(next_at) = admit(stored, now, FIVE_A_MINUTE) {
                stored = Some(next_at);
                allowed += 1;
            }
        }
        (allowed, stored)
    }

    #[test]
    fn a_burst_of_the_quota_then_one_per_interval() {
        let start = 1_000 * SECOND;
        let (allowed, stored) = attempts(None, start, 10);
        assert_eq!(allowed, 5);
        assert_eq!(admit(stored, start, FIVE_A_MINUTE), Err(12 * SECOND));
        assert!(admit(stored, start + 11 * SECOND, FIVE_A_MINUTE).is_err());
        assert!(admit(stored, start + 12 * SECOND, FIVE_A_MINUTE).is_ok());
    }

    #[test]
    fn a_key_recovers_fully_after_a_period() {
        let start = 1_000 * SECOND;
        let (_, stored) = attempts(None, start, 5);
        assert_eq!(stored, Some(start + 60 * SECOND), "expires after a period");
        let (allowed, _) = attempts(stored, start + 60 * SECOND, 10);
        assert_eq!(allowed, 5);
    }

    #[test]
    fn a_refund_gives_one_attempt_back_and_forgets_a_recovered_key() {
        let now = 1_000 * SECOND;
        let (_, stored) = attempts(None, now, 5);
        let back = refund(stored.unwrap(), now, FIVE_A_MINUTE);
        assert_eq!(attempts(back, now, 5).0, 1);
        assert_eq!(refund(now + 12 * SECOND, now, FIVE_A_MINUTE), None);
    }

    #[test]
    fn waits_round_up_to_whole_seconds() {
        assert_eq!(whole_seconds(12 * SECOND), 12);
        assert_eq!(whole_seconds(12 * SECOND + 1), 13);
        assert_eq!(whole_seconds(0), 1);
    }
}
