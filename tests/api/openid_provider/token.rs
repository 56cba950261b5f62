//! The token endpoint: client authentication, PKCE, and codes used once.

use serde_json::Value;

use super::*;

#[tokio::test]
async fn client_secret_post_works_and_a_wrong_secret_is_invalid_client() {
    let app = op_app().await;
    let client = confidential(&app).await;
    app.signed_up_user().await;
    let secret = client.secret.clone().unwrap();
    let in_body = TestClient {
        id: client.id.clone(),
        secret: None,
    };

    let code = code_for(&app, &client, &[]).await;
    let posted = exchange(&app, &in_body, &code, &[("client_secret", &secret)]).await;
    assert_eq!(posted.status(), 200);

    let code = code_for(&app, &client, &[]).await;
    let wrong = TestClient {
        id: client.id.clone(),
        secret: Some("not-the-secret".into()),
    };
    let refused = exchange(&app, &wrong, &code, &[]).await;
    assert_eq!(refused.status(), 401);
    assert!(refused.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .starts_with("Basic"));
    assert_eq!(oauth_error(refused).await, "invalid_client");
    let none = exchange(&app, &in_body, &code, &[]).await;
    assert_eq!(
        none.status(),
        401,
        "a confidential client must authenticate"
    );
    let both = exchange(&app, &client, &code, &[("client_secret", &secret)]).await;
    assert_eq!(
        oauth_error(both).await,
        "invalid_request",
        "one method, not two"
    );
}

#[tokio::test]
async fn a_code_is_used_once_and_its_second_use_revokes_what_it_issued() {
    let app = op_app().await;
    let client = confidential(&app).await;
    app.signed_up_user().await;
    let code = code_for(&app, &client, &[]).await;

    let first: Value = exchange(&app, &client, &code, &[])
        .await
        .json()
        .await
        .unwrap();
    let access_token = first["access_token"].as_str().unwrap();
    let userinfo = |token: String| {
        let url = app.url("/oauth2/userinfo");
        async move {
            reqwest::Client::new()
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(userinfo(access_token.to_owned()).await, 200);
    let second = exchange(&app, &client, &code, &[]).await;

    assert_eq!(second.status(), 400);
    assert_eq!(oauth_error(second).await, "invalid_grant");
    assert_eq!(userinfo(access_token.to_owned()).await, 401, "revoked");
}

#[tokio::test]
async fn a_code_is_bound_to_its_client_and_redirect_uri_and_expires() {
    let app = op_app().await;
    let client = confidential(&app).await;
    let other = confidential(&app).await;
    app.signed_up_user().await;

    let code = code_for(&app, &client, &[]).await;
    assert_eq!(
        oauth_error(exchange(&app, &other, &code, &[]).await).await,
        "invalid_grant"
    );
    assert_eq!(
        exchange(&app, &client, &code, &[]).await.status(),
        200,
        "not spent by the other"
    );

    let code = code_for(&app, &client, &[]).await;
    let elsewhere = exchange(
        &app,
        &client,
        &code,
        &[("redirect_uri", "http://127.0.0.1:9/other")],
    )
    .await;
    assert_eq!(oauth_error(elsewhere).await, "invalid_grant");

    let code = code_for(&app, &client, &[]).await;
    let expires: (i64,) =
        sqlx::query_as("SELECT expires_at FROM oauth_codes WHERE used_at IS NULL")
            .fetch_one(&app.db().await)
            .await
            .unwrap();
    let lifetime = expires.0 - crate::helpers::unix_now();
    assert!(
        (55..=60).contains(&lifetime),
        "OAUTH_CODE_TTL 60 s: {lifetime}"
    );
    sqlx::query("UPDATE oauth_codes SET expires_at = 0")
        .execute(&app.db().await)
        .await
        .unwrap();
    assert_eq!(
        oauth_error(exchange(&app, &client, &code, &[]).await).await,
        "invalid_grant"
    );
}

#[tokio::test]
async fn a_public_client_needs_pkce_s256_and_the_right_verifier() {
    let app = op_app().await;
    let client = public(&app).await;
    app.signed_up_user().await;
    let (verifier, challenge) = pkce();

    let no_pkce = client_got(&authorize(&app, &request(&client, &[])).await);
    assert_eq!(
        no_pkce["error"], "invalid_request",
        "PKCE is required of public clients"
    );
    let plain = request(
        &client,
        &[
            ("code_challenge", &verifier),
            ("code_challenge_method", "plain"),
        ],
    );
    assert_eq!(
        client_got(&authorize(&app, &plain).await)["error"],
        "invalid_request"
    );
    let implicit_plain = request(&client, &[("code_challenge", &challenge)]);
    assert_eq!(
        client_got(&authorize(&app, &implicit_plain).await)["error"],
        "invalid_request"
    );

    let with_pkce = [
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    let code = code_for(&app, &client, &with_pkce).await;
    let (wrong, _) = pkce();
    let refused = exchange(&app, &client, &code, &[("code_verifier", &wrong)]).await;
    assert_eq!(oauth_error(refused).await, "invalid_grant");

    let code = code_for(&app, &client, &with_pkce).await;
    assert_eq!(
        oauth_error(exchange(&app, &client, &code, &[]).await).await,
        "invalid_grant"
    );

    let code = code_for(&app, &client, &with_pkce).await;
    let tokens = exchange(&app, &client, &code, &[("code_verifier", &verifier)]).await;
    assert_eq!(tokens.status(), 200, "auth method none with the verifier");
    let with_secret = TestClient {
        id: client.id.clone(),
        secret: Some("made-up".into()),
    };
    let code = code_for(&app, &client, &with_pkce).await;
    let refused = exchange(&app, &with_secret, &code, &[("code_verifier", &verifier)]).await;
    assert_eq!(oauth_error(refused).await, "invalid_client");
}

#[tokio::test]
async fn a_confidential_client_may_use_pkce_too_and_is_held_to_it() {
    let app = op_app().await;
    let client = confidential(&app).await;
    app.signed_up_user().await;
    let (verifier, challenge) = pkce();
    let with_pkce = [
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];

    let code = code_for(&app, &client, &with_pkce).await;
    assert_eq!(
        oauth_error(exchange(&app, &client, &code, &[]).await).await,
        "invalid_grant"
    );
    let code = code_for(&app, &client, &with_pkce).await;
    let ok = exchange(&app, &client, &code, &[("code_verifier", &verifier)]).await;
    assert_eq!(ok.status(), 200);
    let code = code_for(&app, &client, &[]).await;
    let unasked = exchange(&app, &client, &code, &[("code_verifier", &verifier)]).await;
    assert_eq!(oauth_error(unasked).await, "invalid_grant");
}

#[tokio::test]
async fn the_token_endpoint_refuses_bad_requests_clearly() {
    let app = op_app().await;
    let client = confidential(&app).await;

    let no_grant = exchange(&app, &client, "x", &[("grant_type", "")]).await;
    assert_eq!(oauth_error(no_grant).await, "invalid_request");
    let password = exchange(&app, &client, "x", &[("grant_type", "password")]).await;
    assert_eq!(oauth_error(password).await, "unsupported_grant_type");
    let unknown = TestClient {
        id: "nobody".into(),
        secret: Some("x".into()),
    };
    assert_eq!(exchange(&app, &unknown, "x", &[]).await.status(), 401);
    let garbage = exchange(&app, &client, "not-a-code", &[]).await;
    assert_eq!(garbage.status(), 400);
    assert_eq!(garbage.headers()["cache-control"], "no-store");
    assert_eq!(oauth_error(garbage).await, "invalid_grant");
}
