//! The first run, without `SITE_URL`: every loopback name of the port is the site, and a refused
//! origin says why.

use serde_json::Value;

use crate::helpers::{
    client_from, jwt_part, post_form, spawn_app, spawn_app_with, unique_email, PASSWORD,
};

/// The badge's `iss` claim.
fn issuer_of(token: &str) -> String {
    jwt_part(token, 1)["iss"].as_str().expect("iss").to_owned()
}

/// Signs up from a browser on `origin` and returns the badge it then gets.
async fn sign_up_and_get_a_badge(address: &str, origin: &str) -> reqwest::Result<String> {
    let browser = client_from(Some(origin));
    let email = unique_email();
    let credentials = [("email", email.as_str()), ("password", PASSWORD)];
    let signed_up = post_form(
        &browser,
        &format!("{address}/api/auth/sign-up"),
        &credentials,
    )
    .await;
    assert_eq!(signed_up.status(), 200, "sign-up from {origin}");
    let answer: Value = browser
        .get(format!("{address}/api/token"))
        .send()
        .await?
        .json()
        .await?;
    Ok(answer["token"].as_str().expect("token").to_owned())
}

#[tokio::test]
async fn without_site_url_every_loopback_name_of_the_port_is_the_same_site() {
    let app = spawn_app().await;
    let port = app.address.rsplit(':').next().unwrap();

    for host in ["127.0.0.1", "localhost", "[::1]"] {
        let origin = format!("http://{host}:{port}");

        let badge = sign_up_and_get_a_badge(&app.address, &origin)
            .await
            .unwrap();

        assert_eq!(
            issuer_of(&badge),
            format!("http://127.0.0.1:{port}"),
            "{origin}"
        );
    }
}

#[tokio::test]
async fn bound_to_all_interfaces_without_site_url_the_loopback_names_can_sign_in() {
    let app = spawn_app_with(|vars| {
        vars.insert("LEPTOS_SITE_ADDR", "0.0.0.0:0".into());
    })
    .await;
    let port = app.address.rsplit(':').next().unwrap();

    let badge = sign_up_and_get_a_badge(&app.address, &format!("http://localhost:{port}"))
        .await
        .unwrap();

    assert_eq!(issuer_of(&badge), format!("http://127.0.0.1:{port}"));
}

#[tokio::test]
async fn another_port_on_localhost_is_not_the_same_site() {
    let app = spawn_app().await;

    let response = post_form(
        &client_from(Some("http://localhost:1")),
        &app.url("/api/auth/sign-up"),
        &[("email", &unique_email()), ("password", PASSWORD)],
    )
    .await;

    assert_eq!(response.status(), 403);
}

#[tokio::test]
async fn a_refused_origin_names_what_came_what_was_expected_and_the_variable() {
    let app = spawn_app().await;

    let response = post_form(
        &client_from(Some("https://evil.example")),
        &app.url("/api/auth/sign-in"),
        &[("email", "a@example.com"), ("password", PASSWORD)],
    )
    .await;

    assert_eq!(response.status(), 403);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "forbidden_origin");
    assert_eq!(body["origin"], "https://evil.example");
    assert_eq!(body["expected_origin"], app.address.as_str());
    let message = body["message"].as_str().unwrap();
    for part in [
        "https://evil.example",
        app.address.as_str(),
        "SITE_URL",
        "TRUSTED_ORIGINS",
    ] {
        assert!(message.contains(part), "{part} missing: {message}");
    }
}

#[tokio::test]
async fn a_refused_plain_form_post_gets_a_readable_page_with_the_origin_escaped() {
    let app = spawn_app().await;

    let response = client_from(Some("https://evil.example<b>"))
        .post(app.url("/api/auth/sign-up"))
        .header("accept", "text/html")
        .form(&[("email", unique_email().as_str()), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), 403);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let page = response.text().await.unwrap();
    assert!(page.contains("role=\"alert\""), "{page}");
    assert!(page.contains("SITE_URL"), "{page}");
    assert!(page.contains("evil.example&lt;b&gt;"), "{page}");
    assert!(!page.contains("<b>"), "{page}");
}
