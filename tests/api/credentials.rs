//! A new password ends everything the old one opened (security review, finding 1 and 4): a
//! sign-in with the old password that was still being checked when a reset or a change committed
//! never keeps its session, the rehash on sign-in never writes the old password back, and a
//! change cancels the reset links still in flight.

use std::time::Duration;

use futures::future::join_all;

use crate::{
    helpers::{client_from, post_form, spawn_app_with, TestApp, PASSWORD},
    mail::{app_mailing_to, request_reset, reset, reset_token},
    smtp_sink::SmtpSink,
};

/// Rounds of each race; each round is one reset or change with sign-ins in flight around it.
const ROUNDS: usize = 12;
/// Sign-ins with the old password per round, started 3 ms apart, from before the new password
/// is set until after it (what an attacker keeping sign-ins in flight does).
const SIGN_INS: u64 = 12;

/// An app with the attempt limits off (the races need many sign-ins a second) mailing to `sink`.
async fn unlimited_app(sink: &SmtpSink) -> TestApp {
    let url = sink.url();
    spawn_app_with(|vars| {
        vars.insert("SMTP_URL", url);
        vars.insert("AUTH_RATE_LIMIT", "false".into());
    })
    .await
}

/// Signs in with `password` from `SIGN_INS` fresh browsers, 3 ms apart; returns the browsers
/// that got a session.
async fn sign_ins_in_flight(app: &TestApp, email: &str, password: &str) -> Vec<reqwest::Client> {
    let attempts = (0..SIGN_INS).map(|i| async move {
        tokio::time::sleep(Duration::from_millis(3 * i)).await;
        let browser = client_from(Some(&app.address));
        let response = post_form(
            &browser,
            &app.url("/api/auth/sign-in"),
            &[("email", email), ("password", password)],
        )
        .await;
        (response.status() == 200).then_some(browser)
    });
    join_all(attempts).await.into_iter().flatten().collect()
}

/// How many of `browsers` still have a working session.
async fn still_signed_in(app: &TestApp, browsers: &[reqwest::Client]) -> usize {
    let mut count = 0;
    for browser in browsers {
        let session: serde_json::Value = post_form(browser, &app.url("/api/auth/session"), &[])
            .await
            .json()
            .await
            .unwrap();
        count += usize::from(!session.is_null());
    }
    count
}

/// `ROUNDS` times: `prepare(round)` readies what setting a new password takes (a reset link),
/// then `set_new(ready, current, new)` sets it (answering its status) while sign-ins with the
/// current password are in flight. Returns how many of those sign-ins got a session, and how
/// many of these still work afterwards.
async fn race_sign_ins_against<T, P, PFut, S, SFut>(
    app: &TestApp,
    email: &str,
    mut prepare: P,
    mut set_new: S,
) -> (usize, usize)
where
    P: FnMut(usize) -> PFut,
    PFut: std::future::Future<Output = T>,
    S: FnMut(T, String, String) -> SFut,
    SFut: std::future::Future<Output = u16>,
{
    let mut password = PASSWORD.to_owned();
    let (mut opened, mut survived) = (0, 0);
    for round in 0..ROUNDS {
        let new_password = format!("new passphrase number {round}");
        let ready = prepare(round).await;
        let setting = set_new(ready, password.clone(), new_password.clone());
        let setting = async {
            tokio::time::sleep(Duration::from_millis(5)).await;
            setting.await
        };

        let (status, browsers) = tokio::join!(setting, sign_ins_in_flight(app, email, &password));

        assert_eq!(status, 200);
        opened += browsers.len();
        survived += still_signed_in(app, &browsers).await;
        password = new_password;
    }
    (opened, survived)
}

