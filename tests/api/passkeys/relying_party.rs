//! The relying party's checks: the origin and the RP ID an answer was made for, ceremonies used
//! once and only for what they were started for, the per-IP limit, and where passkeys work
//! (`SITE_URL`'s host; none at an IP address).

use serde_json::Value;

use super::{add_passkey, app, ceremony, listed, origin, post_credential, session_of};
use crate::{
    helpers::{client_from, error_code, post_form, spawn_app_with},
    soft_passkey::SoftPasskey,
};

#[tokio::test]
async fn an_answer_made_for_another_origin_is_refused() {
    let app = app().await;
    app.signed_up_user().await;
    // Another site on this machine (another port): the same RP ID, so a browser would sign.
    let elsewhere = "http://localhost:9";
    let options = ceremony(&app, &app.client, "/api/auth/passkey/register-options").await;
    let credential = SoftPasskey::new()
        .create(elsewhere, &options)
        .await
        .unwrap();
    let refused = app
        .post_form("/api/auth/passkey/register", &[("credential", &credential)])
        .await;
    assert_eq!(refused.status(), 400);
    assert_eq!(error_code(refused).await, "invalid_passkey");
    assert_eq!(listed(&app).await, serde_json::json!([]));

    let mut authenticator = SoftPasskey::new();
    add_passkey(&app, &mut authenticator).await;
    let browser = client_from(Some(&app.address));
    let options = ceremony(&app, &browser, "/api/auth/passkey/sign-in-options").await;
    let credential = authenticator.get(elsewhere, &options).await.unwrap();
    let refused = post_credential(&app, &browser, &credential).await;
    assert_eq!(refused.status(), 401);
    assert_eq!(error_code(refused).await, "invalid_passkey");
}

#[tokio::test]
async fn an_assertion_signed_for_another_rp_id_is_refused() {
    let app = app().await;
    app.signed_up_user().await;
    let mut authenticator = SoftPasskey::new();
    add_passkey(&app, &mut authenticator).await;
    // The same key, used for evil.example's RP ID, with client data that claims our origin: only
    // the authenticator data's RP ID hash gives it away.
    let mut phished = authenticator.keys_moved_to("evil.example");
    let browser = client_from(Some(&app.address));
    let mut options = ceremony(&app, &browser, "/api/auth/passkey/sign-in-options").await;
    options["publicKey"]["rpId"] = "evil.example".into();
    let credential = phished
        .get_claiming("https://evil.example", &origin(&app), &options)
        .await;
    let refused = post_credential(&app, &browser, &credential).await;
    assert_eq!(refused.status(), 401);
    assert_eq!(session_of(&app, &browser).await, Value::Null);
}

#[tokio::test]
async fn a_sign_in_ceremony_is_used_once() {
    let app = app().await;
    app.signed_up_user().await;
    let mut authenticator = SoftPasskey::new();
    add_passkey(&app, &mut authenticator).await;
    let browser = client_from(Some(&app.address));
    let options = post_form(&browser, &app.url("/api/auth/passkey/sign-in-options"), &[]).await;
    let ceremony = options
        .cookies()
        .find(|c| c.name() == "badge_passkey")
        .map(|c| format!("{}={}", c.name(), c.value()))
        .expect("the ceremony's cookie");
    assert!(options
        .cookies()
        .any(|c| c.name() == "badge_passkey" && c.http_only()));
    let options: Value = options.json().await.unwrap();
    let credential = authenticator.get(&origin(&app), &options).await.unwrap();
    assert_eq!(
        post_credential(&app, &browser, &credential).await.status(),
        200
    );

    // The same answer and the same ceremony cookie, sent again by an eavesdropper.
    let replay = client_from(Some(&app.address))
        .post(app.url("/api/auth/passkey/sign-in"))
        .header("accept", "application/json")
        .header("cookie", ceremony)
        .form(&[("credential", &credential)])
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), 401);
    assert!(!replay.cookies().any(|c| c.name() == "badge_session"));
}

