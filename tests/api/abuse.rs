use crate::helpers::{client_from, spawn_app, unique_email, PASSWORD};

#[tokio::test]
async fn too_many_sign_ins_from_one_ip_are_429_with_retry_after() {
    let app = spawn_app().await;

    let mut statuses = Vec::new();
    for i in 0..31 {
        // Different emails, so only the per-IP limit applies.
        let response = app.sign_in(&format!("nobody{i}@example.com"), "x").await;
        statuses.push((
            response.status().as_u16(),
            response.headers().get("retry-after").cloned(),
        ));
    }

    assert!(
        statuses[..30].iter().all(|(s, _)| *s == 401),
        "{statuses:?}"
    );
    let (status, retry_after) = &statuses[30];
    assert_eq!(*status, 429);
    let seconds: u64 = retry_after
        .as_ref()
        .expect("Retry-After")
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(seconds >= 1);
}

#[tokio::test]
async fn too_many_sign_ins_for_one_email_are_429() {
    let app = spawn_app().await;
    let email = app.signed_up_user().await;

    for _ in 0..5 {
        assert_eq!(app.sign_in(&email, "wrong password").await.status(), 401);
    }
    let response = app.sign_in(&email, PASSWORD).await;

    assert_eq!(response.status(), 429);
    assert!(response.headers().contains_key("retry-after"));
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"], "rate_limited");
}

#[tokio::test]
async fn an_auth_post_without_an_origin_is_403() {
    let app = spawn_app().await;
    let no_origin = client_from(None);

    let response = no_origin
        .post(app.url("/api/auth/sign-up"))
        .form(&[("email", unique_email().as_str()), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), 403);
}

#[tokio::test]
async fn an_auth_post_from_a_foreign_origin_is_403() {
    let app = spawn_app().await;
    let evil = client_from(Some("https://evil.example"));

    let response = evil
        .post(app.url("/api/auth/sign-in"))
        .form(&[("email", "a@example.com"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), 403);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"], "forbidden_origin");
}

#[tokio::test]
async fn a_same_site_referer_is_accepted_when_origin_is_absent_and_trusted_origins_are_allowed() {
    let app = crate::helpers::spawn_app_with(|vars| {
        vars.insert("TRUSTED_ORIGINS", "https://app.example.com".into());
    })
    .await;

    let by_referer = client_from(None)
        .post(app.url("/api/auth/session"))
        .header("referer", app.url("/sign-in"))
        .send()
        .await
        .unwrap();
    let trusted = client_from(Some("https://app.example.com"))
        .post(app.url("/api/auth/session"))
        .send()
        .await
        .unwrap();

    assert_eq!(by_referer.status(), 200);
    assert_eq!(trusted.status(), 200);
}

#[tokio::test]
async fn a_one_megabyte_body_is_refused_and_the_server_still_answers() {
    let app = spawn_app().await;
    let huge = "a".repeat(1024 * 1024);

    let response = app
        .client
        .post(app.url("/api/auth/sign-up"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("email={huge}&password={huge}"))
        .send()
        .await
        .unwrap();

    assert!(
        matches!(response.status().as_u16(), 413 | 400),
        "{}",
        response.status()
    );
    assert_eq!(app.get("/healthz").await.status(), 200);
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_limit_keys_on_the_forwarded_client_ip() {
    let app = crate::helpers::spawn_app_with(|vars| {
        vars.insert("TRUST_PROXY", "true".into());
    })
    .await;
    let attempt = |client_ip: &'static str, n: usize| {
        let email = format!("nobody{n}@example.com");
        app.client
            .post(app.url("/api/auth/sign-in"))
            .header("accept", "application/json")
            // The proxy appends the address it saw; the left entry is the client's own claim.
            .header("x-forwarded-for", format!("198.51.100.99, {client_ip}"))
            // Out of policy, so answered without hashing: the 30 attempts fit in the burst window.
            .form(&[("email", email.as_str()), ("password", "x")])
            .send()
    };

    for n in 0..30 {
        assert_eq!(attempt("203.0.113.1", n).await.unwrap().status(), 401);
    }
    let limited = attempt("203.0.113.1", 30).await.unwrap();
    let other_client = attempt("203.0.113.2", 31).await.unwrap();

    assert_eq!(limited.status(), 429);
    assert_eq!(other_client.status(), 401);
}
