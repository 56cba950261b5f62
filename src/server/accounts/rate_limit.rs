//! Attempt limits for sign-in and sign-up: per client IP, and per email for sign-in (so one
//! account cannot be guessed at from many IPs faster than from one). Counters live in this
//! process: with N instances the effective limit is up to N times higher (documented).

use std::{net::IpAddr, num::NonZeroU32};

use governor::{
    clock::{Clock, DefaultClock},
    DefaultKeyedRateLimiter, Quota, RateLimiter,
};

/// Sign-in and sign-up attempts per client IP per minute (a burst of this many, then one per 2 s).
pub const PER_IP_PER_MINUTE: NonZeroU32 = NonZeroU32::new(30).unwrap();
/// Sign-in attempts per email per minute.
pub const PER_EMAIL_PER_MINUTE: NonZeroU32 = NonZeroU32::new(5).unwrap();

/// An attempt over the limit; the caller should wait this long.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("rate limited for {retry_after_secs} s")]
pub struct RateLimited {
    pub retry_after_secs: u64,
}

pub struct RateLimits {
    /// `AUTH_RATE_LIMIT=false` turns the limits off (load tests only).
    enabled: bool,
    per_ip: DefaultKeyedRateLimiter<IpAddr>,
    per_email: DefaultKeyedRateLimiter<String>,
    clock: DefaultClock,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self::new(true)
    }
}

impl RateLimits {
    pub fn new(enabled: bool) -> Self {
        Self {
            enabled,
            per_ip: RateLimiter::keyed(Quota::per_minute(PER_IP_PER_MINUTE)),
            per_email: RateLimiter::keyed(Quota::per_minute(PER_EMAIL_PER_MINUTE)),
            clock: DefaultClock::default(),
        }
    }

    pub fn check_ip(&self, ip: IpAddr) -> Result<(), RateLimited> {
        if !self.enabled {
            return Ok(());
        }
        self.per_ip
            .check_key(&ip)
            .map_err(|not_until| self.limited(not_until))
    }

    /// Counts an attempt that checks a password of the account with this (normalised) email:
    /// sign-in, and the account page's password confirmations.
    pub fn check_email(&self, email: &str) -> Result<(), RateLimited> {
        if !self.enabled {
            return Ok(());
        }
        self.per_email
            .check_key(&email.to_owned())
            .map_err(|not_until| self.limited(not_until))
    }

    /// Forgets keys whose quota has fully recovered, so memory stays bounded.
    pub fn forget_idle(&self) {
        self.per_ip.retain_recent();
        self.per_email.retain_recent();
        self.per_ip.shrink_to_fit();
        self.per_email.shrink_to_fit();
    }

    fn limited(
        &self,
        not_until: governor::NotUntil<<DefaultClock as Clock>::Instant>,
    ) -> RateLimited {
        // Round up: "retry after 0 seconds" would invite an immediate, refused retry.
        let wait = not_until.wait_time_from(self.clock.now());
        RateLimited {
            retry_after_secs: wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Email;

    #[test]
    fn the_ip_limit_refuses_after_the_burst_with_a_retry_time() {
        let limits = RateLimits::default();
        let ip: IpAddr = "203.0.113.7".parse().unwrap();
        for _ in 0..PER_IP_PER_MINUTE.get() {
            limits.check_ip(ip).unwrap();
        }
        match limits.check_ip(ip) {
            Err(RateLimited { retry_after_secs }) => {
                assert!((1..=2).contains(&retry_after_secs))
            }
            other => panic!("{other:?}"),
        }
        // Another IP is unaffected.
        limits.check_ip("203.0.113.8".parse().unwrap()).unwrap();
    }

    #[test]
    fn disabled_limits_never_refuse() {
        let limits = RateLimits::new(false);
        for _ in 0..=PER_IP_PER_MINUTE.get() {
            limits.check_ip("203.0.113.9".parse().unwrap()).unwrap();
        }
    }

    #[test]
    fn the_email_limit_is_per_address() {
        let limits = RateLimits::default();
        let ada = Email::parse("ada@example.com").unwrap();
        for _ in 0..PER_EMAIL_PER_MINUTE.get() {
            limits.check_email(ada.as_str()).unwrap();
        }
        assert!(limits.check_email(ada.as_str()).is_err());
        limits
            .check_email(Email::parse("bob@example.com").unwrap().as_str())
            .unwrap();
    }
}
