//! The one clock: unix seconds, as sessions store them and badges carry them.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Seconds since 1970 (0 if the system clock is set before it).
pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// A duration in whole seconds, as the unix times it is added to (saturating).
pub fn secs(d: Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX)
}
