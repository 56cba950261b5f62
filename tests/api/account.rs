//! The account page's server functions (DESIGN "Accounts"): list and revoke sessions, change the
//! password, delete the account, and `/account` with its safe `next` round trip.

use serde_json::Value;
use sqlx::Row;

use crate::helpers::{
    clears_session_cookie, client_from, error_code, post_form, spawn_app, spawn_app_on,
    unique_email, TestApp, TestDatabase, PASSWORD,
};

const FIREFOX_ON_LINUX: &str =
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
const NEW_PASSWORD: &str = "a brand new passphrase";

/// The session endpoint's answer for `client`: the user, or null.
async fn session_of(app: &TestApp, client: &reqwest::Client) -> Value {
    let response = post_form(client, &app.url("/api/auth/session"), &[]).await;
    response.json().await.unwrap()
}

/// `POST /api/auth/sessions` for `client`, which must be signed in.
async fn sessions_of(app: &TestApp, client: &reqwest::Client) -> Vec<Value> {
    let response = post_form(client, &app.url("/api/auth/sessions"), &[]).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// The id of `client`'s own session.
async fn own_session_id(app: &TestApp, client: &reqwest::Client) -> String {
    let listed = sessions_of(app, client).await;
    let own = listed
        .iter()
        .find(|s| s["current"] == true)
        .expect("a current session");
    own["id"].as_str().unwrap().to_owned()
}

/// How many rows of `table` have `column` = `value`.
async fn rows(app: &TestApp, table: &str, column: &str, value: &str) -> i64 {
    sqlx::query(&format!("SELECT COUNT(*) FROM {table} WHERE {column} = $1"))
        .bind(value)
        .fetch_one(&app.db().await)
        .await
        .unwrap()
        .get(0)
}

async fn user_id(app: &TestApp) -> String {
    app.session().await["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn the_list_marks_exactly_the_callers_session_as_current() {
    let app = spawn_app().await;
    let email = app.signed_up_user().await;
    let laptop = app.second_device(&email, FIREFOX_ON_LINUX).await;

    let listed = sessions_of(&app, &app.client).await;
    let from_laptop = sessions_of(&app, &laptop).await;

    assert_eq!(listed.len(), 2);
    assert_eq!(listed.iter().filter(|s| s["current"] == true).count(), 1);
    let other = listed.iter().find(|s| s["current"] == false).unwrap();
    assert_eq!(
        other["user_agent"], FIREFOX_ON_LINUX,
        "the raw string is kept"
    );
    assert_eq!(other["device"], "Firefox on Linux");
    assert_eq!(other["ip"], "127.0.0.1");
    for field in ["created_at", "last_seen_at"] {
        assert!(
            other[field].as_i64().unwrap() > 1_700_000_000,
            "{field} in unix seconds"
        );
    }
    let current_from_laptop = from_laptop.iter().find(|s| s["current"] == true).unwrap();
    assert_eq!(current_from_laptop["id"], other["id"]);
}

#[tokio::test]
async fn session_ids_are_neither_tokens_nor_their_hashes() {
    let app = spawn_app().await;
    let email = unique_email();
    let response = app.sign_up(&email, PASSWORD).await;
    let token = crate::helpers::session_cookie(&response).value().to_owned();

    let listed = sessions_of(&app, &app.client).await;
    let id = listed[0]["id"].as_str().unwrap();
    let hash: String = sqlx::query("SELECT token_hash FROM sessions")
        .fetch_one(&app.db().await)
        .await
        .unwrap()
        .get(0);

    assert!(!id.is_empty());
    assert_ne!(id, token);
    assert_ne!(id, hash);
    assert!(!token.contains(id) && !hash.contains(id));
}

#[tokio::test]
async fn revoking_a_session_signs_that_browser_out_at_once() {
    let app = spawn_app().await;
    let email = app.signed_up_user().await;
    let laptop = app.second_device(&email, FIREFOX_ON_LINUX).await;
    let laptop_id = own_session_id(&app, &laptop).await;

    let response = app
        .post_form("/api/auth/revoke-session", &[("id", &laptop_id)])
        .await;

    assert_eq!(response.status(), 200);
    assert!(session_of(&app, &laptop).await.is_null());
    let token = laptop.get(app.url("/api/token")).send().await.unwrap();
    assert_eq!(token.status(), 401);
    assert_eq!(
        app.session().await["email"],
        email.as_str(),
        "the caller stays"
    );
    assert_eq!(sessions_of(&app, &app.client).await.len(), 1);
}

#[tokio::test]
async fn sign_out_everywhere_else_keeps_only_this_session() {
    let app = spawn_app().await;
    let email = app.signed_up_user().await;
    let laptop = app.second_device(&email, FIREFOX_ON_LINUX).await;
    let phone = app.second_device(&email, "Mozilla/5.0 (iPhone)").await;

    let response = app.post_form("/api/auth/revoke-other-sessions", &[]).await;

    assert_eq!(response.status(), 200);
    assert!(session_of(&app, &laptop).await.is_null());
    assert!(session_of(&app, &phone).await.is_null());
    let left = sessions_of(&app, &app.client).await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["current"], true);
}

#[tokio::test]
async fn another_users_session_id_is_404_and_deletes_nothing() {
    let app = spawn_app().await;
    app.signed_up_user().await;
    let victim = client_from(Some(&app.address));
    let victim_email = unique_email();
    post_form(
        &victim,
        &app.url("/api/auth/sign-up"),
        &[("email", &victim_email), ("password", PASSWORD)],
    )
    .await;
    let victim_id = own_session_id(&app, &victim).await;

    let response = app
        .post_form("/api/auth/revoke-session", &[("id", &victim_id)])
        .await;

    assert_eq!(response.status(), 404);
    assert_eq!(error_code(response).await, "session_not_found");
    assert_eq!(
        session_of(&app, &victim).await["email"],
        victim_email.as_str()
    );
    assert_eq!(rows(&app, "sessions", "id", &victim_id).await, 1);
}

#[tokio::test]
async fn every_account_call_without_a_session_is_401() {
    let app = spawn_app().await;

    for (path, form) in [
        ("/api/auth/sessions", vec![]),
        ("/api/auth/revoke-session", vec![("id", "x")]),
        ("/api/auth/revoke-other-sessions", vec![]),
        (
            "/api/auth/change-password",
            vec![
                ("current_password", PASSWORD),
                ("new_password", NEW_PASSWORD),
            ],
        ),
        ("/api/auth/delete-account", vec![("password", PASSWORD)]),
    ] {
        let response = app.post_form(path, &form).await;
        assert_eq!(response.status(), 401, "{path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"], "No session", "{path}");
    }
}

