//! Ending things: the revocation endpoint (RFC 7009), RP-initiated logout at
//! `/oauth2/end-session`, the account page's Connected apps, and `badge sessions revoke`.

use serde_json::Value;

use super::*;
use crate::cli::badge;

/// Where logged-out people go back to, registered for the client `logout_client` makes.
const POST_LOGOUT_URI: &str = "http://127.0.0.1:9/signed-out";

async fn logout_client(app: &TestApp) -> TestClient {
    register(
        app,
        NewClient {
            name: "Grafana".into(),
            redirect_uris: vec![REDIRECT_URI.into()],
            post_logout_uris: vec![POST_LOGOUT_URI.into()],
            ..NewClient::default()
        },
    )
    .await
}

#[tokio::test]
async fn revoking_a_refresh_token_ends_its_grant_and_an_access_token_ends_alone() {
    let app = op_app().await;
    let client = confidential(&app).await;
    let (vault, first) = signed_in_with_tokens(&app, &client).await;
    let second = tokens_for(&app, &client, &[]).await;

    let revoked = client_post(
        &app,
        "/oauth2/revoke",
        &client,
        &[("token", text(&first, "access_token"))],
    )
    .await;
    assert_eq!(revoked.status(), 200);
    assert!(!active(&app, &vault, text(&first, "access_token")).await);
    assert!(
        active(&app, &vault, text(&first, "refresh_token")).await,
        "alone"
    );

    let revoked = client_post(
        &app,
        "/oauth2/revoke",
        &client,
        &[
            ("token", text(&second, "refresh_token")),
            ("token_type_hint", "refresh_token"),
        ],
    )
    .await;
    assert_eq!(revoked.status(), 200);
    for token in [
        text(&second, "refresh_token"),
        text(&second, "access_token"),
    ] {
        assert!(!active(&app, &vault, token).await, "the whole grant");
    }
    assert!(
        active(&app, &vault, text(&first, "refresh_token")).await,
        "another grant"
    );
}

#[tokio::test]
async fn revocation_answers_200_for_unknown_or_foreign_tokens_and_changes_nothing() {
    let app = op_app().await;
    let client = confidential(&app).await;
    let other = confidential(&app).await;
    let (vault, tokens) = signed_in_with_tokens(&app, &client).await;

    for token in [
        "no-such-token",
        text(&tokens, "refresh_token"),
        text(&tokens, "access_token"),
    ] {
        let answer = client_post(&app, "/oauth2/revoke", &other, &[("token", token)]).await;
        assert_eq!(answer.status(), 200, "{token}");
    }
    assert!(active(&app, &vault, text(&tokens, "access_token")).await);
    assert!(active(&app, &vault, text(&tokens, "refresh_token")).await);

    let missing = client_post(&app, "/oauth2/revoke", &client, &[]).await;
    assert_eq!(oauth_error(missing).await, "invalid_request");
    let vault_may_not = client_post(&app, "/oauth2/revoke", &vault, &[("token", "x")]).await;
    assert_eq!(oauth_error(vault_may_not).await, "unauthorized_client");
}

/// `GET /oauth2/end-session` with `params`, as the browser.
async fn end_session(app: &TestApp, params: &[(&str, &str)]) -> reqwest::Response {
    app.client
        .get(app.url("/oauth2/end-session"))
        .query(params)
        .send()
        .await
        .unwrap()
}

