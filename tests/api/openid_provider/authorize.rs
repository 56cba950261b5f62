//! The authorization request's rules: what is a page, what goes back to the client, `prompt`
//! and `max_age`.

use serde_json::Value;

use super::*;
use crate::helpers::PASSWORD;

/// The sign-in the authorization sent the browser to, done with the password; returns where
/// the sign-in sends the browser next (back to the authorization).
async fn sign_in_as_asked(app: &TestApp, asked: &reqwest::Response, email: &str) -> String {
    let sign_in = location(asked);
    assert!(sign_in.starts_with("/sign-in?next="), "{sign_in}");
    let next = Url::parse(&app.url(&sign_in))
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "next")
        .unwrap()
        .1
        .into_owned();
    let signed_in = app
        .client
        .post(app.url("/api/auth/sign-in"))
        .header("accept", "text/html")
        .form(&[("email", email), ("password", PASSWORD), ("next", &next)])
        .send()
        .await
        .unwrap();
    location(&signed_in)
}

async fn auth_time_of(app: &TestApp, client: &TestClient, code: &str) -> i64 {
    let tokens: Value = exchange(app, client, code, &[]).await.json().await.unwrap();
    verified(app, tokens["id_token"].as_str().unwrap(), &client.id).await["auth_time"]
        .as_i64()
        .unwrap()
}

/// Makes the current session look `seconds` older (when it was signed in).
async fn age_sessions(app: &TestApp, seconds: i64) {
    sqlx::query("UPDATE sessions SET created_at = created_at - $1")
        .bind(seconds)
        .execute(&app.db().await)
        .await
        .unwrap();
}

#[tokio::test]
async fn an_unknown_client_or_an_unregistered_redirect_uri_is_a_page_never_a_redirect() {
    let app = op_app().await;
    let client = confidential(&app).await;
    app.signed_up_user().await;
    let unknown = TestClient {
        id: "no-such-client".into(),
        secret: None,
    };

    for params in [
        request(&unknown, &[]),
        request(
            &client,
            &[("redirect_uri", "https://evil.example/callback")],
        ),
        request(&client, &[("redirect_uri", "http://127.0.0.1:9/callback/")]),
        request(&client, &[("client_id", "")]),
    ] {
        let response = authorize(&app, &params).await;
        assert_eq!(response.status(), 400, "{params:?}");
        assert!(response.headers().get("location").is_none());
        let page = response.text().await.unwrap();
        assert!(page.contains("role=\"alert\""), "{page}");
    }
}

#[tokio::test]
async fn other_errors_go_back_to_the_client_with_error_and_state() {
    let app = op_app().await;
    let client = confidential(&app).await;
    app.signed_up_user().await;

    for (extra, error) in [
        (
            vec![("response_type", "token")],
            "unsupported_response_type",
        ),
        (vec![("response_type", "")], "invalid_request"),
        (vec![("scope", "email")], "invalid_scope"),
        (
            vec![("request", "eyJhbGciOiJub25lIn0.e30.")],
            "request_not_supported",
        ),
        (
            vec![("request_uri", "https://app.example/r")],
            "request_uri_not_supported",
        ),
        (vec![("prompt", "none login")], "invalid_request"),
        (vec![("max_age", "soon")], "invalid_request"),
    ] {
        let got = client_got(&authorize(&app, &request(&client, &extra)).await);
        assert_eq!(got["error"], error, "{extra:?}");
        assert_eq!(got["state"], "state-123", "{extra:?}");
        assert!(!got.contains_key("code"));
    }
    let mut repeated = request(&client, &[]);
    repeated.push(("scope".into(), "openid".into()));
    let got = client_got(&authorize(&app, &repeated).await);
    assert_eq!(got["error"], "invalid_request");
}

#[tokio::test]
async fn display_ui_locales_acr_values_and_login_hint_are_accepted() {
    let app = op_app().await;
    let client = confidential(&app).await;
    app.signed_up_user().await;

    let code = code_for(
        &app,
        &client,
        &[
            ("display", "popup"),
            ("ui_locales", "fr-CA fr en"),
            ("acr_values", "urn:mace:incommon:iap:silver"),
            ("login_hint", "someone@example.com"),
            ("claims_locales", "de"),
        ],
    )
    .await;

    assert!(!code.is_empty());
}

#[tokio::test]
async fn prompt_none_signed_out_is_login_required_with_the_state() {
    let app = op_app().await;
    let client = confidential(&app).await;

    let got = client_got(&authorize(&app, &request(&client, &[("prompt", "none")])).await);

    assert_eq!(got["error"], "login_required");
    assert_eq!(got["state"], "state-123");
}

