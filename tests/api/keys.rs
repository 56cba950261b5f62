//! The published key set and changing the signing secret (HS256 mode).

use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{json, Value};

use crate::helpers::{
    client_from, cookie_header, post_form, spawn_app, spawn_app_on, unique_email, TestApp,
    TestDatabase, PASSWORD,
};

/// Instances of one deployment share the public URL (so the issuer) and the database.
const SITE_URL: &str = "http://badge.test";
const OLD_SECRET: &str = "the-old-secret-that-is-long-enough-for-hs256";
const NEW_SECRET: &str = "the-new-secret-that-is-also-long-enough-for-hs256";

#[tokio::test]
async fn in_hs256_mode_the_jwks_holds_only_the_rsa_keys_and_may_be_cached() {
    let app = spawn_app().await;

    for path in ["/.well-known/jwks.json", "/api/auth/jwks"] {
        let response = app.get(path).await;

        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(
            response.headers()["cache-control"],
            "public, max-age=300",
            "{path}"
        );
        let set = response.json::<Value>().await.unwrap();
        let types: Vec<&Value> = set["keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| &k["kty"])
            .collect();
        assert_eq!(
            types,
            [&json!("RSA")],
            "the OpenID Provider's key; never the secret"
        );
    }
}

async fn instance(
    database: &std::sync::Arc<TestDatabase>,
    secret: &str,
    previous: Option<&str>,
) -> TestApp {
    let (secret, previous) = (secret.to_owned(), previous.map(str::to_owned));
    spawn_app_on(database.clone(), move |vars| {
        vars.insert("SITE_URL", SITE_URL.into());
        vars.insert("AUTH_SECRET", secret);
        if let Some(previous) = previous {
            vars.insert("AUTH_SECRET_PREVIOUS", previous);
        }
    })
    .await
}

async fn badge_for(app: &TestApp, browser: &reqwest::Client, cookie: &str) -> reqwest::Response {
    browser
        .get(app.url("/api/token"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
}

fn token_of(body: &Value) -> String {
    body["token"].as_str().expect("token").to_owned()
}

fn verifies_with(token: &str, secret: &str) -> bool {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.set_issuer(&[SITE_URL]);
    jsonwebtoken::decode::<Value>(
        token,
        &DecodingKey::from_secret(secret.as_bytes()),
        &validation,
    )
    .is_ok()
}

#[tokio::test]
async fn a_new_secret_keeps_sessions_and_earlier_badges_while_new_badges_use_it() {
    let database = TestDatabase::create().await;
    let before = instance(&database, OLD_SECRET, None).await;
    let browser = client_from(Some(SITE_URL));
    let email = unique_email();
    let signed_up = post_form(
        &browser,
        &before.url("/api/auth/sign-up"),
        &[("email", &email), ("password", PASSWORD)],
    )
    .await;
    let cookie = cookie_header(&signed_up);
    let old_badge = token_of(
        &badge_for(&before, &browser, &cookie)
            .await
            .json()
            .await
            .unwrap(),
    );

    // Restarted with a new secret, the old one kept as previous.
    let after = instance(&database, NEW_SECRET, Some(OLD_SECRET)).await;

    let minted = badge_for(&after, &browser, &cookie).await;
    assert_eq!(minted.status(), 200, "the session outlives the secret");
    let new_badge = token_of(&minted.json().await.unwrap());
    assert!(verifies_with(&new_badge, NEW_SECRET));
    assert!(!verifies_with(&new_badge, OLD_SECRET));
    assert_eq!(after.hello_status(&old_badge).await, 200);
    assert_eq!(after.hello_status(&new_badge).await, 200);

    // Without the previous secret, the old badge is refused.
    let forgetful = instance(&database, NEW_SECRET, None).await;
    assert_eq!(forgetful.hello_status(&old_badge).await, 401);
}
