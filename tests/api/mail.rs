//! Mail (DESIGN "Mail: verification and password reset"), against a real SMTP server.

use serde_json::Value;
use sqlx::Row;

use crate::{
    helpers::{
        client_from, error_code, jwt_part, post_form, spawn_app_with, unique_email, TestApp,
        PASSWORD,
    },
    smtp_sink::{link_in, token_of, SmtpSink},
};

const NEW_PASSWORD: &str = "a brand new passphrase";

pub(crate) async fn app_mailing_to(sink: &SmtpSink) -> TestApp {
    let url = sink.url();
    spawn_app_with(|vars| {
        vars.insert("SMTP_URL", url);
    })
    .await
}

/// Asks for a reset link for `email` from a signed-out browser; returns the answer.
pub(crate) async fn request_reset(app: &TestApp, email: &str) -> reqwest::Response {
    let stranger = client_from(Some(&app.address));
    post_form(
        &stranger,
        &app.url("/api/auth/request-password-reset"),
        &[("email", email)],
    )
    .await
}

pub(crate) async fn reset(app: &TestApp, token: &str, password: &str) -> reqwest::Response {
    let stranger = client_from(Some(&app.address));
    post_form(
        &stranger,
        &app.url("/api/auth/reset-password"),
        &[("token", token), ("password", password)],
    )
    .await
}

/// The newest reset mail's token for `email`, once `count` reset mails have arrived.
pub(crate) async fn reset_token(
    sink: &SmtpSink,
    app: &TestApp,
    email: &str,
    count: usize,
) -> String {
    let mails: Vec<Value> = sink
        .wait_for(email, count + 1) // the verification mail from sign-up comes first
        .await
        .into_iter()
        .filter(|m| m["subject"] == "Reset your password")
        .collect();
    let link = link_in(
        mails.last().expect("a reset mail"),
        &app.mailed_url("/reset-password?token="),
    );
    token_of(&link)
}

#[tokio::test]
async fn sign_up_mails_a_verification_link_that_works_once() {
    let sink = SmtpSink::start();
    let app = app_mailing_to(&sink).await;
    let email = app.signed_up_user().await;
    assert_eq!(app.session().await["email_verified"], false);
    assert_eq!(jwt_part(&app.badge().await, 1)["email_verified"], false);

    let mails = sink.wait_for(&email, 1).await;
    let mail = &mails[0];
    assert_eq!(mail["subject"], "Verify your email address");
    assert_eq!(mail["mail_from"], "no-reply@localhost");
    assert!(mail["date"].as_str().is_some_and(|d| !d.is_empty()));
    assert!(mail["message_id"]
        .as_str()
        .is_some_and(|id| id.ends_with("@localhost>")));
    let link = link_in(mail, &app.mailed_url("/verify-email?token="));
    assert!(
        mail["html"].as_str().unwrap().contains(&link),
        "the HTML part has the link too"
    );
    let token = token_of(&link);

    let first = app
        .post_form("/api/auth/verify-email", &[("token", &token)])
        .await;
    let second = app
        .post_form("/api/auth/verify-email", &[("token", &token)])
        .await;

    assert_eq!(first.status(), 200);
    assert_eq!(app.session().await["email_verified"], true);
    assert_eq!(jwt_part(&app.badge().await, 1)["email_verified"], true);
    assert_eq!(second.status(), 400);
    assert_eq!(error_code(second).await, "invalid_token");
}

#[tokio::test]
async fn opening_a_verification_link_verifies_nothing_until_the_button_is_pressed() {
    let sink = SmtpSink::start();
    let app = app_mailing_to(&sink).await;
    let email = app.signed_up_user().await;
    let link = link_in(
        &sink.wait_for(&email, 1).await[0],
        &app.mailed_url("/verify-email?token="),
    );

    // What a mail scanner or a link prefetcher does: fetch the link, twice, and its HEAD.
    let page = app.page(&link).await;
    app.page(&link).await;
    let prefetch = app
        .client
        .head(&link)
        .header("sec-purpose", "prefetch")
        .send()
        .await
        .unwrap();

    assert!(prefetch.status().is_success());
    assert!(page.contains("Verify email"), "{page}");
    assert_eq!(app.session().await["email_verified"], false);
    let pressed = app
        .post_form("/api/auth/verify-email", &[("token", &token_of(&link))])
        .await;
    assert_eq!(pressed.status(), 200);
    assert_eq!(app.session().await["email_verified"], true);
}

