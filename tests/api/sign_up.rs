use sqlx::Row;

use crate::helpers::{post_form, session_cookie, spawn_app, unique_email, PASSWORD};

#[tokio::test]
async fn sign_up_creates_a_user_and_sets_a_session_cookie_with_the_required_attributes() {
    let app = spawn_app().await;
    let email = unique_email();

    let response = app.sign_up(&email, PASSWORD).await;

    assert_eq!(response.status(), 200);
    // Home, saying where the verification mail is (the test app writes mails as files).
    assert_eq!(response.headers()["location"], "/?notice=welcome-mail-file");
    let cookie = session_cookie(&response);
    assert_eq!(cookie.name(), "badge_session");
    assert!(cookie.http_only());
    assert!(cookie.same_site_lax());
    assert_eq!(cookie.path(), Some("/"));
    assert_eq!(
        cookie.max_age(),
        Some(std::time::Duration::from_secs(604_800))
    );
    assert!(!cookie.secure(), "plain http site must not set Secure");
    let row = sqlx::query("SELECT email, password_hash FROM users")
        .fetch_one(&app.db().await)
        .await
        .unwrap();
    assert_eq!(row.get::<String, _>("email"), email);
    assert!(row
        .get::<String, _>("password_hash")
        .starts_with("$argon2id$"));
    assert_eq!(app.session().await["email"], email.as_str());
}

#[tokio::test]
async fn an_https_site_sets_a_secure_host_prefixed_cookie() {
    let app = crate::helpers::spawn_app_with(|vars| {
        vars.insert("SITE_URL", "https://badge.example.com".into());
    })
    .await;
    let client = crate::helpers::client_from(Some("https://badge.example.com"));

    let email = unique_email();

    let response = post_form(
        &client,
        &app.url("/api/auth/sign-up"),
        &[("email", &email), ("password", PASSWORD)],
    )
    .await;

    assert_eq!(response.status(), 200);
    let cookie = session_cookie(&response);
    assert_eq!(cookie.name(), "__Host-badge_session");
    assert!(cookie.secure());
}

#[tokio::test]
async fn sign_up_with_a_taken_email_is_409() {
    let app = spawn_app().await;
    let email = app.signed_up_user().await;

    let response = app.sign_up(&email.to_uppercase(), "another password").await;

    assert_eq!(response.status(), 409);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"], "email_taken");
}

#[tokio::test]
async fn twenty_concurrent_sign_ups_of_one_email_make_exactly_one_user() {
    let app = spawn_app().await;
    let email = unique_email();

    let attempts = (0..20).map(|_| {
        let client = crate::helpers::client_from(Some(&app.address));
        let url = app.url("/api/auth/sign-up");
        let email = email.clone();
        async move {
            let credentials = [("email", email.as_str()), ("password", PASSWORD)];
            post_form(&client, &url, &credentials)
                .await
                .status()
                .as_u16()
        }
    });
    let mut statuses = futures_join_all(attempts).await;
    statuses.sort_unstable();

    assert_eq!(
        statuses.iter().filter(|&&s| s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|&&s| s == 409).count(),
        19,
        "{statuses:?}"
    );
    let count: i64 = sqlx::query("SELECT COUNT(*) AS n FROM users WHERE email = $1")
        .bind(&email)
        .fetch_one(&app.db().await)
        .await
        .unwrap()
        .get("n");
    assert_eq!(count, 1);
}

/// Runs futures concurrently on the test runtime and collects their outputs in order.
async fn futures_join_all<
    F: std::future::Future<Output = T> + Send + 'static,
    T: Send + 'static,
>(
    futures: impl IntoIterator<Item = F>,
) -> Vec<T> {
    let handles: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
    let mut out = Vec::with_capacity(handles.len());
    for handle in handles {
        out.push(handle.await.expect("task"));
    }
    out
}

