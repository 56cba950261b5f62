//! Attempt limits: per client IP (sign-in, sign-up, mail requests), and for every password check
//! of an account, per account and client together, under a looser ceiling per account. A
//! stranger guessing at one IP's pace cannot lock the owner out (the owner's own IP has its own
//! count), while many IPs together still cannot guess faster than the ceiling. IPv6 clients are
//! counted per /64, the block one subscriber gets. Counters live in this process: with N
//! instances the effective limits are up to N times higher (documented).

use std::{net::IpAddr, num::NonZeroU32};

use governor::{
    clock::{Clock, DefaultClock},
    DefaultKeyedRateLimiter, Quota, RateLimiter,
};

/// Sign-in and sign-up attempts per client IP per minute (a burst of this many, then one per 2 s).
pub const PER_IP_PER_MINUTE: NonZeroU32 = NonZeroU32::new(30).unwrap();
/// Password checks per account and client IP per minute.
pub const PER_EMAIL_PER_MINUTE: NonZeroU32 = NonZeroU32::new(5).unwrap();
/// Password checks per account per minute, from all IPs together.
pub const PER_EMAIL_CEILING_PER_MINUTE: NonZeroU32 = NonZeroU32::new(20).unwrap();

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
    per_email_and_ip: DefaultKeyedRateLimiter<(String, IpAddr)>,
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
            per_email_and_ip: RateLimiter::keyed(Quota::per_minute(PER_EMAIL_PER_MINUTE)),
            per_email: RateLimiter::keyed(Quota::per_minute(PER_EMAIL_CEILING_PER_MINUTE)),
            clock: DefaultClock::default(),
        }
    }

    pub fn check_ip(&self, ip: IpAddr) -> Result<(), RateLimited> {
        if !self.enabled {
            return Ok(());
        }
        self.per_ip
            .check_key(&client_key(ip))
            .map_err(|not_until| self.limited("ip", not_until))
    }

    /// Counts an attempt on the account with this (normalised) email from `ip`: sign-in, the
    /// account page's password confirmations, mail requests.
    pub fn check_email(&self, email: &str, ip: IpAddr) -> Result<(), RateLimited> {
        if !self.enabled {
            return Ok(());
        }
        self.per_email_and_ip
            .check_key(&(email.to_owned(), client_key(ip)))
            .map_err(|not_until| self.limited("email_and_ip", not_until))?;
        self.per_email
            .check_key(&email.to_owned())
            .map_err(|not_until| self.limited("email", not_until))
    }

    /// Forgets keys whose quota has fully recovered, so memory stays bounded.
    pub fn forget_idle(&self) {
        self.per_ip.retain_recent();
        self.per_email_and_ip.retain_recent();
        self.per_email.retain_recent();
        self.per_ip.shrink_to_fit();
        self.per_email_and_ip.shrink_to_fit();
        self.per_email.shrink_to_fit();
    }

    fn limited(
        &self,
        limit: &'static str,
        not_until: governor::NotUntil<<DefaultClock as Clock>::Instant>,
    ) -> RateLimited {
        metrics::counter!("badge_rate_limited_total", "limit" => limit).increment(1);
        // Round up: "retry after 0 seconds" would invite an immediate, refused retry.
        let wait = not_until.wait_time_from(self.clock.now());
        RateLimited {
            retry_after_secs: wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
        }
    }
}

/// The key a client is counted under: its IPv4 address, or its IPv6 /64 (one subscriber's
/// block, so rotating through it does not escape the limit).
fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6((u128::from(v6) & (u128::MAX << 64)).into()),
        },
        v4 => v4,
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
        let ip: IpAddr = "203.0.113.10".parse().unwrap();
        for _ in 0..PER_EMAIL_PER_MINUTE.get() {
            limits.check_email(ada.as_str(), ip).unwrap();
        }
        assert!(limits.check_email(ada.as_str(), ip).is_err());
        limits
            .check_email(Email::parse("bob@example.com").unwrap().as_str(), ip)
            .unwrap();
    }

    #[test]
    fn a_stranger_at_the_allowed_pace_does_not_lock_the_owner_out() {
        let limits = RateLimits::default();
        let attacker: IpAddr = "203.0.113.66".parse().unwrap();
        let owner: IpAddr = "198.51.100.7".parse().unwrap();
        for _ in 0..PER_EMAIL_PER_MINUTE.get() {
            limits.check_email("ada@example.com", attacker).unwrap();
        }
        assert!(limits.check_email("ada@example.com", attacker).is_err());
        limits.check_email("ada@example.com", owner).unwrap();
    }

    #[test]
    fn many_ips_together_meet_the_ceiling() {
        let limits = RateLimits::default();
        for i in 0..PER_EMAIL_CEILING_PER_MINUTE.get() {
            let ip = IpAddr::from([203, 0, 113, u8::try_from(i).unwrap()]);
            limits.check_email("ada@example.com", ip).unwrap();
        }
        assert!(limits
            .check_email("ada@example.com", "198.51.100.200".parse().unwrap())
            .is_err());
    }

    #[test]
    fn ipv6_clients_count_per_64_block() {
        let a: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let other: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(client_key(a), client_key(b));
        assert_ne!(client_key(a), client_key(other));
        let mapped: IpAddr = "::ffff:203.0.113.5".parse().unwrap();
        assert_eq!(client_key(mapped), "203.0.113.5".parse::<IpAddr>().unwrap());
    }
}
