//! A mailed link never sits in the database in clear (security review, finding 3): the outbox
//! row holds the mail sealed under a key derived from `AUTH_SECRET`, so neither the database
//! files nor a dump or backup of them give anyone a live reset link.

use std::time::{Duration, Instant};

use sqlx::Row;

use crate::{
    helpers::{spawn_app_with, unique_email, PASSWORD},
    mail::{app_mailing_to, request_reset},
    smtp_sink::{link_in, token_of, SmtpSink},
};

#[tokio::test]
async fn a_queued_reset_mail_holds_no_link_in_the_database() {
    let mut sink = SmtpSink::start();
    sink.stop();
    let url = sink.url();
    let app = spawn_app_with(|vars| {
        vars.insert("SMTP_URL", url);
    })
    .await;
    let email = app.signed_up_user().await;

    request_reset(&app, &email).await;
    let db = app.db().await;
    let deadline = Instant::now() + Duration::from_secs(10);
    let messages: Vec<String> = loop {
        let rows = sqlx::query("SELECT message FROM outbox")
            .fetch_all(&db)
            .await
            .unwrap();
        if rows.len() == 2 || Instant::now() > deadline {
            break rows.iter().map(|r| r.get("message")).collect();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };

    assert_eq!(
        messages.len(),
        2,
        "the verification and the reset mail wait"
    );
    for message in &messages {
        assert!(!message.is_empty());
        assert!(
            !message.contains("token=") && !message.contains(&app.address),
            "a queued mail is readable in the outbox: {message}"
        );
        assert!(!message.contains(&email), "{message}");
    }
}

#[tokio::test]
async fn no_mailed_token_can_be_found_in_the_sqlite_files() {
    let sink = SmtpSink::start();
    let app = app_mailing_to(&sink).await;
    let Some(path) = app.db_url.strip_prefix("sqlite://").map(str::to_owned) else {
        return; // PostgreSQL: its files are the server's (the test above covers both engines).
    };
    let mut emails = Vec::new();
    for _ in 0..4 {
        let email = unique_email();
        assert_eq!(app.sign_up(&email, PASSWORD).await.status(), 200);
        request_reset(&app, &email).await;
        emails.push(email);
    }
    let mut tokens = Vec::new();
    for email in &emails {
        for mail in sink.wait_for(email, 2).await {
            let prefix = if mail["subject"] == "Reset your password" {
                "/reset-password?token="
            } else {
                "/verify-email?token="
            };
            tokens.push(token_of(&link_in(&mail, &app.mailed_url(prefix))));
        }
    }
    let db = app.db().await;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let pending: i64 = sqlx::query("SELECT COUNT(*) AS n FROM outbox WHERE sent_at IS NULL")
            .fetch_one(&db)
            .await
            .unwrap()
            .get("n");
        if pending == 0 || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let mut files = Vec::new();
    for suffix in ["", "-wal", "-shm"] {
        if let Ok(bytes) = std::fs::read(format!("{path}{suffix}")) {
            files.extend_from_slice(&bytes);
        }
    }
    // Quoted-printable may break a long line inside a token: a third of one (86 bits) is
    // enough to call it found.
    let found = tokens
        .iter()
        .filter(|token| {
            let third = token.len() / 3;
            [
                &token[..third],
                &token[third..2 * third],
                &token[2 * third..],
            ]
            .iter()
            .any(|piece| files.windows(piece.len()).any(|w| w == piece.as_bytes()))
        })
        .count();
    assert_eq!(
        found,
        0,
        "{found} of {} mailed tokens are in the database files",
        tokens.len()
    );
}
