use crate::helpers::{client_from, post_form, session_cookie, spawn_app, unique_email, PASSWORD};

fn session_token(response: &reqwest::Response) -> String {
    session_cookie(response).value().to_owned()
}

#[tokio::test]
async fn sign_in_with_the_right_password_opens_a_new_session_with_a_new_token() {
    let app = spawn_app().await;
    let email = unique_email();
    let first = session_token(&app.sign_up(&email, PASSWORD).await);

    let response = app.sign_in(&email, PASSWORD).await;

    assert_eq!(response.status(), 200);
    let second = session_token(&response);
    assert_ne!(first, second, "sign-in must never reuse a session token");
    assert_eq!(app.session().await["email"], email.as_str());
}

#[tokio::test]
async fn wrong_password_and_unknown_email_get_the_identical_401() {
    let app = spawn_app().await;
    let email = app.signed_up_user().await;

    let wrong_password = app.sign_in(&email, "not the password").await;
    let unknown_email = app.sign_in(&unique_email(), "not the password").await;

    assert_eq!(wrong_password.status(), 401);
    assert_eq!(unknown_email.status(), 401);
    let a = wrong_password.text().await.unwrap();
    let b = unknown_email.text().await.unwrap();
    assert_eq!(a, b);
    assert!(a.contains("Invalid email or password"), "{a}");
}

#[tokio::test]
async fn sign_in_with_an_out_of_policy_password_is_the_same_401() {
    let app = spawn_app().await;
    let email = app.signed_up_user().await;

    let out_of_policy = app.sign_in(&email, "short").await;
    let wrong_password = app.sign_in(&email, "not the password").await;

    assert_eq!(out_of_policy.status(), 401);
    assert_eq!(wrong_password.status(), 401);
    assert_eq!(
        out_of_policy.text().await.unwrap(),
        wrong_password.text().await.unwrap()
    );
}

#[tokio::test]
async fn sign_in_accepts_the_email_in_any_case_and_with_spaces() {
    let app = spawn_app().await;
    let email = app.signed_up_user().await;
    let fresh = client_from(Some(&app.address));

    let shouted = format!("  {}  ", email.to_uppercase());

    let response = post_form(
        &fresh,
        &app.url("/api/auth/sign-in"),
        &[("email", &shouted), ("password", PASSWORD)],
    )
    .await;

    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn a_password_stored_with_old_parameters_is_rehashed_at_sign_in() {
    use argon2::password_hash::{PasswordHasher, SaltString};
    use sqlx::Row;

    let app = spawn_app().await;
    let email = app.signed_up_user().await;
    let weak = argon2::Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        argon2::Params::new(1024, 1, 1, None).unwrap(),
    )
    .hash_password(
        PASSWORD.as_bytes(),
        &SaltString::generate(&mut rand::rngs::OsRng),
    )
    .unwrap()
    .to_string();
    let db = app.db().await;
    sqlx::query("UPDATE users SET password_hash = $1")
        .bind(&weak)
        .execute(&db)
        .await
        .unwrap();

    let response = app.sign_in(&email, PASSWORD).await;

    assert_eq!(response.status(), 200);
    let stored: String = sqlx::query("SELECT password_hash FROM users")
        .fetch_one(&db)
        .await
        .unwrap()
        .get("password_hash");
    assert!(
        stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{stored}"
    );
    assert_ne!(stored, weak);
}