#[tokio::test]
async fn a_ceremony_older_than_five_minutes_is_refused() {
    let app = app().await;
    app.signed_up_user().await;
    let mut authenticator = SoftPasskey::new();
    add_passkey(&app, &mut authenticator).await;
    let browser = client_from(Some(&app.address));
    let options = ceremony(&app, &browser, "/api/auth/passkey/sign-in-options").await;
    let credential = authenticator.get(&origin(&app), &options).await.unwrap();
    let (expires_at,): (i64,) = sqlx::query_as("SELECT expires_at FROM passkey_ceremonies")
        .fetch_one(&app.db().await)
        .await
        .unwrap();
    assert!((295..=300).contains(&(expires_at - crate::helpers::unix_now())));
    sqlx::query("UPDATE passkey_ceremonies SET expires_at = expires_at - 301")
        .execute(&app.db().await)
        .await
        .unwrap();
    let refused = post_credential(&app, &browser, &credential).await;
    assert_eq!(refused.status(), 401);
    assert_eq!(session_of(&app, &browser).await, Value::Null);
}

#[tokio::test]
async fn a_registration_challenge_never_completes_a_sign_in_nor_the_reverse() {
    let app = app().await;
    app.signed_up_user().await;
    let mut authenticator = SoftPasskey::new();
    add_passkey(&app, &mut authenticator).await;

    // A registration ceremony's challenge, signed as a sign-in: refused as a sign-in.
    let registration = ceremony(&app, &app.client, "/api/auth/passkey/register-options").await;
    let as_sign_in = serde_json::json!({ "publicKey": {
        "challenge": registration["publicKey"]["challenge"],
        "rpId": "localhost",
        "allowCredentials": [],
        "userVerification": "required",
    }});
    let credential = authenticator.get(&origin(&app), &as_sign_in).await.unwrap();
    let refused = post_credential(&app, &app.client, &credential).await;
    assert_eq!(refused.status(), 401);
    assert_eq!(error_code(refused).await, "invalid_passkey");

    // A sign-in ceremony's challenge, answered as a registration: refused as one.
    let sign_in_options = ceremony(&app, &app.client, "/api/auth/passkey/sign-in-options").await;
    let mut as_registration = registration.clone();
    as_registration["publicKey"]["challenge"] = sign_in_options["publicKey"]["challenge"].clone();
    as_registration["publicKey"]["excludeCredentials"] = serde_json::json!([]);
    let credential = SoftPasskey::new()
        .create(&origin(&app), &as_registration)
        .await
        .unwrap();
    let refused = app
        .post_form("/api/auth/passkey/register", &[("credential", &credential)])
        .await;
    assert_eq!(refused.status(), 400);
    let listed = listed(&app).await;
    assert_eq!(listed.as_array().unwrap().len(), 1, "nothing was added");
}

#[tokio::test]
async fn passkey_sign_ins_are_limited_per_client_ip() {
    let app = crate::helpers::spawn_app().await;
    let browser = client_from(Some(&app.address));
    let mut statuses = Vec::new();
    for _ in 0..31 {
        let response =
            post_form(&browser, &app.url("/api/auth/passkey/sign-in-options"), &[]).await;
        statuses.push(response.status().as_u16());
        if response.status() == 429 {
            assert!(response.headers().contains_key("retry-after"));
        }
    }
    assert_eq!(statuses[..30], [200; 30]);
    assert_eq!(statuses[30], 429);
    let refused = post_credential(&app, &browser, "{}").await;
    assert_eq!(refused.status(), 429, "the answers count too");
}

#[tokio::test]
async fn with_site_url_the_relying_party_is_its_host() {
    let app = spawn_app_with(|vars| {
        vars.insert("SITE_URL", "https://auth.example.test".into());
    })
    .await;
    let browser = client_from(Some("https://auth.example.test"));
    let options = ceremony(&app, &browser, "/api/auth/passkey/sign-in-options").await;
    assert_eq!(options["publicKey"]["rpId"], "auth.example.test");
}

#[tokio::test]
async fn a_site_at_an_ip_address_has_no_passkeys_and_says_why() {
    let app = spawn_app_with(|vars| {
        vars.insert("SITE_URL", "http://192.0.2.10:3000".into());
    })
    .await;
    let browser = client_from(Some("http://192.0.2.10:3000"));
    let refused = post_form(&browser, &app.url("/api/auth/passkey/sign-in-options"), &[]).await;
    assert_eq!(refused.status(), 409);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"], "passkeys_unavailable");
    assert!(body["message"].as_str().unwrap().contains("SITE_URL"));
}
