//! Passkeys (DESIGN "Passkeys"): added from the account page, a discoverable sign-in with no
//! email that counts as two factors, the counter kept (a clone refused), removal, and garbled
//! answers; the relying party's own checks are in `relying_party`. A software authenticator
//! (`soft_passkey`) plays the browser.

use serde_json::Value;

mod relying_party;

use crate::{
    helpers::{badge_claims, client_from, error_code, post_form, spawn_app_with, TestApp},
    soft_passkey::SoftPasskey,
    two_factor::user_with_two_factor,
};

const NAME: &str = "Work laptop";

async fn app() -> TestApp {
    spawn_app_with(|vars| {
        vars.insert("AUTH_RATE_LIMIT", "false".into());
    })
    .await
}

/// Where pages must be opened for passkeys without `SITE_URL`: localhost, on the app's port.
fn origin(app: &TestApp) -> String {
    app.address.replace("127.0.0.1", "localhost")
}

/// A ceremony's options, asked for by `browser`.
async fn ceremony(app: &TestApp, browser: &reqwest::Client, path: &str) -> Value {
    let response = post_form(browser, &app.url(path), &[]).await;
    assert_eq!(response.status(), 200, "{path}");
    response.json().await.unwrap()
}

/// Adds a passkey made by `authenticator` to the account the app's client is signed in to.
async fn add_passkey(app: &TestApp, authenticator: &mut SoftPasskey) -> Value {
    let options = ceremony(app, &app.client, "/api/auth/passkey/register-options").await;
    let credential = authenticator.create(&origin(app), &options).await.unwrap();
    let response = app
        .post_form(
            "/api/auth/passkey/register",
            &[("credential", &credential), ("name", NAME)],
        )
        .await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// A fresh browser signs in with `authenticator`: the answer, and that browser.
async fn sign_in(
    app: &TestApp,
    authenticator: &mut SoftPasskey,
) -> (reqwest::Response, reqwest::Client) {
    let browser = client_from(Some(&app.address));
    let options = ceremony(app, &browser, "/api/auth/passkey/sign-in-options").await;
    let credential = authenticator.get(&origin(app), &options).await.unwrap();
    (post_credential(app, &browser, &credential).await, browser)
}

async fn post_credential(
    app: &TestApp,
    browser: &reqwest::Client,
    credential: &str,
) -> reqwest::Response {
    post_form(
        browser,
        &app.url("/api/auth/passkey/sign-in"),
        &[("credential", credential)],
    )
    .await
}

/// `POST /api/auth/passkeys` for the app's signed-in client.
async fn listed(app: &TestApp) -> Value {
    let response = app.post_form("/api/auth/passkeys", &[]).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn session_of(app: &TestApp, browser: &reqwest::Client) -> Value {
    let response = post_form(browser, &app.url("/api/auth/session"), &[]).await;
    response.json().await.unwrap()
}

/// The stored record of the user's only passkey (webauthn-rs' JSON) and its last use.
async fn stored(app: &TestApp) -> (Value, Option<i64>) {
    let (credential, last_used_at): (String, Option<i64>) =
        sqlx::query_as("SELECT credential, last_used_at FROM passkeys")
            .fetch_one(&app.db().await)
            .await
            .unwrap();
    (serde_json::from_str(&credential).unwrap(), last_used_at)
}

fn passkey_outcomes(outcome: &str) -> u64 {
    badge::server::metrics::render()
        .expect("an app records metrics")
        .lines()
        .filter(|line| line.starts_with("badge_passkeys_total"))
        .filter(|line| line.contains(&format!("outcome=\"{outcome}\"")))
        .filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
        .sum::<f64>() as u64
}

#[tokio::test]
async fn a_passkey_added_on_the_account_page_signs_in_with_no_email_as_two_factors() {
    let app = app().await;
    let email = app.signed_up_user().await;
    let options = ceremony(&app, &app.client, "/api/auth/passkey/register-options").await;
    let public_key = &options["publicKey"];
    assert_eq!(public_key["rp"]["id"], "localhost");
    assert_eq!(
        public_key["authenticatorSelection"]["userVerification"],
        "required"
    );
    assert_eq!(
        public_key["authenticatorSelection"]["residentKey"],
        "required"
    );

    let mut authenticator = SoftPasskey::new();
    let credential = authenticator.create(&origin(&app), &options).await.unwrap();
    let added = app
        .post_form(
            "/api/auth/passkey/register",
            &[("credential", &credential), ("name", NAME)],
        )
        .await;
    assert_eq!(added.status(), 200);
    let added: Value = added.json().await.unwrap();
    assert_eq!(added["name"], NAME);
    let listed = listed(&app).await;
    assert_eq!(listed[0]["id"], added["id"]);
    assert_eq!(listed[0]["name"], NAME);
    assert!(listed[0]["created_at"].as_i64().unwrap() > 0);
    assert_eq!(listed[0]["last_used_at"], Value::Null);

    let (signed_in, browser) = sign_in(&app, &mut authenticator).await;
    assert_eq!(signed_in.status(), 200);
    assert_eq!(signed_in.json::<Value>().await.unwrap(), Value::Null);
    let session = session_of(&app, &browser).await;
    assert_eq!(session["email"], email);
    assert_eq!(session["amr"], serde_json::json!(["hwk", "user", "mfa"]));
    let claims = badge_claims(&app, &browser).await;
    assert_eq!(claims["amr"], serde_json::json!(["hwk", "user", "mfa"]));
}

#[tokio::test]
async fn each_sign_in_stores_the_new_counter_and_the_time_of_use() {
    let app = app().await;
    app.signed_up_user().await;
    let mut authenticator = SoftPasskey::new();
    add_passkey(&app, &mut authenticator).await;
    let (before, _) = stored(&app).await;
    assert_eq!(before["cred"]["counter"], 0);

    for expected in 1..=2 {
        let (signed_in, _) = sign_in(&app, &mut authenticator).await;
        assert_eq!(signed_in.status(), 200);
        let (after, last_used_at) = stored(&app).await;
        assert_eq!(after["cred"]["counter"], expected);
        assert!(last_used_at.is_some());
    }
    let listed = listed(&app).await;
    assert!(listed[0]["last_used_at"].as_i64().is_some());
}

#[tokio::test]
async fn a_cloned_authenticator_whose_counter_went_backwards_is_refused_and_counted() {
    let app = spawn_app_with(|vars| {
        vars.insert("AUTH_RATE_LIMIT", "false".into());
        vars.insert("METRICS_ADDR", "127.0.0.1:0".into());
    })
    .await;
    app.signed_up_user().await;
    let mut original = SoftPasskey::new();
    add_passkey(&app, &mut original).await;
    let mut clone = original.clone_keys();
    for _ in 0..2 {
        assert_eq!(sign_in(&app, &mut original).await.0.status(), 200);
    }
    let cloned_before = passkey_outcomes("cloned");

    let (refused, browser) = sign_in(&app, &mut clone).await;
    assert_eq!(refused.status(), 401);
    assert_eq!(error_code(refused).await, "invalid_passkey");
    assert_eq!(session_of(&app, &browser).await, Value::Null);
    assert!(passkey_outcomes("cloned") > cloned_before);
    let (kept, _) = stored(&app).await;
    assert_eq!(
        kept["cred"]["counter"], 2,
        "the refused sign-in changed nothing"
    );
}

#[tokio::test]
async fn a_removed_passkey_signs_nobody_in() {
    let app = app().await;
    app.signed_up_user().await;
    let mut authenticator = SoftPasskey::new();
    let added = add_passkey(&app, &mut authenticator).await;
    let id = added["id"].as_str().unwrap();

    // Another account cannot remove it.
    let stranger = spawn_stranger(&app).await;
    let refused = post_form(
        &stranger,
        &app.url("/api/auth/passkey/remove"),
        &[("id", id)],
    )
    .await;
    assert_eq!(refused.status(), 404);
    assert_eq!(error_code(refused).await, "passkey_not_found");

    let removed = app
        .post_form("/api/auth/passkey/remove", &[("id", id)])
        .await;
    assert_eq!(removed.status(), 200);
    let again = app
        .post_form("/api/auth/passkey/remove", &[("id", id)])
        .await;
    assert_eq!(again.status(), 404);
    let (refused, browser) = sign_in(&app, &mut authenticator).await;
    assert_eq!(refused.status(), 401);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"], "invalid_passkey");
    assert!(body["message"].as_str().unwrap().contains("removed"));
    assert_eq!(session_of(&app, &browser).await, Value::Null);
}

/// A second person signed up on `app`, in a browser of their own.
async fn spawn_stranger(app: &TestApp) -> reqwest::Client {
    let browser = client_from(Some(&app.address));
    let email = crate::helpers::unique_email();
    let response = post_form(
        &browser,
        &app.url("/api/auth/sign-up"),
        &[("email", &email), ("password", crate::helpers::PASSWORD)],
    )
    .await;
    assert_eq!(response.status(), 200);
    browser
}

#[tokio::test]
async fn two_factor_is_not_asked_after_a_passkey() {
    let app = app().await;
    user_with_two_factor(&app).await;
    let mut authenticator = SoftPasskey::new();
    add_passkey(&app, &mut authenticator).await;

    let (signed_in, browser) = sign_in(&app, &mut authenticator).await;
    assert_eq!(signed_in.status(), 200);
    assert!(signed_in.cookies().any(|c| c.name() == "badge_session"));
    assert!(!signed_in.cookies().any(|c| c.name() == "badge_2fa"));
    assert_eq!(
        session_of(&app, &browser).await["amr"],
        serde_json::json!(["hwk", "user", "mfa"])
    );
}

#[tokio::test]
async fn passkeys_of_an_account_need_its_session() {
    let app = app().await;
    for path in [
        "/api/auth/passkey/register-options",
        "/api/auth/passkey/register",
        "/api/auth/passkeys",
        "/api/auth/passkey/remove",
    ] {
        let response = app.post_form(path, &[]).await;
        assert_eq!(response.status(), 401, "{path}");
    }
}

#[tokio::test]
async fn garbled_answers_are_clear_errors_that_change_nothing() {
    let app = app().await;
    app.signed_up_user().await;
    let mut authenticator = SoftPasskey::new();
    add_passkey(&app, &mut authenticator).await;

    ceremony(&app, &app.client, "/api/auth/passkey/register-options").await;
    let refused = app
        .post_form("/api/auth/passkey/register", &[("credential", "{not json")])
        .await;
    assert_eq!(refused.status(), 400);
    assert_eq!(error_code(refused).await, "invalid_passkey");
    ceremony(&app, &app.client, "/api/auth/passkey/register-options").await;
    let long_name = "x".repeat(65);
    let refused = app
        .post_form(
            "/api/auth/passkey/register",
            &[("credential", "{}"), ("name", &long_name)],
        )
        .await;
    assert_eq!(refused.status(), 400);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["field"], "passkey_name");

    let browser = client_from(Some(&app.address));
    ceremony(&app, &browser, "/api/auth/passkey/sign-in-options").await;
    let refused = post_credential(&app, &browser, "[]").await;
    assert_eq!(refused.status(), 401);
    assert_eq!(error_code(refused).await, "invalid_passkey");
    // Without asking for options first: no ceremony at all.
    let refused = post_credential(&app, &client_from(Some(&app.address)), "{}").await;
    assert_eq!(refused.status(), 401);

    let listed = listed(&app).await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(sign_in(&app, &mut authenticator).await.0.status(), 200);
}

#[tokio::test]
async fn deleting_the_account_deletes_its_passkeys() {
    let app = app().await;
    app.signed_up_user().await;
    let mut authenticator = SoftPasskey::new();
    add_passkey(&app, &mut authenticator).await;
    let deleted = app
        .post_form(
            "/api/auth/delete-account",
            &[("password", crate::helpers::PASSWORD)],
        )
        .await;
    assert_eq!(deleted.status(), 200);
    let (left,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM passkeys")
        .fetch_one(&app.db().await)
        .await
        .unwrap();
    assert_eq!(left, 0);
    assert_eq!(sign_in(&app, &mut authenticator).await.0.status(), 401);
}