#[tokio::test]
async fn prompt_none_when_consent_is_owed_is_consent_required() {
    let app = op_app().await;
    let client = confidential(&app).await;
    app.signed_up_user().await;

    let got = client_got(&authorize(&app, &request(&client, &[("prompt", "none")])).await);
    assert_eq!(got["error"], "consent_required");

    code_for(&app, &client, &[]).await;
    let got = client_got(&authorize(&app, &request(&client, &[("prompt", "none")])).await);
    assert!(
        got.contains_key("code"),
        "allowed before: no prompt needed {got:?}"
    );
}

#[tokio::test]
async fn prompt_login_signs_the_person_in_again_and_auth_time_moves() {
    let app = op_app().await;
    let client = confidential(&app).await;
    let email = app.signed_up_user().await;
    let first = code_for(&app, &client, &[]).await;
    let first_auth_time = auth_time_of(&app, &client, &first).await;
    age_sessions(&app, 30).await;

    let asked = authorize(&app, &request(&client, &[("prompt", "login")])).await;
    let back = sign_in_as_asked(&app, &asked, &email).await;
    let answered = app.get(&back).await;

    let got = client_got(&answered);
    assert!(
        got.contains_key("code"),
        "back after signing in, not asked again: {got:?}"
    );
    let again = auth_time_of(&app, &client, &got["code"]).await;
    assert!(again > first_auth_time - 30, "{again} vs {first_auth_time}");
    assert!(again >= crate::helpers::unix_now() - 5);
}

#[tokio::test]
async fn max_age_exceeded_signs_the_person_in_again_and_auth_time_is_newer() {
    let app = op_app().await;
    let client = confidential(&app).await;
    let email = app.signed_up_user().await;
    code_for(&app, &client, &[]).await;
    age_sessions(&app, 10).await;

    let fresh_enough = authorize(&app, &request(&client, &[("max_age", "3600")])).await;
    assert!(client_got(&fresh_enough).contains_key("code"));
    let none = authorize(
        &app,
        &request(&client, &[("max_age", "1"), ("prompt", "none")]),
    )
    .await;
    assert_eq!(client_got(&none)["error"], "login_required");
    let asked = authorize(&app, &request(&client, &[("max_age", "1")])).await;
    let back = sign_in_as_asked(&app, &asked, &email).await;
    let got = client_got(&app.get(&back).await);

    let auth_time = auth_time_of(&app, &client, &got["code"]).await;
    assert!(
        auth_time >= crate::helpers::unix_now() - 1 - 5,
        "a new sign-in: {auth_time}"
    );
}

/// The `form-action` sources of a page's Content-Security-Policy.
async fn form_action_of(app: &TestApp, path: &str) -> String {
    let response = app.client.get(app.url(path)).send().await.unwrap();
    assert_eq!(response.status(), 200, "{path}");
    let policy = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(response.headers().get("x-badge-form-target").is_none());
    policy
        .split(';')
        .map(str::trim)
        .find_map(|directive| directive.strip_prefix("form-action "))
        .expect("a form-action directive")
        .to_owned()
}

#[tokio::test]
async fn sign_in_pages_continuing_a_valid_authorization_may_end_at_the_app_only() {
    let app = op_app().await;
    let client = confidential(&app).await;
    let page_for = |page: &str, params: &[(String, String)]| {
        let query: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(params)
            .finish();
        let next = format!("/oauth2/authorize?{query}");
        format!(
            "{page}?next={}",
            form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
        )
    };

    // Consent given before: the sign-in's redirects end at the app's redirect URI.
    let valid = request(&client, &[]);
    for page in ["/sign-in", "/sign-in/two-factor"] {
        let sources = form_action_of(&app, &page_for(page, &valid)).await;
        assert_eq!(sources, "'self' http://127.0.0.1:9", "{page}");
    }

    // Nothing another site could name: an unregistered redirect URI, an unknown client, any
    // other `next`.
    let unregistered = request(&client, &[("redirect_uri", "https://evil.example/cb")]);
    let unknown = request(
        &TestClient {
            id: "no-such-client".into(),
            secret: None,
        },
        &[("redirect_uri", "https://evil.example/cb")],
    );
    for path in [
        page_for("/sign-in", &unregistered),
        page_for("/sign-in", &unknown),
        "/sign-in?next=/account".to_owned(),
        "/sign-in".to_owned(),
    ] {
        assert_eq!(form_action_of(&app, &path).await, "'self'", "{path}");
    }
}
