//! Limits shared by every instance (DESIGN "Limits shared by every instance"): two instances on
//! one PostgreSQL database, or with `REDIS_URL`, allow what one instance allows, also to
//! attempts fired in parallel at both; a Redis outage falls back to each instance's memory
//! (never open) and is counted; counters expire.

use std::sync::Arc;

use badge::server::limits::{Counters, Limit, LimitError, Quota, StoreChoice};
use futures::future::join_all;

use crate::{
    helpers::{spawn_app_on, TestApp, TestDatabase},
    redis_server::RedisServer,
};

/// One deployment's instances on `database` (and `redis_url` when given), behind a proxy that
/// tells the client's address.
async fn instances(database: &Arc<TestDatabase>, redis_url: Option<String>) -> (TestApp, TestApp) {
    (
        instance(database, redis_url.clone(), false).await,
        instance(database, redis_url, false).await,
    )
}

/// One instance; with `metrics`, recording metrics (served on a port of its own choosing).
async fn instance(
    database: &Arc<TestDatabase>,
    redis_url: Option<String>,
    metrics: bool,
) -> TestApp {
    spawn_app_on(database.clone(), move |vars| {
        vars.insert("SITE_URL", "http://badge.test".into());
        vars.insert("TRUST_PROXY", "true".into());
        if let Some(url) = redis_url {
            vars.insert("REDIS_URL", url);
        }
        if metrics {
            vars.insert("METRICS_ADDR", "127.0.0.1:0".into());
        }
    })
    .await
}

/// A wrong password for `email` from `ip`, at `app`; the status.
async fn guess_from(app: &TestApp, ip: &str, email: &str) -> u16 {
    crate::helpers::client_from(Some("http://badge.test"))
        .post(app.url("/api/auth/sign-in"))
        .header("accept", "application/json")
        .header("x-forwarded-for", ip)
        .form(&[("email", email), ("password", "a wrong guess")])
        .send()
        .await
        .expect("request sent")
        .status()
        .as_u16()
}

/// A wrong password for `email` from 203.0.113.9, at `app`; the status.
async fn guess(app: &TestApp, email: &str) -> u16 {
    guess_from(app, "203.0.113.9", email).await
}

/// Ten guesses alternating between the instances, then 24 in parallel at both (for another
/// account); the statuses of each round.
async fn guesses_at_both(a: &TestApp, b: &TestApp) -> (Vec<u16>, Vec<u16>) {
    let at = |n: usize| if n.is_multiple_of(2) { a } else { b };
    let email = crate::helpers::unique_email();
    let mut alternating = Vec::new();
    for n in 0..10 {
        alternating.push(guess(at(n), &email).await);
    }
    // Another account and address, so the per-IP limit (30 a minute) plays no part.
    let email = crate::helpers::unique_email();
    let parallel = join_all((0..24).map(|n| guess_from(at(n), "203.0.113.10", &email))).await;
    (alternating, parallel)
}

/// The counts of 401 and 429 answers.
fn tally(statuses: &[u16]) -> (usize, usize) {
    let count = |status| statuses.iter().filter(|s| **s == status).count();
    (count(401), count(429))
}

/// What one instance allows one client on one account: 5 password checks a minute.
const ONE_INSTANCE_ALLOWS: usize = 5;

/// Guesses alternating between `a` and `b` get what one instance allows, and so do guesses
/// fired at both in parallel; the rest are 429.
async fn allow_together_what_one_allows(a: &TestApp, b: &TestApp) {
    let (alternating, parallel) = guesses_at_both(a, b).await;

    assert_eq!(
        alternating,
        [401, 401, 401, 401, 401, 429, 429, 429, 429, 429]
    );
    assert_eq!(
        tally(&parallel),
        (ONE_INSTANCE_ALLOWS, 24 - ONE_INSTANCE_ALLOWS),
        "{parallel:?}"
    );
}

#[tokio::test]
#[ignore = "needs PostgreSQL (TEST_DATABASE_URL): runs in the PostgreSQL pass of make test"]
async fn two_instances_on_postgresql_allow_what_one_allows() {
    let database = TestDatabase::create().await;
    let (a, b) = instances(&database, None).await;

    allow_together_what_one_allows(&a, &b).await;
}

#[tokio::test]
async fn two_instances_with_redis_allow_what_one_allows() {
    let redis = RedisServer::start();
    let database = TestDatabase::create().await;
    let (a, b) = instances(&database, Some(redis.url())).await;

    allow_together_what_one_allows(&a, &b).await;
}

