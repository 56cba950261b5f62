//! Two-factor authentication (DESIGN "Two-factor authentication"): set up, turn on, the
//! challenge a right password leaves, TOTP codes once per step, backup codes once, the limits,
//! turning it off, the operator's reset, and `amr` in the session and the badge. Codes are
//! computed from the set-up's secret at chosen times: this step turns it on and the next one
//! (valid now too: one step of drift is allowed) signs in, so the tests never wait for a step,
//! and a step boundary passing meanwhile leaves both valid.

use std::time::{SystemTime, UNIX_EPOCH};

use badge::server::accounts::two_factor::totp;
use futures::future::join_all;
use serde_json::Value;

use crate::helpers::{
    badge_claims, client_from, error_code, post_form, spawn_app_with, TestApp, PASSWORD,
};

/// An app whose limits do not get in the way of a test's many attempts, unless it tests them.
async fn app() -> TestApp {
    spawn_app_with(|vars| {
        vars.insert("AUTH_RATE_LIMIT", "false".into());
    })
    .await
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// The set-up's secret as bytes, from its base32 setup key.
fn secret_of(setup: &Value) -> Vec<u8> {
    totp_rs::Secret::try_from_base32(setup["secret"].as_str().unwrap())
        .unwrap()
        .as_bytes()
        .to_vec()
}

/// The code for `secret` `steps_from_now` steps (30 s) from now.
pub(crate) fn code(secret: &[u8], steps_from_now: i64) -> String {
    let at = now().saturating_add_signed(steps_from_now * 30);
    totp::code_at(secret, at).unwrap()
}

/// Signs up a user on `app` (its client is signed in), turns two-factor on with this step's
/// code; returns the email, the secret and the backup codes.
pub(crate) async fn user_with_two_factor(app: &TestApp) -> (String, Vec<u8>, Vec<String>) {
    let email = app.signed_up_user().await;
    let setup = app
        .post_form("/api/auth/two-factor/setup", &[("password", PASSWORD)])
        .await;
    assert_eq!(setup.status(), 200);
    let setup: Value = setup.json().await.unwrap();
    assert!(setup["otpauth_url"]
        .as_str()
        .unwrap()
        .starts_with("otpauth://totp/"));
    let secret = secret_of(&setup);
    let enabled = app
        .post_form(
            "/api/auth/two-factor/enable",
            &[("code", &code(&secret, 0))],
        )
        .await;
    assert_eq!(enabled.status(), 200);
    let enabled: Value = enabled.json().await.unwrap();
    let backup_codes: Vec<String> = enabled["backup_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    (email, secret, backup_codes)
}

/// A fresh browser that signed in with the password: it holds the challenge.
async fn challenged(app: &TestApp, email: &str) -> reqwest::Client {
    let browser = client_from(Some(&app.address));
    let response = post_form(
        &browser,
        &app.url("/api/auth/sign-in"),
        &[("email", email), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(response.status(), 200);
    assert!(
        !response
            .cookies()
            .any(|c| c.name().ends_with("badge_session")),
        "no session before the second factor"
    );
    assert!(response
        .cookies()
        .any(|c| c.name() == "badge_2fa" && c.http_only()));
    let body: Value = response.json().await.unwrap();
    assert_eq!(body, serde_json::json!({ "two_factor_required": true }));
    browser
}

async fn verify(app: &TestApp, browser: &reqwest::Client, code: &str) -> reqwest::Response {
    post_form(
        browser,
        &app.url("/api/auth/two-factor/verify"),
        &[("code", code)],
    )
    .await
}

async fn session(app: &TestApp, browser: &reqwest::Client) -> Value {
    post_form(browser, &app.url("/api/auth/session"), &[])
        .await
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn with_two_factor_on_a_right_password_leaves_a_challenge_and_the_code_opens_the_session() {
    let app = app().await;
    let (email, secret, _) = user_with_two_factor(&app).await;
    let browser = challenged(&app, &email).await;

    assert!(session(&app, &browser).await.is_null());
    let verified = verify(&app, &browser, &code(&secret, 1)).await;

    assert_eq!(verified.status(), 200);
    let signed_in = session(&app, &browser).await;
    assert_eq!(signed_in["email"], email.as_str());
    assert_eq!(signed_in["amr"], serde_json::json!(["pwd", "otp", "mfa"]));
    let claims = badge_claims(&app, &browser).await;
    assert_eq!(claims["amr"], serde_json::json!(["pwd", "otp", "mfa"]));
}

#[tokio::test]
async fn a_password_alone_signs_in_with_pwd_while_two_factor_is_off() {
    let app = app().await;
    let email = app.signed_up_user().await;
    let browser = client_from(Some(&app.address));
    let response = post_form(
        &browser,
        &app.url("/api/auth/sign-in"),
        &[("email", &email), ("password", PASSWORD)],
    )
    .await;

    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "null");
    assert_eq!(
        session(&app, &browser).await["amr"],
        serde_json::json!(["pwd"])
    );
}

#[tokio::test]
async fn a_wrong_code_is_401_and_a_used_step_is_never_accepted_again() {
    let app = app().await;
    let (email, secret, backup_codes) = user_with_two_factor(&app).await;
    let first = challenged(&app, &email).await;
    let wrong = verify(&app, &first, "000000").await;
    assert_eq!(wrong.status(), 401);
    assert_eq!(error_code(wrong).await, "invalid_code");
    assert_eq!(verify(&app, &first, &code(&secret, 1)).await.status(), 200);

    let second = challenged(&app, &email).await;
    let replayed = verify(&app, &second, &code(&secret, 1)).await;
    let enabling_step = verify(&app, &second, &code(&secret, 0)).await;
    let backup_code = verify(&app, &second, &backup_codes[0]).await;

    assert_eq!(replayed.status(), 401, "the step that opened a session");
    assert_eq!(
        enabling_step.status(),
        401,
        "the step that turned two-factor on"
    );
    assert_eq!(
        backup_code.status(),
        200,
        "the challenge itself still stood"
    );
}

#[tokio::test]
async fn five_wrong_codes_end_the_challenge() {
    let app = app().await;
    let (email, secret, _) = user_with_two_factor(&app).await;
    let browser = challenged(&app, &email).await;

    for _ in 0..5 {
        assert_eq!(verify(&app, &browser, "000000").await.status(), 401);
    }
    let right = verify(&app, &browser, &code(&secret, 1)).await;

    assert_eq!(right.status(), 401);
    assert_eq!(error_code(right).await, "challenge_expired");
}

#[tokio::test]
async fn an_expired_challenge_or_none_is_challenge_expired() {
    let app = app().await;
    let (email, secret, _) = user_with_two_factor(&app).await;
    let browser = challenged(&app, &email).await;
    sqlx::query("UPDATE two_factor_challenges SET expires_at = 0")
        .execute(&app.db().await)
        .await
        .unwrap();

    let expired = verify(&app, &browser, &code(&secret, 1)).await;
    let without = verify(&app, &client_from(Some(&app.address)), &code(&secret, 1)).await;

    assert_eq!(error_code(expired).await, "challenge_expired");
    assert_eq!(without.status(), 401);
    assert_eq!(error_code(without).await, "challenge_expired");
}

#[tokio::test]
async fn a_backup_code_works_once() {
    let app = app().await;
    let (email, _, backup_codes) = user_with_two_factor(&app).await;
    assert_eq!(backup_codes.len(), 10);

    let first = challenged(&app, &email).await;
    let used = verify(&app, &first, &backup_codes[0].to_uppercase()).await;
    let second = challenged(&app, &email).await;
    let reused = verify(&app, &second, &backup_codes[0]).await;
    let another = verify(&app, &second, &backup_codes[1]).await;

    assert_eq!(used.status(), 200);
    assert_eq!(reused.status(), 401);
    assert_eq!(another.status(), 200);
}

#[tokio::test]
async fn one_challenge_answered_twice_at_once_opens_one_session_at_most() {
    let app = app().await;
    let (email, secret, backup_codes) = user_with_two_factor(&app).await;
    for round in 0..3 {
        let browser = challenged(&app, &email).await;
        // Two right answers at once: the TOTP code and a backup code, twice each.
        let totp_code = code(&secret, round + 1);
        let answers = [
            totp_code.as_str(),
            backup_codes[round as usize].as_str(),
            totp_code.as_str(),
            backup_codes[3 + round as usize].as_str(),
        ];
        let statuses: Vec<u16> =
            join_all(answers.iter().map(|answer| verify(&app, &browser, answer)))
                .await
                .iter()
                .map(|r| r.status().as_u16())
                .collect();
        let opened = statuses.iter().filter(|s| **s == 200).count();
        assert_eq!(opened, 1, "round {round}: {statuses:?}");
    }
    let sessions: (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM sessions WHERE amr = 'pwd otp mfa'")
            .fetch_one(&app.db().await)
            .await
            .unwrap();
    assert_eq!(sessions.0, 3);
}

#[tokio::test]
async fn setting_up_needs_the_password_and_is_refused_while_on() {
    let app = app().await;
    let (_, _, _) = user_with_two_factor(&app).await;

    let wrong = app
        .post_form(
            "/api/auth/two-factor/setup",
            &[("password", "not the password")],
        )
        .await;
    let again = app
        .post_form("/api/auth/two-factor/setup", &[("password", PASSWORD)])
        .await;
    let wrong_code = app
        .post_form("/api/auth/two-factor/enable", &[("code", "123456")])
        .await;

    assert_eq!(wrong.status(), 401);
    assert_eq!(error_code(wrong).await, "wrong_password");
    assert_eq!(again.status(), 409);
    assert_eq!(error_code(again).await, "two_factor_on");
    assert_eq!(wrong_code.status(), 400);
    assert_eq!(error_code(wrong_code).await, "invalid_code");
}

#[tokio::test]
async fn new_backup_codes_void_the_old_ones() {
    let app = app().await;
    let (email, _, old) = user_with_two_factor(&app).await;

    let renewed: Value = app
        .post_form(
            "/api/auth/two-factor/backup-codes",
            &[("password", PASSWORD)],
        )
        .await
        .json()
        .await
        .unwrap();
    let new = renewed["backup_codes"][0].as_str().unwrap().to_owned();

    let browser = challenged(&app, &email).await;
    assert_eq!(verify(&app, &browser, &old[0]).await.status(), 401);
    assert_eq!(verify(&app, &browser, &new).await.status(), 200);
}

#[tokio::test]
async fn turning_it_off_lets_the_password_alone_sign_in_again() {
    let app = app().await;
    let (email, _, _) = user_with_two_factor(&app).await;

    let wrong = app
        .post_form(
            "/api/auth/two-factor/disable",
            &[("password", "not the password")],
        )
        .await;
    let off = app
        .post_form("/api/auth/two-factor/disable", &[("password", PASSWORD)])
        .await;

    assert_eq!(wrong.status(), 401);
    assert_eq!(off.status(), 200);
    let browser = client_from(Some(&app.address));
    let signed_in = post_form(
        &browser,
        &app.url("/api/auth/sign-in"),
        &[("email", &email), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(signed_in.text().await.unwrap(), "null");
    assert_eq!(session(&app, &browser).await["email"], email.as_str());
}

#[tokio::test]
async fn the_operator_resets_two_factor_for_a_lost_phone() {
    let app = app().await;
    let (email, _, _) = user_with_two_factor(&app).await;

    let (ok, stdout, stderr) =
        crate::cli::badge(&app.db_url, &["users", "reset-two-factor", &email]);

    assert!(ok, "{stderr}");
    assert!(
        stdout.contains("two-factor authentication is off"),
        "{stdout}"
    );
    let browser = client_from(Some(&app.address));
    let signed_in = post_form(
        &browser,
        &app.url("/api/auth/sign-in"),
        &[("email", &email), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(signed_in.text().await.unwrap(), "null");
}

#[tokio::test]
async fn wrong_codes_count_per_account_in_the_shared_limits() {
    let app = spawn_app_with(|_| {}).await;
    let (email, secret, _) = user_with_two_factor(&app).await;

    let mut statuses = Vec::new();
    for _ in 0..2 {
        let browser = challenged(&app, &email).await;
        for _ in 0..5 {
            statuses.push(verify(&app, &browser, "000000").await.status().as_u16());
        }
    }
    let browser = challenged(&app, &email).await;
    let after = verify(&app, &browser, &code(&secret, 1)).await;

    assert!(statuses.iter().all(|s| *s == 401), "{statuses:?}");
    assert_eq!(after.status(), 429, "10 wrong codes per 15 minutes");
}

#[tokio::test]
async fn a_plain_form_keeps_next_through_the_second_step() {
    let app = app().await;
    let (email, secret, _) = user_with_two_factor(&app).await;
    let browser = client_from(Some(&app.address));
    let plain = |path: &str, form: Vec<(&'static str, String)>| {
        browser
            .post(app.url(path))
            .header("accept", "text/html")
            .header("referer", app.url("/sign-in?next=%2Faccount"))
            .form(&form)
            .send()
    };

    let signed_in = plain(
        "/api/auth/sign-in",
        vec![
            ("email", email.clone()),
            ("password", PASSWORD.into()),
            ("next", "/account".into()),
        ],
    )
    .await
    .unwrap();
    let verified = plain(
        "/api/auth/two-factor/verify",
        vec![("code", code(&secret, 1)), ("next", "/account".into())],
    )
    .await
    .unwrap();

    assert_eq!(signed_in.status(), 302);
    assert_eq!(
        signed_in.headers()["location"],
        "/sign-in/two-factor?next=%2Faccount"
    );
    assert_eq!(verified.status(), 302);
    assert_eq!(verified.headers()["location"], "/account");
    assert_eq!(session(&app, &browser).await["email"], email.as_str());
}
