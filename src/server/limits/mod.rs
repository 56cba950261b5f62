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
//! Where the counters live is chosen once at start-up (`store`): in this process's memory on
//! SQLite (one instance); shared by every instance in PostgreSQL's `rate_limits` table, or in
//! Redis when `REDIS_URL` is set. Each check counts in one atomic step, so parallel attempts
//! over any number of instances get no more than one instance allows.

mod gcra;
mod memory;
mod postgres;
mod redis;
mod store;

use std::net::IpAddr;

use gcra::Micros;
pub use gcra::{now, Quota};
pub use store::{Counted, Counters, StoreChoice};

/// One limit: its name (in metrics and stored keys) and its quota.
#[derive(Clone, Copy, Debug)]
pub struct Limit {
    pub name: &'static str,
    pub quota: Quota,
}

/// Sign-in, sign-up and mail requests per client IP (a burst of 30, then one per 2 s).
pub const PER_IP: Limit = Limit {
    name: "ip",
    quota: Quota::per_minute(30),
};
/// Password checks per account and client IP.
pub const PER_ACCOUNT_AND_IP: Limit = Limit {
    name: "email_and_ip",
    quota: Quota::per_minute(5),
};
/// Failed password checks per account, from every IP together.
pub const FAILURES_PER_ACCOUNT: Limit = Limit {
    name: "email",
    quota: Quota::per_minute(20),
};
/// Password checks from the owner's own browser (device cookie or session).
pub const PER_TRUSTED_BROWSER: Limit = Limit {
    name: "trusted_browser",
    quota: Quota::per_minute(5),
};
/// Wrong two-factor codes per account (a challenge also ends after 5).
pub const TWO_FACTOR_CODES_PER_ACCOUNT: Limit = Limit {
    name: "two_factor",
    quota: Quota::new(10, std::time::Duration::from_secs(15 * 60)),
};
/// Passkey ceremonies and sign-ins per client IP (a sign-in page asks for options as it opens).
pub const PASSKEYS_PER_IP: Limit = Limit {
    name: "passkey_ip",
    quota: Quota::per_minute(30),
};
/// Mails (reset and verification links) per address.
pub const MAILS_PER_ADDRESS: Limit = Limit {
    name: "mail_address",
    quota: Quota::new(3, std::time::Duration::from_secs(15 * 60)),
};
/// Mails to every address together (per instance on SQLite, per site when shared).
pub const MAILS_OVERALL: Limit = Limit {
    name: "mail_overall",
    quota: Quota::per_minute(60),
};

/// Why an attempt was not counted.
#[derive(Debug, thiserror::Error)]
pub enum LimitError {
    /// Over the limit; the caller should wait this long.
    #[error(transparent)]
    Limited(#[from] RateLimited),
    /// The shared store (PostgreSQL) did not answer: like any database outage, 503.
    #[error("the attempt counters cannot be read: {0}")]
    Unavailable(#[from] sqlx::Error),
}

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
    ceiling: Option<store::Counted>,
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
    counters: Counters,
}

impl Limits {
    pub fn new(enabled: bool, counters: Counters) -> Self {
        Self { enabled, counters }
    }

    /// Limits in this process's memory (SQLite, tests).
    pub fn in_memory(enabled: bool) -> Self {
        Self::new(enabled, Counters::memory())
    }

    pub async fn check_ip(&self, ip: IpAddr) -> Result<(), LimitError> {
        self.check_client_at(&PER_IP, ip, gcra::now()).await
    }

    /// Counts a passkey request (options or an answer) from `ip`.
    pub async fn check_passkey(&self, ip: IpAddr) -> Result<(), LimitError> {
        self.check_client_at(&PASSKEYS_PER_IP, ip, gcra::now())
            .await
    }

    /// Counts a password check on the account with this (normalised) email.
    pub async fn begin_password_check(
        &self,
        email: &str,
        ip: IpAddr,
        browser: Browser<'_>,
    ) -> Result<PasswordCheck, LimitError> {
        self.begin_password_check_at(email, ip, browser, gcra::now())
            .await
    }

    /// The password was right: its attempt does not count against the account's ceiling.
    pub async fn password_accepted(&self, check: PasswordCheck) {
        if let Some(counted) = check.ceiling {
            self.counters.refund(counted, gcra::now()).await;
        }
    }

    /// Counts a two-factor code for the account `user_id`; tell `code_accepted` when it was
    /// right, so only wrong codes count.
    pub async fn begin_code_check(&self, user_id: &str) -> Result<PasswordCheck, LimitError> {
        if !self.enabled {
            return Ok(PasswordCheck { ceiling: None });
        }
        let counted = self
            .counters
            .acquire(&TWO_FACTOR_CODES_PER_ACCOUNT, user_id, gcra::now())
            .await?;
        Ok(PasswordCheck {
            ceiling: Some(counted),
        })
    }

    /// Counts a mail to `email` (a reset or verification link).
    pub async fn check_mail(&self, email: &str) -> Result<(), LimitError> {
        self.check_mail_at(email, gcra::now()).await
    }

    /// Forgets counters whose quota has fully recovered (housekeeping).
    pub async fn sweep(&self) {
        self.counters.sweep(gcra::now()).await;
    }

    async fn check_client_at(
        &self,
        limit: &Limit,
        ip: IpAddr,
        now: Micros,
    ) -> Result<(), LimitError> {
        if !self.enabled {
            return Ok(());
        }
        let key = client_key(ip).to_string();
        self.counters.acquire(limit, &key, now).await.map(drop)
    }

    async fn begin_password_check_at(
        &self,
        email: &str,
        ip: IpAddr,
        browser: Browser<'_>,
        now: Micros,
    ) -> Result<PasswordCheck, LimitError> {
        if !self.enabled {
            return Ok(PasswordCheck { ceiling: None });
        }
        if let Browser::Trusted(browser) = browser {
            let counted = self
                .counters
                .acquire(&PER_TRUSTED_BROWSER, browser, now)
                .await;
            return counted.map(|_| PasswordCheck { ceiling: None });
        }
        // The ceiling first: refused there, the client's own budget stays untouched.
        let ceiling = self
            .counters
            .acquire(&FAILURES_PER_ACCOUNT, email, now)
            .await?;
        let client = format!("{email} {}", client_key(ip));
        match self
            .counters
            .acquire(&PER_ACCOUNT_AND_IP, &client, now)
            .await
        {
            Ok(_) => Ok(PasswordCheck {
                ceiling: Some(ceiling),
            }),
            Err(error) => {
                self.counters.refund(ceiling, now).await;
                Err(error)
            }
        }
    }

    async fn check_mail_at(&self, email: &str, now: Micros) -> Result<(), LimitError> {
        if !self.enabled {
            return Ok(());
        }
        let address = self
            .counters
            .acquire(&MAILS_PER_ADDRESS, email, now)
            .await?;
        if let Err(error) = self.counters.acquire(&MAILS_OVERALL, "all", now).await {
            self.counters.refund(address, now).await;
            return Err(error);
        }
        Ok(())
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
mod tests;
