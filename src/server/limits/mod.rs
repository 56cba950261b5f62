//! Attempt limits, and what each one protects.
//!
//! - Per client IP (IPv6 per /64, the block one subscriber gets): every sign-in, sign-up and
//!   mail request.
//! - Password checks on an account: per account and client IP, and under a ceiling per account
//!   that only FAILED checks spend (a right password gives its attempt back). The ceiling is
//!   checked before the per-client budget is spent, so a refused attempt costs the client
//!   nothing. A stranger guessing from one IP meets their own per-client limit; many IPs
//!   together meet the ceiling.
//! - The owner's own browser is not refused because of a stranger's failures: a password check
//!   from a browser holding the account's device cookie (set at each sign-in) or a session of
//!   the account counts against that browser's own budget instead of the account's.
//! - Mail: per address and overall, apart from every password limit, so asking for reset links
//!   can neither lock anyone out nor flood a mailbox.
//!
//! Counters live in this process (`memory`), each table capped: with N instances the limits
//! are up to N times higher (the README says so; the shared limiter of the next issue ends it).

mod memory;

use std::{net::IpAddr, time::Duration, time::Instant};

use memory::MemoryLimiter;
pub use memory::Quota;

/// Sign-in, sign-up and mail requests per client IP (a burst of 30, then one per 2 s).
pub const PER_IP: Quota = Quota::per_minute(30);
/// Password checks per account and client IP.
pub const PER_ACCOUNT_AND_IP: Quota = Quota::per_minute(5);
/// Failed password checks per account, from every IP together.
pub const FAILURES_PER_ACCOUNT: Quota = Quota::per_minute(20);
/// Password checks from the owner's own browser (device cookie or session).
pub const PER_TRUSTED_BROWSER: Quota = Quota::per_minute(5);
/// Mails (reset and verification links) per address.
pub const MAILS_PER_ADDRESS: Quota = Quota::new(3, Duration::from_secs(15 * 60));
/// Mails from this instance, to every address together.
pub const MAILS_OVERALL: Quota = Quota::per_minute(60);
/// Keys one limit remembers at most (~100 bytes each).
const KEYS_PER_LIMIT: usize = 100_000;

/// An attempt over the limit; the caller should wait this long.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("rate limited for {retry_after_secs} s")]
pub struct RateLimited {
    pub retry_after_secs: u64,
}

/// A password check under way: tell `Limits::password_accepted` when it succeeded, so the
/// account's ceiling counts only failures.
#[must_use = "a right password must give its attempt back"]
pub struct PasswordCheck {
    ceiling_key: Option<String>,
}

/// Where a password check comes from: a browser of the owner's (device cookie or session) or
/// anyone.
pub enum Browser<'a> {
    Trusted(&'a str),
    Unknown,
}

pub struct Limits {
    /// `AUTH_RATE_LIMIT=false` turns the limits off (load tests only).
    enabled: bool,
    per_ip: MemoryLimiter,
    per_account_and_ip: MemoryLimiter,
    failures_per_account: MemoryLimiter,
    per_trusted_browser: MemoryLimiter,
    mails_per_address: MemoryLimiter,
    mails_overall: MemoryLimiter,
}

impl Default for Limits {
    fn default() -> Self {
        Self::new(true)
    }
}

impl Limits {
    pub fn new(enabled: bool) -> Self {
        let limit = |quota| MemoryLimiter::new(quota, KEYS_PER_LIMIT);
        Self {
            enabled,
            per_ip: limit(PER_IP),
            per_account_and_ip: limit(PER_ACCOUNT_AND_IP),
            failures_per_account: limit(FAILURES_PER_ACCOUNT),
            per_trusted_browser: limit(PER_TRUSTED_BROWSER),
            mails_per_address: limit(MAILS_PER_ADDRESS),
            mails_overall: limit(MAILS_OVERALL),
        }
    }

    pub fn check_ip(&self, ip: IpAddr) -> Result<(), RateLimited> {
        self.check_ip_at(ip, Instant::now())
    }

    /// Counts a password check on the account with this (normalised) email.
    pub fn begin_password_check(
        &self,
        email: &str,
        ip: IpAddr,
        browser: Browser<'_>,
    ) -> Result<PasswordCheck, RateLimited> {
        self.begin_password_check_at(email, ip, browser, Instant::now())
    }