/// The confirmation form's answer, as the browser posts it.
async fn confirm(app: &TestApp, fields: &[(&str, &str)], decision: &str) -> reqwest::Response {
    let mut form = fields.to_vec();
    form.push(("decision", decision));
    app.client
        .post(app.url("/oauth2/end-session"))
        .header("accept", "text/html")
        .form(&form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn end_session_asks_first_then_signs_out_and_returns_to_the_registered_uri_with_state() {
    let app = op_app().await;
    let client = logout_client(&app).await;
    let (vault, tokens) = signed_in_with_tokens(&app, &client).await;
    let params = [
        ("id_token_hint", text(&tokens, "id_token")),
        ("post_logout_redirect_uri", POST_LOGOUT_URI),
        ("state", "bye-123"),
    ];

    // A link alone signs nobody out: it asks.
    let asked = end_session(&app, &params).await;
    assert_eq!(asked.status(), 200);
    let policy = asked.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        policy.contains("form-action 'self' http://127.0.0.1:9"),
        "{policy}"
    );
    let page = asked.text().await.unwrap();
    assert!(
        page.contains("Sign out of Badge?") && page.contains("Grafana"),
        "{page}"
    );
    assert!(app.session().await.is_object(), "still signed in");

    // Staying changes nothing.
    let stayed = confirm(&app, &[("client_id", &client.id)], "stay").await;
    assert_eq!(location(&stayed), "/");
    assert!(app.session().await.is_object());

    let fields = [
        ("client_id", client.id.as_str()),
        ("post_logout_redirect_uri", POST_LOGOUT_URI),
        ("state", "bye-123"),
    ];
    let signed_out = confirm(&app, &fields, "sign-out").await;
    assert_eq!(
        location(&signed_out),
        format!("{POST_LOGOUT_URI}?state=bye-123")
    );
    assert!(app.session().await.is_null(), "signed out of Badge");
    assert!(!active(&app, &vault, text(&tokens, "access_token")).await);
    assert!(!active(&app, &vault, text(&tokens, "refresh_token")).await);

    // Signed out already: straight back, nothing to confirm.
    let again = end_session(&app, &params).await;
    assert_eq!(location(&again), format!("{POST_LOGOUT_URI}?state=bye-123"));
}

#[tokio::test]
async fn end_session_without_a_post_logout_uri_says_the_person_is_signed_out() {
    let app = op_app().await;
    let client = confidential(&app).await;
    app.signed_up_user().await;

    let asked = end_session(&app, &[("client_id", &client.id)]).await;
    assert_eq!(asked.status(), 200);
    let signed_out = confirm(&app, &[("client_id", &client.id)], "sign-out").await;
    assert_eq!(signed_out.status(), 200);
    assert!(signed_out
        .text()
        .await
        .unwrap()
        .contains("You are signed out"));
    assert!(app.session().await.is_null());
}

#[tokio::test]
async fn an_unregistered_post_logout_uri_or_a_forged_hint_is_a_page_never_a_redirect() {
    let app = op_app().await;
    let client = logout_client(&app).await;
    let other = confidential(&app).await;
    app.signed_up_user().await;
    let tokens = tokens_for(&app, &client, &[]).await;
    let id_token = text(&tokens, "id_token");
    let mut forged = id_token.to_owned();
    forged.pop();

    for params in [
        vec![
            ("client_id", client.id.as_str()),
            ("post_logout_redirect_uri", "https://evil.example/"),
        ],
        vec![("post_logout_redirect_uri", POST_LOGOUT_URI)],
        vec![
            ("id_token_hint", forged.as_str()),
            ("post_logout_redirect_uri", POST_LOGOUT_URI),
        ],
        vec![
            ("id_token_hint", id_token),
            ("client_id", other.id.as_str()),
        ],
        vec![("client_id", "no-such-client")],
    ] {
        let answer = end_session(&app, &params).await;
        assert_eq!(answer.status(), 400, "{params:?}");
        assert!(answer.headers().get("location").is_none());
        assert!(answer.text().await.unwrap().contains("role=\"alert\""));
    }
    assert!(app.session().await.is_object(), "nobody was signed out");
}

#[tokio::test]
async fn connected_apps_lists_what_was_allowed_and_revoke_ends_its_tokens() {
    let app = op_app().await;
    let client = confidential(&app).await;
    let (vault, tokens) = signed_in_with_tokens(&app, &client).await;

    let listed: Value = app
        .post_form("/api/auth/connected-apps", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(listed[0]["name"], "Grafana");
    assert_eq!(listed[0]["client_id"], client.id.as_str());
    assert!(listed[0]["last_used_at"].is_i64(), "{listed}");
    assert_eq!(listed[0]["scopes"].as_array().unwrap().len(), 2);
    assert!(app.page("/account").await.contains("Connected apps"));

    let revoked = app
        .post_form(
            "/api/auth/connected-apps/revoke",
            &[("client_id", &client.id)],
        )
        .await;
    assert_eq!(revoked.status(), 200);
    for token in [
        text(&tokens, "access_token"),
        text(&tokens, "refresh_token"),
    ] {
        assert!(!active(&app, &vault, token).await);
    }
    let listed: Value = app
        .post_form("/api/auth/connected-apps", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed, serde_json::json!([]));
    // Asked again next time: the consent went with it.
    let asked = authorize(&app, &request(&client, &[])).await;
    assert!(location(&asked).starts_with("/oauth2/consent?"));

    let again = app
        .post_form(
            "/api/auth/connected-apps/revoke",
            &[("client_id", &client.id)],
        )
        .await;
    assert_eq!(again.status(), 404);
}

#[tokio::test]
async fn sessions_revoke_by_the_operator_ends_the_apps_tokens_too() {
    let app = op_app().await;
    let client = confidential(&app).await;
    let email = app.signed_up_user().await;
    let vault = vault(&app).await;
    let offline = tokens_for(&app, &client, OFFLINE).await;

    let (ok, stdout, stderr) = badge(&app.db_url, &["sessions", "revoke", &email]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("app token(s) revoked"), "{stdout}");

    assert!(!active(&app, &vault, text(&offline, "refresh_token")).await);
    assert!(!active(&app, &vault, text(&offline, "access_token")).await);
}
