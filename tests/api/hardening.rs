//! The outside review's findings 4-7, 9 and 12, each reproduced (DESIGN "Operations").

use base64::{engine::general_purpose::URL_SAFE, Engine};
use serde_json::Value;

use crate::{
    helpers::{spawn_app, spawn_app_with, unique_email, TestApp, PASSWORD},
    process::{free_port, Process},
};

async fn raw_form(app: &TestApp, body: Vec<u8>) -> reqwest::Response {
    app.client
        .post(app.url("/api/auth/sign-in"))
        .header("accept", "application/json")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn malformed_form_bodies_are_400_in_our_words() {
    let app = spawn_app().await;

    for body in [
        &b"email=a%40example.com&email=b%40example.com&password=x"[..],
        b"email[]=x&password=y",
        b"email=%FF%FE&password=y",
    ] {
        let response = raw_form(&app, body.to_vec()).await;
        assert_eq!(response.status(), 400, "{}", String::from_utf8_lossy(body));
        let answer: Value = response.json().await.unwrap();
        assert_eq!(answer["error"], "bad_request");
        assert_eq!(
            answer["message"],
            "The request could not be understood. Please reload the page and try again."
        );
    }
}

#[tokio::test]
async fn a_chunked_body_over_the_limit_is_413() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = spawn_app().await;
    let mut stream = tokio::net::TcpStream::connect(app.address.trim_start_matches("http://"))
        .await
        .unwrap();
    let head = format!(
        "POST /api/auth/sign-in HTTP/1.1\r\nHost: x\r\nOrigin: {}\r\nAccept: application/json\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n",
        app.address
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let chunk = "a".repeat(8192);
    for _ in 0..10 {
        let framed = format!("{:x}\r\n{chunk}\r\n", chunk.len());
        if stream.write_all(framed.as_bytes()).await.is_err() {
            break;
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let mut answer = vec![0u8; 512];
    let n = stream.read(&mut answer).await.unwrap();

    assert!(
        String::from_utf8_lossy(&answer[..n]).starts_with("HTTP/1.1 413"),
        "{}",
        String::from_utf8_lossy(&answer[..n])
    );
}

/// Signs in as `email` from `ip` (through a trusted proxy's `X-Forwarded-For`), from a browser
/// that never signed in before (no device cookie).
async fn sign_in_from(app: &TestApp, ip: &str, email: &str, password: &str) -> u16 {
    crate::helpers::client_from(Some(&app.address))
        .post(app.url("/api/auth/sign-in"))
        .header("accept", "application/json")
        .header("x-forwarded-for", ip)
        .form(&[("email", email), ("password", password)])
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn a_stranger_guessing_at_the_allowed_rate_does_not_lock_the_owner_out() {
    let app = spawn_app_with(|vars| {
        vars.insert("TRUST_PROXY", "true".into());
    })
    .await;
    let email = app.signed_up_user().await;

    let mut attacker = Vec::new();
    for _ in 0..6 {
        attacker.push(sign_in_from(&app, "203.0.113.66", &email, "guess guess guess").await);
    }
    let owner = sign_in_from(&app, "198.51.100.7", &email, PASSWORD).await;

    assert_eq!(attacker, [401, 401, 401, 401, 401, 429]);
    assert_eq!(owner, 200, "the owner signs in from their own address");
}

#[tokio::test]
async fn garbage_in_the_right_most_forwarded_entry_means_the_socket_peer() {
    let app = spawn_app_with(|vars| {
        vars.insert("TRUST_PROXY", "true".into());
    })
    .await;

    let mut statuses = Vec::new();
    for n in 0..31 {
        // A client choosing a new left entry each time, and garbage on the right.
        let forwarded = format!("198.51.100.{n}, not-an-address");
        let email = format!("nobody{n}@example.com");
        statuses.push(sign_in_from(&app, &forwarded, &email, "x").await);
    }

    assert_eq!(statuses.last(), Some(&429), "{statuses:?}");
}

#[tokio::test]
async fn ipv6_clients_are_limited_per_64_block() {
    let app = spawn_app_with(|vars| {
        vars.insert("TRUST_PROXY", "true".into());
    })
    .await;

    let mut statuses = Vec::new();
    for n in 0..31 {
        let email = format!("nobody{n}@example.com");
        statuses.push(sign_in_from(&app, &format!("2001:db8:1:2::{n:x}"), &email, "x").await);
    }
    let next_block = sign_in_from(&app, "2001:db8:1:3::1", "someone@example.com", "x").await;

    assert_eq!(statuses.last(), Some(&429), "{statuses:?}");
    assert_eq!(next_block, 401);
}

#[tokio::test]
async fn an_error_planted_in_the_url_is_not_shown_as_written() {
    let app = spawn_app().await;
    let planted = serde_json::json!({
        "error": "validation",
        "field": "email",
        "message": "Your account is locked. Call +1 555 0100 to unlock it",
    });
    let encoded = URL_SAFE.encode(planted.to_string());

    let page = app
        .page(&format!(
            "/sign-in?__path=%2Fapi%2Fauth%2Fsign-in&__err={encoded}"
        ))
        .await;

    assert!(!page.contains("Call +1 555"), "{page}");
    // The URL's error is read (so the test above means something): our own sentence shows.
    let ours = serde_json::json!({
        "error": "validation",
        "field": "password",
        "message": "Password must be at least 8 characters",
    });
    let page = app
        .page(&format!(
            "/sign-in?__path=%2Fapi%2Fauth%2Fsign-in&__err={}",
            URL_SAFE.encode(ours.to_string())
        ))
        .await;
    assert!(
        page.contains(r#"role="alert">Password must be at least 8 characters"#),
        "{page}"
    );
}

#[tokio::test]
async fn pages_carry_a_nonce_csp_that_their_scripts_match() {
    let app = spawn_app().await;

    let response = app.get("/").await;

    let policy = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    let html = response.text().await.unwrap();
    let nonce = policy
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in the policy");
    for directive in [
        "default-src 'self'",
        "'strict-dynamic'",
        "'wasm-unsafe-eval'",
        "style-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ] {
        assert!(policy.contains(directive), "{directive} missing: {policy}");
    }
    let scripts = html.matches("<script").count();
    assert!(scripts > 0);
    assert_eq!(
        html.matches(&format!("nonce=\"{nonce}\"")).count(),
        scripts,
        "{html}"
    );
    let again = app.get("/").await.headers()["content-security-policy"].clone();
    assert!(
        !again.to_str().unwrap().contains(nonce),
        "a fresh nonce per response"
    );
}

#[tokio::test]
async fn the_cookieless_api_answers_carry_the_security_headers_and_a_request_id() {
    let app = spawn_app().await;
    app.signed_up_user().await;
    let badge = app.badge().await;

    let hello = app
        .client
        .get(app.url("/api/hello-world"))
        .bearer_auth(&badge)
        .send()
        .await
        .unwrap();
    let refused = app.get("/api/hello-world").await;
    let jwks = app.get("/.well-known/jwks.json").await;

    assert_eq!(hello.status(), 200);
    assert_eq!(refused.status(), 401);
    for response in [&hello, &refused, &jwks] {
        let headers = response.headers();
        assert_eq!(headers["x-content-type-options"], "nosniff", "{headers:?}");
        assert_eq!(
            headers["referrer-policy"],
            "strict-origin-when-cross-origin"
        );
        assert!(headers.contains_key("x-request-id"), "{headers:?}");
    }
}

#[tokio::test]
async fn https_sites_send_hsts_and_http_sites_do_not() {
    let https = spawn_app_with(|vars| {
        vars.insert("SITE_URL", "https://badge.example.com".into());
    })
    .await;
    let http = spawn_app().await;

    let hsts = https
        .get("/healthz")
        .await
        .headers()
        .get("strict-transport-security")
        .cloned();
    let none = http
        .get("/healthz")
        .await
        .headers()
        .get("strict-transport-security")
        .cloned();

    assert!(hsts.is_some_and(|v| v.to_str().unwrap().contains("max-age=")));
    assert!(none.is_none());
}

#[tokio::test]
async fn signed_in_pages_are_never_cached() {
    let app = spawn_app().await;
    app.signed_up_user().await;

    for path in ["/", "/account"] {
        let response = app.get(path).await;
        assert_eq!(
            response.headers()["cache-control"],
            "private, no-store",
            "{path}"
        );
    }
}

#[tokio::test]
async fn every_response_has_a_request_id_and_a_sane_one_is_kept() {
    let app = spawn_app().await;
    let with = |id: &'static str| {
        app.client
            .get(app.url("/healthz"))
            .header("x-request-id", id)
            .send()
    };

    let fresh = app.get("/healthz").await;
    let kept = with("trace-42.abc").await.unwrap();
    let replaced = with("bad id with spaces").await.unwrap();

    assert!(fresh.headers().get("x-request-id").is_some());
    assert_eq!(kept.headers()["x-request-id"], "trace-42.abc");
    assert_ne!(replaced.headers()["x-request-id"], "bad id with spaces");
}

#[tokio::test]
async fn the_access_log_is_one_json_line_per_request_without_secrets_or_colours() {
    let database = crate::helpers::TestDatabase::create().await;
    let app = Process::start(database.url(), &[("LOG_FORMAT", "json")], "").await;
    let browser = crate::helpers::client_from(Some(&app.address));
    let email = unique_email();
    let signed_up = crate::helpers::post_form(
        &browser,
        &format!("{}/api/auth/sign-up", app.address),
        &[("email", &email), ("password", PASSWORD)],
    )
    .await;
    let cookie = crate::helpers::session_cookie(&signed_up)
        .value()
        .to_owned();
    browser
        .get(format!("{}/api/token", app.address))
        .header("x-request-id", "find-me-1")
        .send()
        .await
        .unwrap();

    // The log is written by a thread of its own: wait for the line to land.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let log = loop {
        let log = app.log();
        if log.contains("find-me-1") || std::time::Instant::now() > deadline {
            break log;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    let line = log
        .lines()
        .find(|l| l.contains("find-me-1"))
        .unwrap_or_else(|| panic!("no access log line: {log}"));
    let entry: Value = serde_json::from_str(line).expect("a JSON log line");
    assert_eq!(entry["method"], "GET");
    assert_eq!(entry["route"], "/api/token");
    assert_eq!(entry["status"], 200);
    assert!(entry["latency_ms"].is_number());
    assert!(!log.contains(&cookie), "a session token in the log");
    assert!(!log.contains(PASSWORD));
    assert!(!log.contains('\u{1b}'), "colour codes in a log file");
}

#[tokio::test]
async fn metrics_are_served_on_their_own_listener_only() {
    let port = free_port();
    let app = spawn_app_with(|vars| {
        vars.insert("METRICS_ADDR", format!("127.0.0.1:{port}"));
    })
    .await;
    app.signed_up_user().await;
    app.badge().await;
    app.sign_in("nobody@example.com", "wrong password").await;
    app.hello_status("not-a-badge").await;

    let metrics = reqwest::get(format!("http://127.0.0.1:{port}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();

    for name in [
        "badge_http_requests_total",
        "badge_http_request_duration_seconds",
        "badge_sign_ups_total",
        "badge_sign_ins_total",
        "badge_badges_minted_total",
        "badge_password_hash_queue",
        "badge_db_pool_connections",
        "badge_db_pool_idle",
        "badge_outbox_backlog",
    ] {
        assert!(metrics.contains(name), "{name} missing: {metrics}");
    }
    assert!(metrics.contains(r#"route="/api/token""#), "{metrics}");
    assert!(
        metrics.contains(r#"badge_badges_refused_total{reason="malformed"}"#),
        "{metrics}"
    );
    assert_eq!(
        app.get("/metrics").await.status(),
        404,
        "not on the public port"
    );
}