    /// The password was right: its attempt does not count against the account's ceiling.
    pub fn password_accepted(&self, check: PasswordCheck) {
        self.password_accepted_at(check, Instant::now());
    }

    /// Counts a mail to `email` (a reset or verification link).
    pub fn check_mail(&self, email: &str) -> Result<(), RateLimited> {
        self.check_mail_at(email, Instant::now())
    }

    /// Forgets keys whose quota has fully recovered.
    pub fn sweep(&self) {
        let now = Instant::now();
        for limiter in [
            &self.per_ip,
            &self.per_account_and_ip,
            &self.failures_per_account,
            &self.per_trusted_browser,
            &self.mails_per_address,
            &self.mails_overall,
        ] {
            limiter.sweep(now);
        }
    }

    fn check_ip_at(&self, ip: IpAddr, now: Instant) -> Result<(), RateLimited> {
        if !self.enabled {
            return Ok(());
        }
        acquire(&self.per_ip, "ip", &client_key(ip).to_string(), now).map(drop)
    }

    fn begin_password_check_at(
        &self,
        email: &str,
        ip: IpAddr,
        browser: Browser<'_>,
        now: Instant,
    ) -> Result<PasswordCheck, RateLimited> {
        if !self.enabled {
            return Ok(PasswordCheck { ceiling_key: None });
        }
        if let Browser::Trusted(browser) = browser {
            acquire(&self.per_trusted_browser, "trusted_browser", browser, now)?;
            return Ok(PasswordCheck { ceiling_key: None });
        }
        // The ceiling first: refused there, the client's own budget stays untouched.
        let ceiling_key = acquire(&self.failures_per_account, "email", email, now)?;
        let client = format!("{email} {}", client_key(ip));
        if let Err(limited) = acquire(&self.per_account_and_ip, "email_and_ip", &client, now) {
            self.failures_per_account.refund(&ceiling_key, now);
            return Err(limited);
        }
        Ok(PasswordCheck {
            ceiling_key: Some(ceiling_key),
        })
    }

    fn password_accepted_at(&self, check: PasswordCheck, now: Instant) {
        if let Some(key) = check.ceiling_key {
            self.failures_per_account.refund(&key, now);
        }
    }

    fn check_mail_at(&self, email: &str, now: Instant) -> Result<(), RateLimited> {
        if !self.enabled {
            return Ok(());
        }
        let address = acquire(&self.mails_per_address, "mail_address", email, now)?;
        if let Err(limited) = acquire(&self.mails_overall, "mail_overall", "all", now) {
            self.mails_per_address.refund(&address, now);
            return Err(limited);
        }
        Ok(())
    }
}

