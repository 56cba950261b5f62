//! The limits' rules, on a clock the tests set.

use super::*;

const ADA: &str = "ada@example.com";
const SECOND: Micros = 1_000_000;
const NOW: Micros = 1_000 * SECOND;

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

fn limits() -> Limits {
    Limits::in_memory(true)
}

/// A failed password check from `from` (never accepted).
async fn fail(limits: &Limits, from: &str, now: Micros) -> Result<(), LimitError> {
    let check = limits
        .begin_password_check_at(ADA, ip(from), Browser::Unknown, now)
        .await?;
    drop(check);
    Ok(())
}

#[tokio::test]
async fn the_ip_limit_refuses_after_the_burst_with_a_retry_time() {
    let limits = limits();
    for _ in 0..PER_IP.quota.count {
        limits
            .check_client_at(&PER_IP, ip("203.0.113.7"), NOW)
            .await
            .unwrap();
    }
    match limits
        .check_client_at(&PER_IP, ip("203.0.113.7"), NOW)
        .await
    {
        Err(LimitError::Limited(limited)) => assert_eq!(limited.retry_after_secs, 2),
        other => panic!("{other:?}"),
    }
    limits
        .check_client_at(&PER_IP, ip("203.0.113.8"), NOW)
        .await
        .unwrap();
}

#[tokio::test]
async fn disabled_limits_never_refuse() {
    let limits = Limits::in_memory(false);
    for _ in 0..=PER_IP.quota.count {
        limits
            .check_client_at(&PER_IP, ip("203.0.113.9"), NOW)
            .await
            .unwrap();
        fail(&limits, "203.0.113.9", NOW).await.unwrap();
        limits.check_mail_at(ADA, NOW).await.unwrap();
    }
}

#[tokio::test]
async fn a_stranger_at_the_allowed_pace_does_not_lock_the_owner_out() {
    let limits = limits();
    for _ in 0..PER_ACCOUNT_AND_IP.quota.count {
        fail(&limits, "203.0.113.66", NOW).await.unwrap();
    }
    assert!(fail(&limits, "203.0.113.66", NOW).await.is_err());
    fail(&limits, "198.51.100.7", NOW).await.unwrap();
}

#[tokio::test]
async fn failures_from_many_ips_together_meet_the_ceiling() {
    let limits = limits();
    for i in 0..FAILURES_PER_ACCOUNT.quota.count {
        fail(&limits, &format!("203.0.113.{i}"), NOW).await.unwrap();
    }
    assert!(fail(&limits, "198.51.100.200", NOW).await.is_err());
}

#[tokio::test]
async fn right_passwords_give_their_attempt_back_to_the_ceiling() {
    let limits = limits();
    for i in 0..3 * FAILURES_PER_ACCOUNT.quota.count {
        let from = ip(&format!("203.0.113.{i}"));
        let check = limits
            .begin_password_check_at(ADA, from, Browser::Unknown, NOW)
            .await
            .unwrap();
        limits.password_accepted(check).await;
    }
    fail(&limits, "198.51.100.1", NOW).await.unwrap();
}

#[tokio::test]
async fn a_refusal_by_the_ceiling_spends_nothing_of_the_clients_budget() {
    let limits = limits();
    for i in 0..FAILURES_PER_ACCOUNT.quota.count {
        fail(&limits, &format!("203.0.113.{i}"), NOW).await.unwrap();
    }
    for _ in 0..10 {
        assert!(fail(&limits, "198.51.100.7", NOW).await.is_err());
    }
    // Once the ceiling has room again, the owner's address still has its whole budget.
    let later = NOW + FAILURES_PER_ACCOUNT.quota.period_micros();
    for _ in 0..PER_ACCOUNT_AND_IP.quota.count {
        fail(&limits, "198.51.100.7", later).await.unwrap();
    }
}

#[tokio::test]
async fn the_owners_browser_is_not_refused_for_a_strangers_failures() {
    let limits = limits();
    for i in 0..FAILURES_PER_ACCOUNT.quota.count {
        fail(&limits, &format!("203.0.113.{i}"), NOW).await.unwrap();
    }
    let owner = || async {
        let browser = Browser::Trusted("device 1");
        let check = limits.begin_password_check_at(ADA, ip("203.0.113.0"), browser, NOW);
        check.await.map(drop)
    };
    for _ in 0..PER_TRUSTED_BROWSER.quota.count {
        owner().await.unwrap();
    }
    assert!(
        owner().await.is_err(),
        "a stolen device cookie still has a budget"
    );
}

#[tokio::test]
async fn mails_have_a_budget_per_address_apart_from_sign_in() {
    let limits = limits();
    for _ in 0..MAILS_PER_ADDRESS.quota.count {
        limits.check_mail_at(ADA, NOW).await.unwrap();
    }
    assert!(limits.check_mail_at(ADA, NOW).await.is_err());
    limits.check_mail_at("bob@example.com", NOW).await.unwrap();
    fail(&limits, "198.51.100.7", NOW).await.unwrap();
}

#[tokio::test]
async fn mails_overall_are_capped_whatever_the_addresses() {
    let limits = limits();
    let mut sent = 0;
    for n in 0..2 * MAILS_OVERALL.quota.count {
        let to = format!("user{n}@example.com");
        sent += u32::from(limits.check_mail_at(&to, NOW).await.is_ok());
    }
    assert_eq!(sent, MAILS_OVERALL.quota.count);
}

#[test]
fn ipv6_clients_count_per_64_block() {
    let block = |text| client_key(ip(text));
    assert_eq!(block("2001:db8:1:2::1"), block("2001:db8:1:2:ffff::9"));
    assert_ne!(block("2001:db8:1:2::1"), block("2001:db8:1:3::1"));
    assert_eq!(block("::ffff:203.0.113.5"), ip("203.0.113.5"));
}