#[tokio::test]
async fn sign_ins_with_the_old_password_racing_a_reset_never_keep_a_session() {
    let sink = SmtpSink::start();
    let app = unlimited_app(&sink).await;
    let email = app.signed_up_user().await;

    let (app, sink, email) = (&app, &sink, &email);
    let (opened, survived) = race_sign_ins_against(
        app,
        email,
        |round| async move {
            assert_eq!(request_reset(app, email).await.status(), 200);
            reset_token(sink, app, email, round + 1).await
        },
        |token, _, new_password| async move {
            reset(app, &token, &new_password).await.status().as_u16()
        },
    )
    .await;

    assert_eq!(
        survived, 0,
        "{survived} sessions opened with the old password outlived the reset \
         ({ROUNDS} rounds, {opened} sign-ins succeeded)"
    );
}

#[tokio::test]
async fn sign_ins_with_the_old_password_racing_a_change_never_keep_a_session() {
    let sink = SmtpSink::start();
    let app = unlimited_app(&sink).await;
    let email = app.signed_up_user().await;

    let app = &app;
    let (opened, survived) = race_sign_ins_against(
        app,
        &email,
        |_| async {},
        |(), current, new_password| async move {
            let form = [
                ("current_password", current.as_str()),
                ("new_password", new_password.as_str()),
            ];
            let changed = app.post_form("/api/auth/change-password", &form).await;
            changed.status().as_u16()
        },
    )
    .await;

    assert_eq!(
        survived, 0,
        "{survived} sessions opened with the old password outlived the change \
         ({ROUNDS} rounds, {opened} sign-ins succeeded)"
    );
}

/// A PHC string for `password` with weaker parameters than today's, as an older release
/// stored it: the next sign-in rehashes it.
fn legacy_hash(password: &str) -> String {
    use argon2::{password_hash::SaltString, Algorithm, Argon2, Params, PasswordHasher, Version};
    let params = Params::new(8_192, 1, 1, None).unwrap();
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password(password.as_bytes(), &salt)
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn a_rehash_on_sign_in_never_writes_the_old_password_over_a_reset() {
    let sink = SmtpSink::start();
    let app = unlimited_app(&sink).await;
    let email = app.signed_up_user().await;
    let db = app.db().await;

    let mut restored = 0;
    for round in 0..ROUNDS {
        sqlx::query("UPDATE users SET password_hash = $1 WHERE email = $2")
            .bind(legacy_hash(PASSWORD))
            .bind(&email)
            .execute(&db)
            .await
            .unwrap();
        request_reset(&app, &email).await;
        let token = reset_token(&sink, &app, &email, round + 1).await;
        let new_password = format!("new passphrase number {round}");
        let resetting = async {
            tokio::time::sleep(Duration::from_millis(5)).await;
            reset(&app, &token, &new_password).await.status()
        };

        let (status, _) = tokio::join!(resetting, sign_ins_in_flight(&app, &email, PASSWORD));

        assert_eq!(status, 200);
        let old_works = app.sign_in(&email, PASSWORD).await.status() == 200;
        restored += usize::from(old_works);
        if !old_works {
            assert_eq!(app.sign_in(&email, &new_password).await.status(), 200);
        }
    }

    assert_eq!(
        restored, 0,
        "the old password worked again after {restored} of {ROUNDS} resets"
    );
}

#[tokio::test]
async fn changing_the_password_cancels_the_reset_links_in_flight() {
    let sink = SmtpSink::start();
    let app = app_mailing_to(&sink).await;
    let email = app.signed_up_user().await;
    request_reset(&app, &email).await;
    let token = reset_token(&sink, &app, &email, 1).await;

    let changed = app
        .post_form(
            "/api/auth/change-password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "the owner's new passphrase"),
            ],
        )
        .await;
    let used = reset(&app, &token, "the attacker's passphrase").await;

    assert_eq!(changed.status(), 200);
    assert_eq!(used.status(), 400, "the link died with the change");
    assert_eq!(
        app.sign_in(&email, "the owner's new passphrase")
            .await
            .status(),
        200
    );
}