/// Counts under `key`, or the refusal (counted in the metrics) with a whole-second wait.
fn acquire(
    limiter: &MemoryLimiter,
    limit: &'static str,
    key: &str,
    now: Instant,
) -> Result<String, RateLimited> {
    limiter.acquire(key, now).map_err(|wait| {
        metrics::counter!("badge_rate_limited_total", "limit" => limit).increment(1);
        // Round up: "retry after 0 seconds" would invite an immediate, refused retry.
        RateLimited {
            retry_after_secs: wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
        }
    })
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

    const ADA: &str = "ada@example.com";

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    /// A failed password check from `from`.
    fn fail(limits: &Limits, from: &str, now: Instant) -> Result<(), RateLimited> {
        limits
            .begin_password_check_at(ADA, ip(from), Browser::Unknown, now)
            .map(drop)
    }

    #[test]
    fn the_ip_limit_refuses_after_the_burst_with_a_retry_time() {
        let limits = Limits::default();
        let now = Instant::now();
        for _ in 0..PER_IP.count {
            limits.check_ip_at(ip("203.0.113.7"), now).unwrap();
        }
        assert_eq!(
            limits.check_ip_at(ip("203.0.113.7"), now),
            Err(RateLimited {
                retry_after_secs: 2
            })
        );
        limits.check_ip_at(ip("203.0.113.8"), now).unwrap();
    }

    #[test]
    fn disabled_limits_never_refuse() {
        let limits = Limits::new(false);
        let now = Instant::now();
        for _ in 0..=PER_IP.count {
            limits.check_ip_at(ip("203.0.113.9"), now).unwrap();
            fail(&limits, "203.0.113.9", now).unwrap();
            limits.check_mail_at(ADA, now).unwrap();
        }
    }

    #[test]
    fn a_stranger_at_the_allowed_pace_does_not_lock_the_owner_out() {
        let limits = Limits::default();
        let now = Instant::now();
        for _ in 0..PER_ACCOUNT_AND_IP.count {
            fail(&limits, "203.0.113.66", now).unwrap();
        }
        assert!(fail(&limits, "203.0.113.66", now).is_err());
        fail(&limits, "198.51.100.7", now).unwrap();
    }

    #[test]
    fn failures_from_many_ips_together_meet_the_ceiling() {
        let limits = Limits::default();
        let now = Instant::now();
        for i in 0..FAILURES_PER_ACCOUNT.count {
            fail(&limits, &format!("203.0.113.{i}"), now).unwrap();
        }
        assert!(fail(&limits, "198.51.100.200", now).is_err());
    }

    #[test]
    fn right_passwords_give_their_attempt_back_to_the_ceiling() {
        let limits = Limits::default();
        let now = Instant::now();
        for i in 0..3 * FAILURES_PER_ACCOUNT.count {
            let check = limits
                .begin_password_check_at(ADA, ip(&format!("203.0.113.{i}")), Browser::Unknown, now)
                .unwrap();
            limits.password_accepted_at(check, now);
        }
        fail(&limits, "198.51.100.1", now).unwrap();
    }

    #[test]
    fn a_refusal_by_the_ceiling_spends_nothing_of_the_clients_budget() {
        let limits = Limits::default();
        let now = Instant::now();
        for i in 0..FAILURES_PER_ACCOUNT.count {
            fail(&limits, &format!("203.0.113.{i}"), now).unwrap();
        }
        for _ in 0..10 {
            assert!(fail(&limits, "198.51.100.7", now).is_err());
        }
        // Once the ceiling has room again, the owner's address still has its whole budget.
        let later = now + FAILURES_PER_ACCOUNT.period;
        for _ in 0..PER_ACCOUNT_AND_IP.count {
            fail(&limits, "198.51.100.7", later).unwrap();
        }
    }

    #[test]
    fn the_owners_browser_is_not_refused_for_a_strangers_failures() {
        let limits = Limits::default();
        let now = Instant::now();
        for i in 0..FAILURES_PER_ACCOUNT.count {
            fail(&limits, &format!("203.0.113.{i}"), now).unwrap();
        }
        let owner = || {
            limits.begin_password_check_at(
                ADA,
                ip("203.0.113.0"),
                Browser::Trusted("device:1"),
                now,
            )
        };
        for _ in 0..PER_TRUSTED_BROWSER.count {
            owner().map(drop).unwrap();
        }
        assert!(
            owner().is_err(),
            "a stolen device cookie still has a budget"
        );
    }

    #[test]
    fn mails_have_a_budget_per_address_apart_from_sign_in() {
        let limits = Limits::default();
        let now = Instant::now();
        for _ in 0..MAILS_PER_ADDRESS.count {
            limits.check_mail_at(ADA, now).unwrap();
        }
        assert!(limits.check_mail_at(ADA, now).is_err());
        limits.check_mail_at("bob@example.com", now).unwrap();
        fail(&limits, "198.51.100.7", now).unwrap();
    }

    #[test]
    fn mails_overall_are_capped_whatever_the_addresses() {
        let limits = Limits::default();
        let now = Instant::now();
        let sent = (0..2 * MAILS_OVERALL.count)
            .filter(|n| {
                limits
                    .check_mail_at(&format!("user{n}@example.com"), now)
                    .is_ok()
            })
            .count();
        assert_eq!(sent, MAILS_OVERALL.count as usize);
    }

    #[test]
    fn ipv6_clients_count_per_64_block() {
        assert_eq!(
            client_key(ip("2001:db8:1:2::1")),
            client_key(ip("2001:db8:1:2:ffff::9"))
        );
        assert_ne!(
            client_key(ip("2001:db8:1:2::1")),
            client_key(ip("2001:db8:1:3::1"))
        );
        assert_eq!(client_key(ip("::ffff:203.0.113.5")), ip("203.0.113.5"));
    }
}
