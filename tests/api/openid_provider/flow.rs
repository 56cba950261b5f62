//! The code flow end to end: consent, code, tokens, and what they say.

use serde_json::Value;

use super::*;
use crate::helpers::{jwt_part, unix_now, PASSWORD};

#[tokio::test]
async fn discovery_names_the_issuer_the_endpoints_and_what_is_supported() {
    let app = op_app().await;

    let response = app.get("/.well-known/openid-configuration").await;

    assert_eq!(response.status(), 200);
    let doc: Value = response.json().await.unwrap();
    assert_eq!(doc["issuer"], app.address.as_str());
    for (field, path) in [
        ("authorization_endpoint", "/oauth2/authorize"),
        ("token_endpoint", "/oauth2/token"),
        ("userinfo_endpoint", "/oauth2/userinfo"),
        ("introspection_endpoint", "/oauth2/introspect"),
        ("revocation_endpoint", "/oauth2/revoke"),
        ("end_session_endpoint", "/oauth2/end-session"),
        ("jwks_uri", "/.well-known/jwks.json"),
    ] {
        assert_eq!(doc[field], app.url(path), "{field}");
    }
    assert_eq!(doc["response_types_supported"], serde_json::json!(["code"]));
    assert_eq!(
        doc["grant_types_supported"],
        serde_json::json!(["authorization_code", "refresh_token"])
    );
    assert_eq!(
        doc["scopes_supported"],
        serde_json::json!(["openid", "email", "profile", "offline_access"])
    );
    assert_eq!(
        doc["code_challenge_methods_supported"],
        serde_json::json!(["S256"])
    );
    assert_eq!(
        doc["token_endpoint_auth_methods_supported"],
        serde_json::json!(["client_secret_basic", "client_secret_post", "none"])
    );
    assert_eq!(
        doc["id_token_signing_alg_values_supported"],
        serde_json::json!(["RS256"])
    );
    assert_eq!(
        doc["subject_types_supported"],
        serde_json::json!(["public"])
    );
}

#[tokio::test]
async fn a_signed_in_person_allows_an_app_and_it_gets_verifiable_tokens() {
    let app = op_app().await;
    let client = confidential(&app).await;
    let email = app.signed_up_user().await;
    let user_id = app.session().await["id"].as_str().unwrap().to_owned();

    let asked = authorize(&app, &request(&client, &[])).await;
    let consent_page = app.page(&location(&asked)).await;
    assert!(consent_page.contains("Grafana"), "{consent_page}");
    assert!(consent_page.contains("wants to"), "{consent_page}");
    assert!(
        consent_page.contains("See your email address"),
        "{consent_page}"
    );
    let allowed = decide(&app, &asked, "allow").await;
    let got = client_got(&allowed);
    assert_eq!(got["state"], "state-123");
    assert_eq!(got["iss"], app.address);
    let tokens = exchange(&app, &client, &got["code"], &[]).await;

    assert_eq!(tokens.status(), 200);
    assert_eq!(tokens.headers()["cache-control"], "no-store");
    let tokens: Value = tokens.json().await.unwrap();
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["scope"], "openid email");
    assert!(tokens["expires_in"].as_u64().unwrap() > 0);
    let id_token = verified(&app, tokens["id_token"].as_str().unwrap(), &client.id).await;
    assert_eq!(id_token["sub"], user_id.as_str());
    assert_eq!(id_token["nonce"], "nonce-456", "the nonce is echoed");
    assert_eq!(id_token["email"], email.as_str());
    assert_eq!(id_token["email_verified"], false);
    assert_eq!(id_token["amr"], serde_json::json!(["pwd"]));
    let auth_time = id_token["auth_time"].as_i64().unwrap();
    assert!((unix_now() - 60..=unix_now()).contains(&auth_time));
    assert!(id_token["iat"].as_i64().unwrap() < id_token["exp"].as_i64().unwrap());
    let access_token = tokens["access_token"].as_str().unwrap();
    assert_eq!(jwt_part(access_token, 0)["typ"], "at+jwt", "RFC 9068");
    let access = verified(&app, access_token, &client.id).await;
    assert_eq!(access["client_id"], client.id.as_str());
    assert_eq!(access["scope"], "openid email");
    assert!(access["jti"].is_string());
}