#[tokio::test]
async fn account_calls_from_another_origin_are_403() {
    let app = spawn_app().await;
    app.signed_up_user().await;

    let response = app
        .client
        .post(app.url("/api/auth/revoke-other-sessions"))
        .header("origin", "https://evil.example")
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), 403);
}

#[tokio::test]
async fn a_wrong_current_password_is_401_and_changes_nothing() {
    let app = spawn_app().await;
    let email = app.signed_up_user().await;
    let laptop = app.second_device(&email, FIREFOX_ON_LINUX).await;

    let response = app
        .post_form(
            "/api/auth/change-password",
            &[
                ("current_password", "not the password"),
                ("new_password", NEW_PASSWORD),
            ],
        )
        .await;

    assert_eq!(response.status(), 401);
    assert_eq!(error_code(response).await, "wrong_password");
    assert!(!session_of(&app, &laptop).await.is_null());
    assert_eq!(app.sign_in(&email, PASSWORD).await.status(), 200);
}

#[tokio::test]
async fn a_new_password_outside_the_policy_is_400_on_its_field() {
    let app = spawn_app().await;
    let email = app.signed_up_user().await;

    let response = app
        .post_form(
            "/api/auth/change-password",
            &[("current_password", PASSWORD), ("new_password", "short")],
        )
        .await;

    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["field"], "new_password");
    assert_eq!(app.sign_in(&email, PASSWORD).await.status(), 200);
}

