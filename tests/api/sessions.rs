use std::{sync::Arc, time::Duration};

use badge::server::{
    accounts::sessions::{self, ClientInfo, Lifetime},
    db::{Db, HousekeepingDb},
};
use sqlx::Row;

use crate::helpers::{
    clears_session_cookie, client_from, cookie_header, session_cookie, spawn_app, spawn_app_with,
    unix_now, TestDatabase, PASSWORD,
};

#[tokio::test]
async fn the_session_endpoint_returns_the_user_then_none_after_sign_out() {
    let app = spawn_app().await;
    let email = app.signed_up_user().await;
    let before = app.session().await;

    let response = app.sign_out().await;

    assert_eq!(before["email"], email.as_str());
    assert!(before["id"].as_str().is_some_and(|id| !id.is_empty()));
    assert_eq!(response.status(), 200);
    assert!(clears_session_cookie(&response));
    assert!(app.session().await.is_null());
    let rows: i64 = sqlx::query("SELECT COUNT(*) AS n FROM sessions")
        .fetch_one(&app.db().await)
        .await
        .unwrap()
        .get("n");
    assert_eq!(rows, 0, "sign-out deletes the session row");
}

#[tokio::test]
async fn sign_out_twice_is_fine() {
    let app = spawn_app().await;
    app.signed_up_user().await;

    assert_eq!(app.sign_out().await.status(), 200);
    assert_eq!(app.sign_out().await.status(), 200);
}

#[tokio::test]
async fn a_cookie_stolen_before_sign_out_is_refused_after_it() {
    let app = spawn_app().await;
    let email = crate::helpers::unique_email();
    let response = app.sign_up(&email, PASSWORD).await;
    let stolen = cookie_header(&response);

    app.sign_out().await;
    let thief = client_from(Some(&app.address));
    let answer = thief
        .post(app.url("/api/auth/session"))
        .header("accept", "application/json")
        .header("cookie", &stolen)
        .send()
        .await
        .unwrap();

    assert_eq!(answer.status(), 200);
    assert!(answer.json::<serde_json::Value>().await.unwrap().is_null());
}

#[tokio::test]
async fn the_database_holds_only_a_hash_of_the_session_token() {
    let app = spawn_app().await;
    let response = app.sign_up(&crate::helpers::unique_email(), PASSWORD).await;
    let token = session_cookie(&response).value().to_owned();

    let row = sqlx::query("SELECT token_hash, user_agent, ip FROM sessions")
        .fetch_one(&app.db().await)
        .await
        .unwrap();

    let stored: String = row.get("token_hash");
    assert_ne!(stored, token);
    assert!(!stored.contains(&token));
    assert_eq!(stored, badge_sha256_hex(&token));
    assert_eq!(
        row.get::<Option<String>, _>("ip").as_deref(),
        Some("127.0.0.1")
    );
}

fn badge_sha256_hex(token: &str) -> String {
    use sha2::{Digest, Sha256};
    format!("{:x}", Sha256::digest(token.as_bytes()))
}

#[tokio::test]
async fn an_expired_session_is_signed_out_and_its_cookie_cleared() {
    let app = spawn_app().await;
    app.signed_up_user().await;
    sqlx::query("UPDATE sessions SET expires_at = 0")
        .execute(&app.db().await)
        .await
        .unwrap();

    let response = app.post_form("/api/auth/session", &[]).await;

    assert!(clears_session_cookie(&response), "stale cookie cleared");
    assert!(response
        .json::<serde_json::Value>()
        .await
        .unwrap()
        .is_null());
}

#[tokio::test]
async fn a_session_older_than_a_day_slides_its_expiry_forward() {
    let app = spawn_app().await;
    app.signed_up_user().await;
    let db = app.db().await;
    sqlx::query(
        "UPDATE sessions SET last_seen_at = last_seen_at - 90000, expires_at = expires_at - 90000",
    )
    .execute(&db)
    .await
    .unwrap();
    let before: i64 = sqlx::query("SELECT expires_at FROM sessions")
        .fetch_one(&db)
        .await
        .unwrap()
        .get("expires_at");

    let response = app.post_form("/api/auth/session", &[]).await;

    let after: i64 = sqlx::query("SELECT expires_at FROM sessions")
        .fetch_one(&db)
        .await
        .unwrap()
        .get("expires_at");
    assert!(
        after >= before + 86_400,
        "expiry moved from {before} to {after}"
    );
    assert_eq!(
        session_cookie(&response).max_age(),
        Some(std::time::Duration::from_secs(604_800)),
        "cookie refreshed"
    );
}

#[tokio::test]
async fn a_session_older_than_its_absolute_lifetime_is_refused_however_active() {
    let app = spawn_app().await;
    app.signed_up_user().await;
    sqlx::query("UPDATE sessions SET created_at = $1, last_seen_at = $2")
        .bind(unix_now() - 30 * 86_400 - 60)
        .bind(unix_now() - 60)
        .execute(&app.db().await)
        .await
        .unwrap();

    let response = app.post_form("/api/auth/session", &[]).await;

    assert!(clears_session_cookie(&response));
    assert!(response
        .json::<serde_json::Value>()
        .await
        .unwrap()
        .is_null());
}