#[tokio::test]
async fn with_redis_stopped_each_instance_still_limits_and_the_errors_are_counted() {
    let mut redis = RedisServer::start();
    let database = TestDatabase::create().await;
    let a = instance(&database, Some(redis.url()), true).await;
    let b = instance(&database, Some(redis.url()), false).await;
    let errors_before = store_errors();
    redis.stop();

    let email = crate::helpers::unique_email();
    let mut at_a = Vec::new();
    let mut at_b = Vec::new();
    for _ in 0..7 {
        at_a.push(guess(&a, &email).await);
        at_b.push(guess(&b, &email).await);
    }

    let limited = [401, 401, 401, 401, 401, 429, 429];
    assert_eq!(at_a, limited, "never unlimited");
    assert_eq!(at_b, limited, "each instance counts on its own");
    let errors_after = store_errors();
    assert!(
        errors_after > errors_before,
        "badge_rate_limit_store_errors_total counts it ({errors_before} -> {errors_after})"
    );
}

/// `badge_rate_limit_store_errors_total` as the test process's recorder has it (every app in
/// the process records there); 0 before the first error.
fn store_errors() -> u64 {
    badge::server::metrics::render()
        .expect("an app records metrics")
        .lines()
        .filter(|line| line.starts_with("badge_rate_limit_store_errors_total"))
        .filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
        .sum::<f64>() as u64
}

const FIVE_A_MINUTE: Limit = Limit {
    name: "test_five_a_minute",
    quota: Quota::per_minute(5),
};
const SECOND: i64 = 1_000_000;

/// Each store applies the same arithmetic: a burst of 5, then one every 12 s; a refund gives
/// one attempt back; a key of another test run never interferes (`key`).
async fn counts_five_a_minute(counters: &Counters) {
    let key = crate::helpers::unique_email();
    let start = 1_000_000 * SECOND;
    let mut counted = Vec::new();
    for _ in 0..5 {
        counted.push(counters.acquire(&FIVE_A_MINUTE, &key, start).await.unwrap());
    }
    match counters.acquire(&FIVE_A_MINUTE, &key, start).await {
        Err(LimitError::Limited(limited)) => assert_eq!(limited.retry_after_secs, 12),
        other => panic!("{:?}", other.map(drop)),
    }
    assert!(counters
        .acquire(&FIVE_A_MINUTE, &key, start + 11 * SECOND)
        .await
        .is_err());
    counters
        .acquire(&FIVE_A_MINUTE, &key, start + 12 * SECOND)
        .await
        .unwrap();
    counters
        .refund(counted.pop().unwrap(), start + 12 * SECOND)
        .await;
    counters
        .acquire(&FIVE_A_MINUTE, &key, start + 12 * SECOND)
        .await
        .unwrap();
    assert!(counters
        .acquire(&FIVE_A_MINUTE, &key, start + 12 * SECOND)
        .await
        .is_err());
}

#[tokio::test]
async fn the_memory_store_counts_by_the_window_arithmetic() {
    counts_five_a_minute(&Counters::memory()).await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL (TEST_DATABASE_URL): runs in the PostgreSQL pass of make test"]
async fn the_postgresql_store_counts_by_the_window_arithmetic_and_deletes_recovered_counters() {
    let database = TestDatabase::create().await;
    let db = badge::server::db::connect(database.url(), None)
        .await
        .unwrap();
    let counters = Counters::open(StoreChoice::Postgres(db.clone()))
        .await
        .unwrap();

    counts_five_a_minute(&counters).await;

    let persistence: (String,) =
        sqlx::query_as("SELECT relpersistence::text FROM pg_class WHERE relname = 'rate_limits'")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(persistence.0, "u", "UNLOGGED");
    counters.sweep(badge::server::limits::now()).await;
    let left: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM rate_limits")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(left.0, 0, "recovered counters are deleted");
}

#[tokio::test]
async fn the_redis_store_counts_by_the_window_arithmetic_and_its_keys_expire() {
    let redis = RedisServer::start();
    let counters = Counters::open(StoreChoice::Redis(&redis.url()))
        .await
        .unwrap();

    counts_five_a_minute(&counters).await;

    let now = badge::server::limits::now();
    counters
        .acquire(&FIVE_A_MINUTE, "expiring", now)
        .await
        .unwrap();
    let client = redis::Client::open(redis.url()).unwrap();
    let mut connection = client.get_multiplexed_async_connection().await.unwrap();
    let ttl: i64 = redis::cmd("PTTL")
        .arg("badge:limit:test_five_a_minute:expiring")
        .query_async(&mut connection)
        .await
        .unwrap();
    assert!(
        (1..=12_000).contains(&ttl),
        "expires once recovered: {ttl} ms"
    );
}