#[tokio::test]
async fn the_verify_button_without_webassembly_leads_to_email_verified() {
    let sink = SmtpSink::start();
    let app = app_mailing_to(&sink).await;
    let email = app.signed_up_user().await;
    let link = link_in(
        &sink.wait_for(&email, 1).await[0],
        &app.mailed_url("/verify-email?token="),
    );

    // The page's form posted by a browser without WebAssembly; the page it is sent on to.
    let press = || async {
        let pressed = app
            .client
            .post(app.url("/api/auth/verify-email"))
            .header("accept", "text/html")
            .header("referer", &link)
            .form(&[("token", token_of(&link))])
            .send()
            .await
            .unwrap();
        app.page(pressed.headers()["location"].to_str().unwrap())
            .await
    };
    let page = press().await;
    let failed = press().await;

    assert!(page.contains("Email verified"), "{page}");
    assert!(failed.contains("This link did not work"), "{failed}");
    assert_eq!(app.session().await["email_verified"], true);
}

#[tokio::test]
async fn a_reset_link_sets_the_password_once_and_ends_every_session() {
    let sink = SmtpSink::start();
    let app = app_mailing_to(&sink).await;
    let email = app.signed_up_user().await;

    assert_eq!(request_reset(&app, &email).await.status(), 200);
    let token = reset_token(&sink, &app, &email, 1).await;
    let used = reset(&app, &token, NEW_PASSWORD).await;
    let reused = reset(&app, &token, "yet another passphrase").await;

    assert_eq!(used.status(), 200);
    assert!(app.session().await.is_null(), "every session ended");
    assert_eq!(app.sign_in(&email, PASSWORD).await.status(), 401);
    assert_eq!(app.sign_in(&email, NEW_PASSWORD).await.status(), 200);
    assert_eq!(reused.status(), 400);
    assert_eq!(error_code(reused).await, "invalid_token");
}

#[tokio::test]
async fn a_reset_password_outside_the_policy_is_400_and_keeps_the_link() {
    let sink = SmtpSink::start();
    let app = app_mailing_to(&sink).await;
    let email = app.signed_up_user().await;
    request_reset(&app, &email).await;
    let token = reset_token(&sink, &app, &email, 1).await;

    let short = reset(&app, &token, "short").await;
    let good = reset(&app, &token, NEW_PASSWORD).await;

    assert_eq!(short.status(), 400);
    let body: Value = short.json().await.unwrap();
    assert_eq!(body["field"], "password");
    assert_eq!(good.status(), 200);
}

#[tokio::test]
async fn an_expired_reset_link_is_refused() {
    let sink = SmtpSink::start();
    let app = app_mailing_to(&sink).await;
    let email = app.signed_up_user().await;
    request_reset(&app, &email).await;
    let token = reset_token(&sink, &app, &email, 1).await;
    sqlx::query("UPDATE email_tokens SET expires_at = 0")
        .execute(&app.db().await)
        .await
        .unwrap();

    let response = reset(&app, &token, NEW_PASSWORD).await;

    assert_eq!(response.status(), 400);
    assert_eq!(
        app.sign_in(&email, PASSWORD).await.status(),
        200,
        "the password stays"
    );
}

#[tokio::test]
async fn the_reset_page_says_a_used_or_expired_link_is_dead_when_it_opens() {
    let sink = SmtpSink::start();
    let app = app_mailing_to(&sink).await;
    let email = app.signed_up_user().await;
    request_reset(&app, &email).await;
    let token = reset_token(&sink, &app, &email, 1).await;
    let page = |token: String| {
        let app = &app;
        async move {
            let response = app.get(&format!("/reset-password?token={token}")).await;
            assert_eq!(response.status(), 200);
            response.text().await.unwrap()
        }
    };

    let live = page(token.clone()).await;
    assert!(live.contains("Choose a new password"), "{live}");
    assert!(live.contains("New password"), "{live}");

    assert_eq!(reset(&app, &token, NEW_PASSWORD).await.status(), 200);
    for dead in [token, "not-a-link".to_owned()] {
        let text = page(dead).await;
        assert!(
            text.contains("This reset link has expired or was already used."),
            "{text}"
        );
        assert!(
            !text.contains("New password"),
            "no form for a dead link: {text}"
        );
        assert!(
            text.contains("/forgot-password"),
            "a way to a new link: {text}"
        );
    }
}

