//! Refresh tokens: rotated on every use, a used one revokes its family (also when two uses
//! race), bound to their client, dying with the session unless granted `offline_access` (which
//! OpenID Connect Core §11 only grants with `prompt=consent`).

use serde_json::Value;

use super::*;

/// Signed in and allowed: a confidential client's first tokens, with offline access or not.
async fn first_tokens(app: &TestApp, offline: bool) -> (TestClient, Value) {
    let client = confidential(app).await;
    app.signed_up_user().await;
    let extra: &[(&str, &str)] = if offline {
        &[
            ("scope", "openid email offline_access"),
            ("prompt", "consent"),
        ]
    } else {
        &[]
    };
    let tokens = tokens_for(app, &client, extra).await;
    (client, tokens)
}

async fn refreshed(app: &TestApp, client: &TestClient, token: &str) -> Value {
    let answer = refresh(app, client, token, &[]).await;
    assert_eq!(answer.status(), 200, "the refresh succeeds");
    answer.json().await.unwrap()
}

#[tokio::test]
async fn a_refresh_rotates_the_token_and_a_used_one_revokes_the_whole_family() {
    let app = op_app().await;
    let (client, first) = first_tokens(&app, false).await;
    let first_refresh = text(&first, "refresh_token");

    let second = refreshed(&app, &client, first_refresh).await;
    let second_refresh = text(&second, "refresh_token");
    assert_ne!(first_refresh, second_refresh, "rotated");
    let claims = verified(&app, text(&second, "id_token"), &client.id).await;
    assert!(
        claims.get("nonce").is_none(),
        "a refreshed id_token has no nonce"
    );
    let vault = vault(&app).await;
    assert!(active(&app, &vault, text(&second, "access_token")).await);

    // The first token again: refused, and every token of the grant ends with it.
    let replay = refresh(&app, &client, first_refresh, &[]).await;
    assert_eq!(oauth_error(replay).await, "invalid_grant");
    let after = refresh(&app, &client, second_refresh, &[]).await;
    assert_eq!(oauth_error(after).await, "invalid_grant");
    for token in [
        text(&first, "access_token"),
        text(&second, "access_token"),
        second_refresh,
    ] {
        assert!(!active(&app, &vault, token).await, "{token}");
    }
}

#[tokio::test]
async fn two_refreshes_of_one_token_racing_leave_one_answer_and_end_the_family() {
    let app = op_app().await;
    let (client, first) = first_tokens(&app, false).await;
    let token = text(&first, "refresh_token");

    let (a, b) = tokio::join!(
        refresh(&app, &client, token, &[]),
        refresh(&app, &client, token, &[])
    );
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 400], "exactly one refresh wins");
    let winner: Value = if a.status() == 200 {
        a.json().await
    } else {
        b.json().await
    }
    .unwrap();

    // The loser presented a used token: the winner's successor is revoked too.
    let next = refresh(&app, &client, text(&winner, "refresh_token"), &[]).await;
    assert_eq!(oauth_error(next).await, "invalid_grant");
}

#[tokio::test]
async fn without_offline_access_a_refresh_token_dies_with_its_session() {
    let app = op_app().await;
    let (client, first) = first_tokens(&app, false).await;
    assert!(!text(&first, "scope").contains("offline_access"));

    app.sign_out().await;

    let answer = refresh(&app, &client, text(&first, "refresh_token"), &[]).await;
    assert_eq!(oauth_error(answer).await, "invalid_grant");
}

#[tokio::test]
async fn offline_access_is_granted_only_when_asked_with_prompt_consent() {
    let app = op_app().await;
    let client = confidential(&app).await;
    app.signed_up_user().await;

    let quiet = tokens_for(&app, &client, &[("scope", "openid offline_access")]).await;
    assert_eq!(
        text(&quiet, "scope"),
        "openid",
        "ignored without prompt=consent"
    );

    let asked = tokens_for(&app, &client, OFFLINE).await;
    assert_eq!(text(&asked, "scope"), "openid offline_access");
}

#[tokio::test]
async fn an_offline_refresh_token_outlives_its_session_and_its_tokens_lose_the_sid() {
    let app = op_app().await;
    let (client, first) = first_tokens(&app, true).await;
    let sid = verified(&app, text(&first, "id_token"), &client.id).await["sid"]
        .as_str()
        .expect("a sid while signed in")
        .to_owned();
    let vault = vault(&app).await;
    let before = introspect(&app, &vault, text(&first, "access_token")).await;
    assert_eq!(
        before["sid"],
        sid.as_str(),
        "the access token names the session"
    );

    app.sign_out().await;

    // The session's own access token ends with it; the offline grant goes on.
    assert!(!active(&app, &vault, text(&first, "access_token")).await);
    let later = refreshed(&app, &client, text(&first, "refresh_token")).await;
    let id_token = verified(&app, text(&later, "id_token"), &client.id).await;
    assert!(
        id_token.get("sid").is_none(),
        "no ended session's sid (better-auth#11132)"
    );
    let access = introspect(&app, &vault, text(&later, "access_token")).await;
    assert_eq!(access["active"], true);
    assert!(access.get("sid").is_none(), "{access}");
    assert_ne!(access["sub"], Value::Null);
}

#[tokio::test]
async fn a_refresh_token_is_bound_to_its_client_and_may_narrow_the_scope_never_widen_it() {
    let app = op_app().await;
    let (client, first) = first_tokens(&app, false).await;
    let other = public(&app).await;
    let token = text(&first, "refresh_token");

    let stolen = refresh(&app, &other, token, &[]).await;
    assert_eq!(oauth_error(stolen).await, "invalid_grant");

    let wider = refresh(&app, &client, token, &[("scope", "openid email profile")]).await;
    assert_eq!(oauth_error(wider).await, "invalid_scope");

    // Neither attempt used the token up.
    let narrower = refresh(&app, &client, token, &[("scope", "openid")]).await;
    assert_eq!(narrower.status(), 200);
    let narrower: Value = narrower.json().await.unwrap();
    assert_eq!(text(&narrower, "scope"), "openid");
}
