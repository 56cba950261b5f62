//! Introspection (RFC 7662) knows about sign-outs: badges, access tokens and refresh tokens are
//! `active` only while their session, user, grant and key live (better-auth#10267 said `true`
//! for revoked sessions). Only authenticated confidential or introspection-only clients ask; an
//! app learns only about its own tokens.

use serde_json::Value;

use super::*;
use crate::helpers::{post_form, PASSWORD, TEST_SECRET};
use badge::server::badge::signing_keys;

/// Every kind of token of one signed-in person: a badge, an app's access and refresh tokens.
struct Tokens {
    badge: String,
    access: String,
    refresh: String,
}

impl Tokens {
    fn all(&self) -> [(&'static str, &str); 3] {
        [
            ("badge", &self.badge),
            ("access token", &self.access),
            ("refresh token", &self.refresh),
        ]
    }
}

async fn assert_all(app: &TestApp, vault: &TestClient, tokens: &Tokens, expected: bool) {
    for (kind, token) in tokens.all() {
        assert_eq!(active(app, vault, token).await, expected, "{kind}");
    }
}

/// Signed up on `app` (its client signed in), a client allowed, a vault, and the tokens.
async fn world(app: &TestApp) -> (TestClient, TestClient, Tokens) {
    let client = confidential(app).await;
    let (vault, answer) = signed_in_with_tokens(app, &client).await;
    let tokens = Tokens {
        badge: app.badge().await,
        access: text(&answer, "access_token").to_owned(),
        refresh: text(&answer, "refresh_token").to_owned(),
    };
    (client, vault, tokens)
}

#[tokio::test]
async fn an_active_answer_names_the_holder_the_session_and_the_client() {
    let app = op_app().await;
    let (client, vault, tokens) = world(&app).await;
    let sid = app
        .post_form("/api/auth/sessions", &[])
        .await
        .json::<Value>()
        .await
        .unwrap()[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let badge = introspect(&app, &vault, &tokens.badge).await;
    assert_eq!(badge["active"], true);
    assert_eq!(badge["sid"], sid.as_str());
    assert_eq!(badge["iss"], app.address.as_str());
    assert!(badge["sub"].is_string() && badge["exp"].is_i64());

    let access = introspect(&app, &vault, &tokens.access).await;
    assert_eq!(access["client_id"], client.id.as_str());
    assert_eq!(access["scope"], "openid email");
    assert_eq!(access["sid"], sid.as_str());
    assert_eq!(access["token_type"], "Bearer");

    let refresh = introspect(&app, &vault, &tokens.refresh).await;
    assert_eq!(refresh["active"], true);
    assert_eq!(refresh["token_type"], "refresh_token");
    assert_eq!(refresh["client_id"], client.id.as_str());

    for nonsense in ["not-a-token", "a.b.c", &"x".repeat(5000)] {
        assert_eq!(
            introspect(&app, &vault, nonsense).await,
            serde_json::json!({"active": false})
        );
    }
    let empty = client_post(&app, "/oauth2/introspect", &vault, &[("token", "")]).await;
    assert_eq!(oauth_error(empty).await, "invalid_request");
}

#[tokio::test]
async fn every_token_goes_inactive_when_its_session_signs_out() {
    let app = op_app().await;
    let (_, vault, tokens) = world(&app).await;
    assert_all(&app, &vault, &tokens, true).await;

    app.sign_out().await;

    assert_all(&app, &vault, &tokens, false).await;
}

#[tokio::test]
async fn every_token_goes_inactive_when_its_session_is_revoked_from_another_device() {
    let app = op_app().await;
    let (_, vault, tokens) = world(&app).await;
    let email = app.session().await["email"].as_str().unwrap().to_owned();
    let other = app.second_device(&email, "Other browser").await;
    let sessions: Value = post_form(&other, &app.url("/api/auth/sessions"), &[])
        .await
        .json()
        .await
        .unwrap();
    let first = sessions
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["current"] == false)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let revoked = post_form(
        &other,
        &app.url("/api/auth/revoke-session"),
        &[("id", &first)],
    )
    .await;
    assert_eq!(revoked.status(), 200);

    assert_all(&app, &vault, &tokens, false).await;
}

#[tokio::test]
async fn a_password_change_elsewhere_ends_this_session_s_tokens_and_offline_grants() {
    let app = op_app().await;
    let (client, vault, tokens) = world(&app).await;
    let offline = tokens_for(&app, &client, OFFLINE).await;
    let offline_refresh = offline["refresh_token"].as_str().unwrap().to_owned();
    let email = app.session().await["email"].as_str().unwrap().to_owned();
    let other = app.second_device(&email, "Other browser").await;

    let changed = post_form(
        &other,
        &app.url("/api/auth/change-password"),
        &[
            ("current_password", PASSWORD),
            ("new_password", "a whole new passphrase"),
        ],
    )
    .await;
    assert_eq!(changed.status(), 200);

    assert_all(&app, &vault, &tokens, false).await;
    assert!(
        !active(&app, &vault, &offline_refresh).await,
        "offline grants end too"
    );
}

#[tokio::test]
async fn signing_out_everywhere_else_ends_the_apps_refresh_tokens_too() {
    let app = op_app().await;
    let client = confidential(&app).await;
    let email = app.signed_up_user().await;
    let vault = vault(&app).await;
    let offline = tokens_for(&app, &client, OFFLINE).await;
    let other = app.second_device(&email, "Other browser").await;

    let done = post_form(&other, &app.url("/api/auth/revoke-other-sessions"), &[]).await;
    assert_eq!(done.status(), 200);

    let refresh = offline["refresh_token"].as_str().unwrap();
    assert!(!active(&app, &vault, refresh).await);
    let answer = super::refresh(&app, &client, refresh, &[]).await;
    assert_eq!(oauth_error(answer).await, "invalid_grant");
}

#[tokio::test]
async fn every_token_goes_inactive_when_the_account_is_deleted() {
    let app = op_app().await;
    let (_, vault, tokens) = world(&app).await;

    let deleted = app
        .post_form("/api/auth/delete-account", &[("password", PASSWORD)])
        .await;
    assert_eq!(deleted.status(), 200);

    assert_all(&app, &vault, &tokens, false).await;
}

#[tokio::test]
async fn a_revoked_key_ends_the_tokens_it_signed_at_once() {
    let app = spawn_app_with(|vars| {
        vars.insert("AUTH_RATE_LIMIT", "false".into());
        vars.insert("JWT_ALGORITHM", "EdDSA".into());
    })
    .await;
    let (_, vault, tokens) = world(&app).await;
    let db = app.db().await;
    for token in [&tokens.badge, &tokens.access] {
        let kid = jsonwebtoken::decode_header(token).unwrap().kid.unwrap();
        signing_keys::revoke(&db, TEST_SECRET.as_bytes(), &kid)
            .await
            .expect("the key is revoked");
        assert!(!active(&app, &vault, token).await, "{kid}");
    }
    // A new key signs from now on; the refresh token (no key behind it) still works.
    assert!(active(&app, &vault, &tokens.refresh).await);
}

#[tokio::test]
async fn an_app_learns_only_about_its_own_tokens_and_must_authenticate() {
    let app = op_app().await;
    let (client, _, tokens) = world(&app).await;
    let other_app = confidential(&app).await;

    assert!(active(&app, &client, &tokens.access).await, "its own");
    assert!(active(&app, &client, &tokens.refresh).await, "its own");
    assert!(
        !active(&app, &client, &tokens.badge).await,
        "badges are for vaults"
    );
    assert!(
        !active(&app, &other_app, &tokens.access).await,
        "another app's"
    );

    let public = public(&app).await;
    let refused = client_post(
        &app,
        "/oauth2/introspect",
        &public,
        &[("token", &tokens.access)],
    )
    .await;
    assert_eq!(refused.status(), 401);
    let anonymous = reqwest::Client::new()
        .post(app.url("/oauth2/introspect"))
        .form(&[("token", tokens.access.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    assert_eq!(oauth_error(anonymous).await, "invalid_client");
    let wrong = TestClient {
        id: client.id.clone(),
        secret: Some("not-the-secret".into()),
    };
    let refused = client_post(
        &app,
        "/oauth2/introspect",
        &wrong,
        &[("token", &tokens.access)],
    )
    .await;
    assert_eq!(refused.status(), 401);
}