#[tokio::test]
async fn invalid_sign_up_input_is_400_naming_the_field() {
    let app = spawn_app().await;
    let long_password = "p".repeat(129);
    let long_email = format!("{}@example.com", "a".repeat(250));
    let cases = [
        ("not-an-email", PASSWORD, "email"),
        (long_email.as_str(), PASSWORD, "email"),
        ("", PASSWORD, "email"),
        ("short@example.com", "short", "password"),
        ("long@example.com", long_password.as_str(), "password"),
    ];

    for (email, password, field) in cases {
        let response = app.sign_up(email, password).await;

        assert_eq!(response.status(), 400, "{email:?}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["error"], "validation");
        assert_eq!(body["field"], field, "{body}");
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .to_lowercase()
                .contains(field),
            "{body}"
        );
    }
    assert_eq!(user_count(&app).await, 0);
}

#[tokio::test]
async fn a_sign_up_missing_its_fields_is_400_not_500() {
    let app = spawn_app().await;

    let response = app.post_form("/api/auth/sign-up", &[]).await;

    assert_eq!(response.status(), 400);
}

#[tokio::test]
async fn a_plain_html_form_sign_up_redirects_home_on_success_and_back_with_the_error_on_failure() {
    let app = spawn_app().await;
    let form_post = |email: String, password: &'static str| {
        app.client
            .post(app.url("/api/auth/sign-up"))
            .header("accept", "text/html")
            .header("referer", app.url("/sign-up"))
            .form(&[("email", email), ("password", password.to_owned())])
            .send()
    };

    let ok = form_post(unique_email(), PASSWORD).await.unwrap();
    let bad = form_post(unique_email(), "short").await.unwrap();

    assert_eq!(ok.status(), 302);
    assert_eq!(ok.headers()["location"], "/?notice=welcome-mail-file");
    assert_eq!(bad.status(), 302);
    let back = bad.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        back.starts_with(&app.url("/sign-up?")) && back.contains("__err="),
        "{back}"
    );
    // The page it lands on shows the error.
    let page = app
        .client
        .get(&back)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("role=\"alert\"") && page.contains("at least 8 characters"),
        "{page}"
    );
}

#[tokio::test]
async fn a_fullwidth_spelling_of_a_taken_email_is_the_same_account() {
    let app = spawn_app().await;
    assert_eq!(app.sign_up("ada@example.com", PASSWORD).await.status(), 200);

    let fullwidth = "\u{ff41}\u{ff44}\u{ff41}@example.com";
    let response = crate::helpers::client_from(Some(&app.address))
        .post(app.url("/api/auth/sign-up"))
        .header(reqwest::header::ACCEPT, "application/json")
        .form(&[("email", fullwidth), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), 409);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"], "email_taken");
    assert_eq!(user_count(&app).await, 1);
}

#[tokio::test]
async fn an_email_with_invisible_or_bidi_characters_is_400_naming_the_email_field() {
    let app = spawn_app().await;

    for email in [
        "ada\u{202e}@example.com",
        "ada\u{200b}@example.com",
        "\u{feff}ada@example.com",
    ] {
        let response = app.sign_up(email, PASSWORD).await;

        assert_eq!(response.status(), 400, "{email:?}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["error"], "validation", "{body}");
        assert_eq!(body["field"], "email", "{body}");
        assert!(
            body.to_string().contains("invisible or direction-changing"),
            "{body}"
        );
    }
    assert_eq!(user_count(&app).await, 0);
}

/// How many accounts the app's database holds.
async fn user_count(app: &crate::helpers::TestApp) -> i64 {
    sqlx::query("SELECT COUNT(*) AS n FROM users")
        .fetch_one(&app.db().await)
        .await
        .unwrap()
        .get("n")
}

#[tokio::test]
async fn after_sign_up_the_next_page_says_the_verification_mail_is_a_file_in_development() {
    // No SMTP_URL (the test apps write mails as files): the page says where the mail is.
    for (require_verification, next) in [
        ("false", "/?notice=welcome-mail-file"),
        ("true", "/sign-in?notice=verify-email-file"),
    ] {
        let app = crate::helpers::spawn_app_with(|vars| {
            vars.insert("REQUIRE_EMAIL_VERIFICATION", require_verification.into());
        })
        .await;

        let response = app.sign_up(&unique_email(), PASSWORD).await;

        assert_eq!(response.headers()["location"], next);
        let page = app.get(next).await.text().await.unwrap();
        assert!(page.contains("role=\"status\""), "{page}");
        assert!(page.contains("data/outbox/"), "{page}");
        assert!(page.contains(".eml"), "{page}");
    }
}