#[tokio::test]
async fn an_unknown_email_gets_the_same_answer_and_no_mail() {
    let sink = SmtpSink::start();
    let app = app_mailing_to(&sink).await;
    let known = app.signed_up_user().await;
    let unknown = unique_email();

    let for_unknown = request_reset(&app, &unknown).await;
    let for_known = request_reset(&app, &known).await;

    assert_eq!(for_unknown.status(), for_known.status());
    let (unknown_body, known_body) = (
        for_unknown.text().await.unwrap(),
        for_known.text().await.unwrap(),
    );
    assert_eq!(unknown_body, known_body);
    reset_token(&sink, &app, &known, 1).await;
    let to_unknown = sink
        .mails()
        .into_iter()
        .filter(|m| m["rcpt_tos"][0] == unknown.as_str())
        .count();
    assert_eq!(to_unknown, 0);
}

#[tokio::test]
async fn reset_requests_are_limited_per_email() {
    let sink = SmtpSink::start();
    let app = app_mailing_to(&sink).await;
    let email = unique_email();

    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(request_reset(&app, &email).await.status().as_u16());
    }

    assert_eq!(statuses, [200, 200, 200, 429, 429, 429]);
}

#[tokio::test]
async fn required_verification_refuses_an_unverified_sign_in_with_403_and_mails_a_new_link() {
    let sink = SmtpSink::start();
    let url = sink.url();
    let app = spawn_app_with(|vars| {
        vars.insert("SMTP_URL", url);
        vars.insert("REQUIRE_EMAIL_VERIFICATION", "true".into());
    })
    .await;
    let email = unique_email();
    let signed_up = app.sign_up(&email, PASSWORD).await;
    assert_eq!(signed_up.status(), 200);
    assert!(
        app.session().await.is_null(),
        "no session before verification"
    );

    let refused = app.sign_in(&email, PASSWORD).await;

    assert_eq!(refused.status(), 403);
    assert_eq!(error_code(refused).await, "email_not_verified");
    let mails = sink.wait_for(&email, 2).await;
    let token = token_of(&link_in(&mails[1], &app.mailed_url("/verify-email?token=")));
    assert_eq!(
        app.post_form("/api/auth/verify-email", &[("token", &token)])
            .await
            .status(),
        200
    );
    assert_eq!(app.sign_in(&email, PASSWORD).await.status(), 200);
    assert_eq!(app.session().await["email_verified"], true);
}

#[tokio::test]
async fn a_signed_in_person_can_ask_for_a_new_verification_mail() {
    let sink = SmtpSink::start();
    let app = app_mailing_to(&sink).await;
    let email = app.signed_up_user().await;

    let response = app
        .post_form("/api/auth/send-verification-email", &[])
        .await;

    assert_eq!(response.status(), 200);
    assert_eq!(response.json::<Value>().await.unwrap(), true);
    assert_eq!(sink.wait_for(&email, 2).await.len(), 2);
}

#[tokio::test]
async fn without_smtp_url_mails_are_written_as_eml_files_whose_link_can_be_copied() {
    let app = crate::helpers::spawn_app().await;
    app.signed_up_user().await;

    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let file = loop {
        let found = std::fs::read_dir(app.mail_files.path())
            .unwrap()
            .filter_map(Result::ok)
            .find(|e| e.path().extension().is_some_and(|x| x == "eml"));
        if let Some(entry) = found {
            break entry.path();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no .eml file was written"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    let text = std::fs::read_to_string(file).unwrap();
    assert!(
        text.contains("Subject: Verify your email address"),
        "{text}"
    );
    // The link is one line as written (no quoted-printable `=` breaks or `=3D`), and opening it
    // verifies the address.
    let link = text
        .lines()
        .find(|line| line.starts_with("http") && line.contains("/verify-email?token="))
        .unwrap_or_else(|| panic!("no whole link line in {text}"));
    assert!(!link.contains("=3D") && !link.ends_with('='), "{link}");
    let token = link.split("token=").nth(1).unwrap();
    let verified = app
        .post_form("/api/auth/verify-email", &[("token", token)])
        .await;
    assert_eq!(verified.status(), 200, "{link}");
    assert_eq!(app.session().await["email_verified"], true);
}

#[tokio::test]
async fn a_sent_mail_keeps_no_link_in_the_outbox() {
    let sink = SmtpSink::start();
    let app = app_mailing_to(&sink).await;
    let email = app.signed_up_user().await;
    sink.wait_for(&email, 1).await;

    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let row = sqlx::query("SELECT message, sent_at FROM outbox")
            .fetch_one(&app.db().await)
            .await
            .unwrap();
        if row.get::<Option<i64>, _>("sent_at").is_some() {
            assert_eq!(row.get::<String, _>("message"), "");
            break;
        }
        assert!(std::time::Instant::now() < deadline, "never marked sent");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}