#[tokio::test]
async fn changing_the_password_ends_the_other_sessions_and_the_old_password() {
    let app = spawn_app().await;
    let email = app.signed_up_user().await;
    let laptop = app.second_device(&email, FIREFOX_ON_LINUX).await;

    let response = app
        .post_form(
            "/api/auth/change-password",
            &[
                ("current_password", PASSWORD),
                ("new_password", NEW_PASSWORD),
            ],
        )
        .await;

    assert_eq!(response.status(), 200);
    assert_eq!(
        app.session().await["email"],
        email.as_str(),
        "this session stays"
    );
    assert!(session_of(&app, &laptop).await.is_null(), "the others end");
    let stored: String = sqlx::query("SELECT password_hash FROM users WHERE email = $1")
        .bind(&email)
        .fetch_one(&app.db().await)
        .await
        .unwrap()
        .get(0);
    assert!(
        stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{stored}"
    );
    let stranger = client_from(Some(&app.address));
    let old = post_form(
        &stranger,
        &app.url("/api/auth/sign-in"),
        &[("email", &email), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(old.status(), 401);
    let new = post_form(
        &stranger,
        &app.url("/api/auth/sign-in"),
        &[("email", &email), ("password", NEW_PASSWORD)],
    )
    .await;
    assert_eq!(new.status(), 200);
}

#[tokio::test]
async fn password_confirmations_count_against_the_per_email_limit() {
    let app = spawn_app().await;
    app.signed_up_user().await;
    let wrong = [
        ("current_password", "not the password"),
        ("new_password", NEW_PASSWORD),
    ];

    let mut statuses = Vec::new();
    for _ in 0..6 {
        let response = app.post_form("/api/auth/change-password", &wrong).await;
        statuses.push(response.status().as_u16());
    }
    let delete = app
        .post_form(
            "/api/auth/delete-account",
            &[("password", "not the password")],
        )
        .await;

    assert_eq!(statuses, [401, 401, 401, 401, 401, 429]);
    assert_eq!(delete.status(), 429);
    assert!(delete.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn delete_with_a_wrong_password_is_401_and_changes_nothing() {
    let app = spawn_app().await;
    let email = app.signed_up_user().await;
    let id = user_id(&app).await;

    let response = app
        .post_form(
            "/api/auth/delete-account",
            &[("password", "not the password")],
        )
        .await;

    assert_eq!(response.status(), 401);
    assert_eq!(app.session().await["email"], email.as_str());
    assert_eq!(rows(&app, "users", "id", &id).await, 1);
    assert_eq!(rows(&app, "sessions", "user_id", &id).await, 1);
}

#[tokio::test]
async fn deleting_the_account_removes_everything_and_frees_the_email() {
    let app = spawn_app().await;
    let email = app.signed_up_user().await;
    let id = user_id(&app).await;
    let laptop = app.second_device(&email, FIREFOX_ON_LINUX).await;

    let response = app
        .post_form("/api/auth/delete-account", &[("password", PASSWORD)])
        .await;

    assert_eq!(response.status(), 200);
    assert!(clears_session_cookie(&response));
    assert!(session_of(&app, &laptop).await.is_null());
    assert_eq!(rows(&app, "users", "id", &id).await, 0);
    assert_eq!(rows(&app, "sessions", "user_id", &id).await, 0);
    assert_eq!(app.sign_in(&email, PASSWORD).await.status(), 401);
    assert_eq!(
        app.sign_up(&email, PASSWORD).await.status(),
        200,
        "the email is free again"
    );
}

#[tokio::test]
async fn plain_forms_come_back_to_the_account_page() {
    let app = spawn_app().await;
    let email = app.signed_up_user().await;
    let laptop = app.second_device(&email, FIREFOX_ON_LINUX).await;
    let laptop_id = own_session_id(&app, &laptop).await;
    let plain_form = |path: &str, form: Vec<(&'static str, String)>| {
        app.client
            .post(app.url(path))
            .header("accept", "text/html")
            .header("referer", app.url("/account"))
            .form(&form)
            .send()
    };

    let revoked = plain_form("/api/auth/revoke-session", vec![("id", laptop_id)])
        .await
        .unwrap();
    let changed = plain_form(
        "/api/auth/change-password",
        vec![
            ("current_password", PASSWORD.into()),
            ("new_password", NEW_PASSWORD.into()),
        ],
    )
    .await
    .unwrap();

    assert_eq!(revoked.status(), 302);
    assert_eq!(revoked.headers()["location"], "/account");
    assert_eq!(changed.status(), 302);
    assert_eq!(
        changed.headers()["location"],
        "/account?notice=password-changed"
    );
    let page = app
        .get("/account?notice=password-changed")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(r#"role="status""#) && page.contains("Password changed"),
        "{page}"
    );
}

#[tokio::test]
async fn the_account_page_shows_the_sessions_and_every_control() {
    let app = spawn_app().await;
    let email = app.signed_up_user().await;
    app.second_device(&email, FIREFOX_ON_LINUX).await;

    let response = app.get("/account").await;

    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    for text in [
        &email,
        "<h1>Account</h1>",
        "Sessions",
        "This device",
        "Firefox on Linux",
        ">Revoke</button>",
        "Sign out everywhere else",
        "Current password",
        "New password",
        "Change password",
        "Confirm with your password",
        "Delete account",
        r#"href="/account""#,
    ] {
        assert!(html.contains(text), "{text} missing: {html}");
    }
}

#[tokio::test]
async fn the_account_page_sends_a_signed_out_visitor_to_sign_in_and_back() {
    let app = spawn_app().await;

    let response = app
        .client
        .get(app.url("/account"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), 302);
    assert_eq!(response.headers()["location"], "/sign-in?next=%2Faccount");
    let sign_in = app
        .get("/sign-in?next=%2Faccount")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        sign_in.contains(r#"name="next" value="/account""#),
        "{sign_in}"
    );
}

/// Signs in as a plain HTML form would with `next`, returning where the browser is sent.
async fn sign_in_then(app: &TestApp, email: &str, next: &str) -> String {
    let browser = client_from(Some(&app.address));
    let response = browser
        .post(app.url("/api/auth/sign-in"))
        .header("accept", "text/html")
        .header("referer", app.url("/sign-in"))
        .form(&[("email", email), ("password", PASSWORD), ("next", next)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 302, "{next}");
    response.headers()["location"].to_str().unwrap().to_owned()
}

#[tokio::test]
async fn signing_in_with_a_local_next_goes_back_there() {
    let app = spawn_app().await;
    let email = app.signed_up_user().await;

    assert_eq!(sign_in_then(&app, &email, "/account").await, "/account");
}

#[tokio::test]
async fn a_next_that_leaves_the_site_lands_on_home() {
    let app = spawn_app().await;
    let email = app.signed_up_user().await;

    for next in [
        "//evil.example",
        "https://evil.example",
        "/\\evil.example",
        "",
    ] {
        assert_eq!(sign_in_then(&app, &email, next).await, "/", "{next:?}");
    }
}

#[tokio::test]
async fn sessions_from_before_session_ids_get_their_own_at_start_up() {
    let database = TestDatabase::create().await;
    let first = spawn_app_on(database.clone(), |_| {}).await;
    first.signed_up_user().await;
    sqlx::query("UPDATE sessions SET id = NULL")
        .execute(&first.db().await)
        .await
        .unwrap();

    let second = spawn_app_on(database, |_| {}).await;

    let ids: Vec<Option<String>> = sqlx::query_scalar("SELECT id FROM sessions")
        .fetch_all(&second.db().await)
        .await
        .unwrap();
    assert_eq!(ids.len(), 1);
    assert!(ids[0].as_ref().is_some_and(|id| id.len() == 36), "{ids:?}");
}

#[tokio::test]
async fn a_session_revoked_on_one_instance_is_refused_by_another_at_once() {
    let database = TestDatabase::create().await;
    let one = spawn_app_on(database.clone(), |_| {}).await;
    let two = spawn_app_on(database, |_| {}).await;
    let email = one.signed_up_user().await;
    let laptop = one.second_device(&email, FIREFOX_ON_LINUX).await;
    let laptop_id = own_session_id(&one, &laptop).await;
    let laptop_on_two = |path: &str| {
        laptop
            .get(two.url(path))
            .header("origin", &two.address)
            .send()
    };
    assert_eq!(laptop_on_two("/api/token").await.unwrap().status(), 200);

    one.post_form("/api/auth/revoke-session", &[("id", &laptop_id)])
        .await;

    assert_eq!(laptop_on_two("/api/token").await.unwrap().status(), 401);
}