#[tokio::test]
async fn scopes_limit_the_claims() {
    let app = op_app().await;
    let client = confidential(&app).await;
    app.signed_up_user().await;

    let code = code_for(&app, &client, &[("scope", "openid")]).await;
    let tokens: Value = exchange(&app, &client, &code, &[])
        .await
        .json()
        .await
        .unwrap();
    let id_token = verified(&app, tokens["id_token"].as_str().unwrap(), &client.id).await;
    let userinfo: Value = reqwest::Client::new()
        .get(app.url("/oauth2/userinfo"))
        .bearer_auth(tokens["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();

    assert_eq!(tokens["scope"], "openid");
    assert!(id_token.get("email").is_none(), "{id_token}");
    assert!(id_token.get("email_verified").is_none(), "{id_token}");
    let members: Vec<_> = userinfo.as_object().unwrap().keys().collect();
    assert_eq!(members, ["sub"], "{userinfo}");
}

#[tokio::test]
async fn a_signed_out_person_signs_in_and_comes_back_to_the_authorization() {
    let app = op_app().await;
    let client = confidential(&app).await;
    let email = app.signed_up_user().await;
    app.sign_out().await;

    let asked = authorize(&app, &request(&client, &[])).await;
    let sign_in = location(&asked);
    assert!(
        sign_in.starts_with("/sign-in?next=%2Foauth2%2Fauthorize%3F"),
        "{sign_in}"
    );
    let next = Url::parse(&app.url(&sign_in))
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "next")
        .unwrap()
        .1
        .into_owned();
    // The sign-in page's plain form, as a browser without WebAssembly posts it.
    let signed_in = app
        .client
        .post(app.url("/api/auth/sign-in"))
        .header("accept", "text/html")
        .form(&[
            ("email", email.as_str()),
            ("password", PASSWORD),
            ("next", &next),
        ])
        .send()
        .await
        .unwrap();

    assert_eq!(location(&signed_in), next);
    let back = app.get(&next).await;
    assert!(location(&back).starts_with("/oauth2/consent?"));
    let got = client_got(&decide(&app, &back, "allow").await);
    assert!(got.contains_key("code"), "{got:?}");
}

#[tokio::test]
async fn a_person_with_two_factor_signs_in_with_the_code_and_comes_back() {
    let app = op_app().await;
    let client = confidential(&app).await;
    let (email, secret, _) = crate::two_factor::user_with_two_factor(&app).await;
    app.sign_out().await;
    let next = location(&authorize(&app, &request(&client, &[])).await);
    let next = Url::parse(&app.url(&next))
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "next")
        .unwrap()
        .1
        .into_owned();
    let plain = |path: &str, form: Vec<(&'static str, String)>| {
        app.client
            .post(app.url(path))
            .header("accept", "text/html")
            .form(&form)
            .send()
    };

    let password = plain(
        "/api/auth/sign-in",
        vec![
            ("email", email),
            ("password", PASSWORD.into()),
            ("next", next.clone()),
        ],
    )
    .await
    .unwrap();
    assert!(location(&password).starts_with("/sign-in/two-factor?next="));
    let verified_code = plain(
        "/api/auth/two-factor/verify",
        vec![
            ("code", crate::two_factor::code(&secret, 1)),
            ("next", next.clone()),
        ],
    )
    .await
    .unwrap();
    assert_eq!(location(&verified_code), next);
    let code = code_for(&app, &client, &[]).await;
    let tokens: Value = exchange(&app, &client, &code, &[])
        .await
        .json()
        .await
        .unwrap();
    let id_token = verified(&app, tokens["id_token"].as_str().unwrap(), &client.id).await;

    assert_eq!(id_token["amr"], serde_json::json!(["pwd", "otp", "mfa"]));
}

#[tokio::test]
async fn consent_is_remembered_asked_again_for_more_scopes_and_skipped_for_first_parties() {
    let app = op_app().await;
    let client = confidential(&app).await;
    app.signed_up_user().await;
    code_for(&app, &client, &[("scope", "openid email")]).await;

    let again = authorize(&app, &request(&client, &[("scope", "openid email")])).await;
    assert!(client_got(&again).contains_key("code"), "remembered");
    let fewer = authorize(&app, &request(&client, &[("scope", "openid")])).await;
    assert!(
        client_got(&fewer).contains_key("code"),
        "a subset needs no new consent"
    );
    let more = authorize(
        &app,
        &request(&client, &[("scope", "openid email profile")]),
    )
    .await;
    assert!(
        location(&more).starts_with("/oauth2/consent?"),
        "more scopes: asked again"
    );
    let forced = authorize(&app, &request(&client, &[("prompt", "consent")])).await;
    assert!(
        location(&forced).starts_with("/oauth2/consent?"),
        "prompt=consent asks"
    );

    let own = register(
        &app,
        NewClient {
            name: "Our admin".into(),
            redirect_uris: vec![REDIRECT_URI.into()],
            first_party: true,
            ..NewClient::default()
        },
    )
    .await;
    let first_party = authorize(&app, &request(&own, &[])).await;
    assert!(
        client_got(&first_party).contains_key("code"),
        "no consent page"
    );
}

#[tokio::test]
async fn deny_sends_access_denied_with_the_state_and_remembers_nothing() {
    let app = op_app().await;
    let client = confidential(&app).await;
    app.signed_up_user().await;

    let asked = authorize(&app, &request(&client, &[])).await;
    let got = client_got(&decide(&app, &asked, "deny").await);

    assert_eq!(got["error"], "access_denied");
    assert_eq!(got["state"], "state-123");
    assert!(!got.contains_key("code"));
    let again = authorize(&app, &request(&client, &[])).await;
    assert!(location(&again).starts_with("/oauth2/consent?"));
}

#[tokio::test]
async fn a_consent_posted_from_another_site_is_refused() {
    let app = op_app().await;
    let client = confidential(&app).await;
    app.signed_up_user().await;
    let mut form = request(&client, &[]);
    form.push(("decision".into(), "allow".into()));

    let forged = app
        .client
        .post(app.url("/oauth2/consent"))
        .header("origin", "https://evil.example")
        .form(&form)
        .send()
        .await
        .unwrap();

    assert_eq!(forged.status(), 403);
}
