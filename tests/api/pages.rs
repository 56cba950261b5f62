use std::sync::{
    atomic::{AtomicBool, Ordering},
    Arc,
};

use crate::helpers::spawn_app;

#[tokio::test]
async fn home_page_is_server_rendered_with_the_hello_world_button() {
    let app = spawn_app().await;

    let response = app.get("/").await;

    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(html.contains("Click Me for Hello World"), "{html}");
    // Disabled until the browser has hydrated, so nobody clicks a dead button.
    let button_start = html
        .find("Click Me for Hello World")
        .and_then(|end| html[..end].rfind("<button"));
    let button_tag =
        button_start.map(|start| &html[start..start + html[start..].find('>').unwrap_or(0)]);
    assert!(
        button_tag.is_some_and(|tag| tag.contains("disabled")),
        "{button_tag:?}"
    );
    assert!(
        html.contains("/pkg/badge.js"),
        "hydration script missing: {html}"
    );
}

#[tokio::test]
async fn pages_carry_the_security_headers() {
    let app = spawn_app().await;

    let response = app.get("/").await;

    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert_eq!(header("referrer-policy"), "strict-origin-when-cross-origin");
    assert!(header("content-security-policy").contains("frame-ancestors 'none'"));
}

#[tokio::test]
async fn an_unknown_page_is_404() {
    let app = spawn_app().await;

    let response = app.get("/no-such-page").await;

    assert_eq!(response.status(), 404);
}

#[tokio::test]
async fn a_configured_vault_url_is_carried_to_the_page_and_allowed_by_the_csp() {
    let app = crate::helpers::spawn_app_with(|vars| {
        vars.insert("VAULT_URL", "http://vault.test:8000/".into());
    })
    .await;
    let plain = spawn_app().await;

    let html = app.get("/").await.text().await.unwrap();
    let without = plain.get("/").await.text().await.unwrap();

    assert!(
        html.contains(r#"<meta name="badge:vault-url" content="http://vault.test:8000">"#),
        "{html}"
    );
    assert!(!without.contains("badge:vault-url"), "{without}");
    let policy = |html: &reqwest::Response| {
        html.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_owned()
    };
    assert!(policy(&app.get("/").await).contains("connect-src 'self' http://vault.test:8000"));
    assert!(policy(&plain.get("/").await).contains("connect-src 'self'"));
}

/// Each instance lists its routes at start-up by running the app once, and Leptos parks every
/// page resource first polled meanwhile, in any instance of the process (leptos#4773). Tests
/// (and anyone embedding Badge) start instances while others serve; no page may hang for it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_keep_rendering_while_other_instances_start() {
    let app = spawn_app().await;
    let starting = Arc::new(AtomicBool::new(true));
    let readers: Vec<_> = (0..4)
        .map(|_| {
            let (client, url, starting) = (app.client.clone(), app.url("/"), starting.clone());
            tokio::spawn(async move {
                while starting.load(Ordering::Relaxed) {
                    // The client gives up after 30 s: a hung page fails here.
                    let response = client.get(&url).send().await.expect("the page answers");
                    assert_eq!(response.status(), 200);
                }
            })
        })
        .collect();

    for _ in 0..20 {
        spawn_app().await;
    }
    starting.store(false, Ordering::Relaxed);

    for reader in readers {
        reader.await.expect("every page request answered");
    }
}

#[tokio::test]
async fn a_signed_out_account_page_redirects_whatever_the_client_accepts() {
    let app = spawn_app().await;

    for accept in ["*/*", "text/html", "application/json"] {
        let response = app
            .client
            .get(app.url("/account"))
            .header("accept", accept)
            .send()
            .await
            .unwrap();

        assert_eq!(response.status(), 302, "Accept: {accept}");
        assert_eq!(
            response.headers()["location"],
            "/sign-in?next=%2Faccount",
            "Accept: {accept}"
        );
    }
}
