//! Userinfo: GET and POST, the token in the header or the body, RFC 6750 errors.

use serde_json::Value;

use super::*;

async fn access_token(app: &TestApp) -> (String, String) {
    let client = confidential(app).await;
    let email = app.signed_up_user().await;
    let code = code_for(app, &client, &[]).await;
    let tokens: Value = exchange(app, &client, &code, &[])
        .await
        .json()
        .await
        .unwrap();
    (tokens["access_token"].as_str().unwrap().to_owned(), email)
}

#[tokio::test]
async fn userinfo_answers_by_get_by_post_header_and_by_post_body() {
    let app = op_app().await;
    let (token, email) = access_token(&app).await;
    let http = reqwest::Client::new();
    let url = app.url("/oauth2/userinfo");

    let by_get = http.get(&url).bearer_auth(&token).send().await.unwrap();
    let by_post_header = http.post(&url).bearer_auth(&token).send().await.unwrap();
    let by_post_body = http
        .post(&url)
        .form(&[("access_token", &token)])
        .send()
        .await
        .unwrap();

    for response in [by_get, by_post_header, by_post_body] {
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["cache-control"], "no-store");
        let claims: Value = response.json().await.unwrap();
        assert_eq!(claims["email"], email.as_str());
        assert_eq!(claims["email_verified"], false);
        assert!(claims["sub"].is_string());
    }
}

#[tokio::test]
async fn userinfo_refusals_follow_rfc_6750() {
    let app = op_app().await;
    let (token, _) = access_token(&app).await;
    let http = reqwest::Client::new();
    let url = app.url("/oauth2/userinfo");

    let none = http.get(&url).send().await.unwrap();
    assert_eq!(none.status(), 401);
    assert_eq!(none.headers()["www-authenticate"], "Bearer realm=\"badge\"");
    let bad = http
        .get(&url)
        .bearer_auth("not.a.token")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 401);
    assert!(bad.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .contains("error=\"invalid_token\""));
    let twice = http
        .post(&url)
        .bearer_auth(&token)
        .form(&[("access_token", &token)])
        .send()
        .await
        .unwrap();
    assert_eq!(twice.status(), 400);
    assert_eq!(oauth_error(twice).await, "invalid_request");
    // A badge is not an access token, nor is an id_token.
    let badge = app.badge().await;
    let refused = http.get(&url).bearer_auth(&badge).send().await.unwrap();
    assert_eq!(refused.status(), 401);
}

#[tokio::test]
async fn an_id_token_is_not_accepted_as_an_access_token() {
    let app = op_app().await;
    let client = confidential(&app).await;
    app.signed_up_user().await;
    let code = code_for(&app, &client, &[]).await;
    let tokens: Value = exchange(&app, &client, &code, &[])
        .await
        .json()
        .await
        .unwrap();

    let refused = reqwest::Client::new()
        .get(app.url("/oauth2/userinfo"))
        .bearer_auth(tokens["id_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();

    assert_eq!(refused.status(), 401);
    assert_eq!(oauth_error(refused).await, "invalid_token");
}

#[tokio::test]
async fn a_deleted_account_s_access_token_is_refused() {
    let app = op_app().await;
    let (token, _) = access_token(&app).await;
    let deleted = app
        .post_form(
            "/api/auth/delete-account",
            &[("password", crate::helpers::PASSWORD)],
        )
        .await;
    assert!(deleted.status().is_success());

    let refused = reqwest::Client::new()
        .get(app.url("/oauth2/userinfo"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();

    assert_eq!(refused.status(), 401);
}
