//! The outbox's guarantees: a mail survives an SMTP outage and a restart of the app, and is
//! delivered exactly once, also when two instances share the database.

use std::time::{Duration, Instant};

use sqlx::Row;

use crate::{
    helpers::{client_from, post_form, spawn_app_on, unique_email, TestDatabase, PASSWORD},
    process::Process,
    smtp_sink::SmtpSink,
};

/// Polls the outbox until `done` holds for its rows (fails after 30 s).
async fn wait_for_outbox(
    db: &sqlx::AnyPool,
    what: &str,
    done: impl Fn(&[sqlx::any::AnyRow]) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let rows =
            sqlx::query("SELECT attempts, sent_at, failed_at, message, last_error FROM outbox")
                .fetch_all(db)
                .await
                .unwrap();
        if done(&rows) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the outbox never reached: {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn pool(url: &str) -> sqlx::AnyPool {
    sqlx::any::install_default_drivers();
    sqlx::AnyPool::connect(url).await.unwrap()
}

#[tokio::test]
async fn a_mail_queued_while_smtp_is_down_is_delivered_once_after_both_restart() {
    let database = TestDatabase::create().await;
    let mut sink = SmtpSink::start();
    sink.stop();
    let app = Process::start(database.url(), &[("SMTP_URL", &sink.url())], "").await;
    let email = unique_email();
    let browser = client_from(Some(&app.address));
    let signed_up = post_form(
        &browser,
        &format!("{}/api/auth/sign-up", app.address),
        &[("email", &email), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(signed_up.status(), 200);
    let db = pool(database.url()).await;
    wait_for_outbox(&db, "a failed attempt", |rows| {
        rows.len() == 1
            && rows[0].get::<i64, _>("attempts") >= 1
            && rows[0].get::<Option<String>, _>("last_error").is_some()
    })
    .await;

    app.kill();
    sink.restart();
    let _restarted = Process::start(database.url(), &[("SMTP_URL", &sink.url())], "").await;

    sink.wait_for(&email, 1).await;
    wait_for_outbox(&db, "sent", |rows| {
        rows.iter()
            .all(|r| r.get::<Option<i64>, _>("sent_at").is_some())
    })
    .await;
    assert_eq!(sink.mails().len(), 1, "delivered exactly once");
}

#[tokio::test]
async fn two_instances_deliver_a_burst_of_fifty_mails_with_no_duplicate() {
    let database = TestDatabase::create().await;
    let sink = SmtpSink::start();
    let vars = |vars: &mut std::collections::HashMap<&'static str, String>| {
        vars.insert("SMTP_URL", sink.url());
        vars.insert("AUTH_RATE_LIMIT", "false".into());
    };
    let one = spawn_app_on(database.clone(), vars).await;
    let two = spawn_app_on(database.clone(), vars).await;
    let email = one.signed_up_user().await;

    for i in 0..50 {
        let app = if i % 2 == 0 { &one } else { &two };
        let stranger = client_from(Some(&app.address));
        let response = post_form(
            &stranger,
            &app.url("/api/auth/request-password-reset"),
            &[("email", &email)],
        )
        .await;
        assert_eq!(response.status(), 200);
    }

    let mails = sink.wait_for(&email, 51).await;
    wait_for_outbox(&one.db().await, "all 51 sent", |rows| {
        rows.len() == 51
            && rows
                .iter()
                .all(|r| r.get::<Option<i64>, _>("sent_at").is_some())
    })
    .await;
    let mut ids: Vec<&str> = mails
        .iter()
        .map(|m| m["message_id"].as_str().unwrap())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 51, "each mail once");
    assert_eq!(sink.mails().len(), 51, "nothing sent twice");
    let resets = mails
        .iter()
        .filter(|m| m["subject"] == "Reset your password")
        .count();
    assert_eq!(resets, 50);
}

#[tokio::test]
async fn a_mail_failing_for_24_hours_is_given_up_and_its_text_erased() {
    let mut sink = SmtpSink::start();
    sink.stop();
    let url = sink.url();
    let app = crate::helpers::spawn_app_with(|vars| {
        vars.insert("SMTP_URL", url);
    })
    .await;
    app.signed_up_user().await;
    let db = app.db().await;
    wait_for_outbox(&db, "a failed attempt", |rows| {
        rows.len() == 1 && rows[0].get::<i64, _>("attempts") >= 1
    })
    .await;

    // As if the first attempt had been a day ago.
    sqlx::query("UPDATE outbox SET created_at = 0, next_attempt_at = 0")
        .execute(&db)
        .await
        .unwrap();

    wait_for_outbox(&db, "given up", |rows| {
        rows[0].get::<Option<i64>, _>("failed_at").is_some()
            && rows[0].get::<Option<i64>, _>("sent_at").is_none()
            && rows[0].get::<String, _>("message").is_empty()
            && rows[0].get::<Option<String>, _>("last_error").is_some()
    })
    .await;
    sink.restart();
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(sink.mails().is_empty(), "a mail given up is never sent");
}

#[tokio::test]
async fn old_finished_mails_are_pruned_and_pending_ones_kept() {
    let sink = SmtpSink::start();
    let url = sink.url();
    let app = crate::helpers::spawn_app_with(|vars| {
        vars.insert("SMTP_URL", url);
    })
    .await;
    let email = app.signed_up_user().await;
    sink.wait_for(&email, 1).await;
    let db = app.db().await;
    wait_for_outbox(&db, "sent", |rows| {
        rows.len() == 1 && rows[0].get::<Option<i64>, _>("sent_at").is_some()
    })
    .await;
    sqlx::query("UPDATE outbox SET sent_at = 0")
        .execute(&db)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO outbox (id, sender, recipient, message, created_at, attempts, next_attempt_at) \
         VALUES ('pending', 'a@example.com', 'b@example.com', 'x', 0, 0, 4000000000)",
    )
    .execute(&db)
    .await
    .unwrap();

    let pruned = badge::server::mail::outbox::prune_finished(&db, Duration::from_secs(86_400))
        .await
        .unwrap();

    assert_eq!(pruned, 1);
    let left: Vec<String> = sqlx::query_scalar("SELECT id FROM outbox")
        .fetch_all(&db)
        .await
        .unwrap();
    assert_eq!(left, ["pending"]);
}

#[tokio::test]
async fn two_workers_and_a_slow_smtp_server_send_each_mail_once() {
    use badge::server::{
        db,
        mail::{delivery, outbox, Composer, MailSeal},
    };
    let database = TestDatabase::create().await;
    let db = db::connect(database.url(), None).await.unwrap();
    // Each mail takes 0.4 s to hand over; the lease is 2 s: a worker holding more than a
    // lease's worth of mails at once loses the rest to the other worker before it sends them.
    let sink = SmtpSink::start_slow(Duration::from_millis(400));
    let composer = Composer::new(
        "Badge <no-reply@example.com>".parse().unwrap(),
        "http://127.0.0.1:3000".into(),
        "127.0.0.1".into(),
        Duration::from_secs(1800),
    );
    let seal = std::sync::Arc::new(MailSeal::new(
        b"a secret of the outbox test, long enough",
        &[],
    ));
    let recipients: Vec<String> = (0..8).map(|_| unique_email()).collect();
    for to in &recipients {
        let mail = composer.verify_email(to, "a-token").unwrap();
        outbox::enqueue(&db, &seal, &mail).await.unwrap();
    }
    let pace = delivery::Pace {
        lease: Duration::from_secs(2),
        poll: Duration::from_millis(100),
    };
    let folder = tempfile::tempdir().unwrap();
    for _ in 0..2 {
        let transport = delivery::Transport::new(Some(&sink.url()), folder.path()).unwrap();
        let worker = delivery::run(
            db.clone(),
            transport,
            seal.clone(),
            Default::default(),
            pace,
        );
        tokio::spawn(worker);
    }

    wait_for_outbox(&db, "every mail sent", |rows| {
        rows.iter()
            .all(|r| r.get::<Option<i64>, _>("sent_at").is_some())
    })
    .await;
    // A mail sent twice would arrive while the second worker's attempt finishes.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let mut received: Vec<String> = sink
        .mails()
        .iter()
        .map(|m| m["rcpt_tos"][0].as_str().unwrap().to_owned())
        .collect();
    received.sort();
    let mut expected = recipients.clone();
    expected.sort();
    assert_eq!(received, expected, "each mail once");
}