#[tokio::test]
async fn sliding_never_carries_a_session_past_its_absolute_lifetime() {
    let app = spawn_app_with(|vars| {
        vars.insert("SESSION_MAX_AGE", "10d".into());
    })
    .await;
    app.signed_up_user().await;
    let db = app.db().await;
    let created_at = unix_now() - 9 * 86_400;
    sqlx::query("UPDATE sessions SET created_at = $1, last_seen_at = $2")
        .bind(created_at)
        .bind(unix_now() - 2 * 86_400)
        .execute(&db)
        .await
        .unwrap();

    let response = app.post_form("/api/auth/session", &[]).await;

    let expires_at: i64 = sqlx::query("SELECT expires_at FROM sessions")
        .fetch_one(&db)
        .await
        .unwrap()
        .get("expires_at");
    assert_eq!(expires_at, created_at + 10 * 86_400);
    let max_age = session_cookie(&response).max_age().expect("a Max-Age");
    assert!(
        max_age <= std::time::Duration::from_secs(86_400),
        "the cookie ends with the session: {max_age:?}"
    );
}

#[tokio::test]
async fn the_home_page_shows_the_signed_in_email_in_its_server_rendered_header() {
    let app = spawn_app().await;
    let email = app.signed_up_user().await;

    let html = app.get("/").await.text().await.unwrap();

    assert!(html.contains(&email), "{html}");
    assert!(html.contains("Sign out"), "{html}");
}

/// A migrated database holding `count` sessions (one user each) with no server running on it:
/// a server's start-up housekeeping would prune beside the test (on SQLite at the lowest CPU
/// priority, so on a busy machine after the test had expired its rows).
async fn sessions_no_server_prunes(count: usize) -> (Arc<TestDatabase>, Db, Vec<String>) {
    let database = TestDatabase::create().await;
    let db = badge::server::db::connect(database.url(), None)
        .await
        .unwrap();
    let lifetime = Lifetime {
        ttl: Duration::from_secs(3600),
        max_age: Duration::from_secs(7200),
    };
    let client = ClientInfo {
        ip: "127.0.0.1".parse().unwrap(),
        user_agent: None,
    };
    let mut hashes = Vec::new();
    for n in 0..count {
        let user_id = format!("user-{n}");
        sqlx::query(
            "INSERT INTO users (id, email, password_hash, created_at) VALUES ($1, $2, 'x', 0)",
        )
        .bind(&user_id)
        .bind(format!("{user_id}@example.com"))
        .execute(&db)
        .await
        .unwrap();
        let token = sessions::create(&db, &user_id, "pwd", lifetime, &client)
            .await
            .unwrap();
        hashes.push(token.hash());
    }
    (database, db, hashes)
}

async fn expire(db: &Db, token_hash: &str) {
    sqlx::query("UPDATE sessions SET expires_at = 0 WHERE token_hash = $1")
        .bind(token_hash)
        .execute(db)
        .await
        .unwrap();
}

async fn session_hashes(db: &Db) -> Vec<String> {
    sqlx::query_scalar("SELECT token_hash FROM sessions ORDER BY token_hash")
        .fetch_all(db)
        .await
        .unwrap()
}

#[tokio::test]
async fn pruning_deletes_expired_sessions_and_keeps_live_ones() {
    let (_database, db, mut hashes) = sessions_no_server_prunes(3).await;
    hashes.sort();
    expire(&db, &hashes[0]).await;

    let mut housekeeping = HousekeepingDb::open(&db).await.unwrap();
    let pruned = sessions::prune_expired(&mut housekeeping).await.unwrap();

    assert_eq!(pruned, 1);
    assert_eq!(session_hashes(&db).await, hashes[1..]);
}

#[tokio::test]
async fn pruning_in_batches_deletes_every_expired_session() {
    let (_database, db, mut hashes) = sessions_no_server_prunes(6).await;
    hashes.sort();
    for hash in &hashes[1..] {
        expire(&db, hash).await;
    }

    let batches = sessions::PruneBatches {
        first: 2,
        min: 2,
        max: 2,
        ..Default::default()
    };
    let mut housekeeping = HousekeepingDb::open(&db).await.unwrap();
    let pruned = sessions::prune_expired_in_batches(&mut housekeeping, batches)
        .await
        .unwrap();

    assert_eq!(pruned, 5);
    assert_eq!(session_hashes(&db).await, hashes[..1]);
}

#[tokio::test]
async fn every_session_records_how_its_person_signed_in() {
    let app = spawn_app().await;
    let email = app.signed_up_user().await;
    assert_eq!(app.sign_in(&email, PASSWORD).await.status(), 200);

    let amr: Vec<String> = sqlx::query("SELECT amr FROM sessions")
        .fetch_all(&app.db().await)
        .await
        .unwrap()
        .iter()
        .map(|row| row.get("amr"))
        .collect();

    assert_eq!(amr, ["pwd", "pwd"], "sign-up and sign-in, both by password");
}
