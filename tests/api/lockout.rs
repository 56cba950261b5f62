//! A stranger cannot lock the owner out of their account or flood their mailbox (security
//! review, finding 2): mail requests have a budget of their own, only failed password checks
//! count against the account's ceiling, and the owner's own browser (a device it signed in on
//! before, or a session) is not refused because of a stranger's failures.

use sqlx::Row;

use crate::helpers::{client_from, spawn_app_with, TestApp, PASSWORD};

/// An app behind a trusted proxy, so each test chooses the client IP of every request.
async fn app_behind_a_proxy() -> TestApp {
    spawn_app_with(|vars| {
        vars.insert("TRUST_PROXY", "true".into());
    })
    .await
}

/// Posts `form` to the server function at `path` as `browser` coming from `ip`; the status.
async fn post_from(
    app: &TestApp,
    browser: &reqwest::Client,
    ip: &str,
    path: &str,
    form: &[(&str, &str)],
) -> u16 {
    browser
        .post(app.url(path))
        .header("accept", "application/json")
        .header("x-forwarded-for", ip)
        .form(form)
        .send()
        .await
        .expect("request sent")
        .status()
        .as_u16()
}

/// A fresh browser (no cookies) signing in as `email` from `ip`.
async fn stranger_signs_in(app: &TestApp, ip: &str, email: &str, password: &str) -> u16 {
    let stranger = client_from(Some(&app.address));
    post_from(
        app,
        &stranger,
        ip,
        "/api/auth/sign-in",
        &[("email", email), ("password", password)],
    )
    .await
}

/// Wrong passwords for `email` from four addresses, five each: the account's whole ceiling.
/// The ceiling recovers one attempt every 3 s, so on a machine slow enough to take that long
/// for the twenty, strangers from further addresses go on until it refuses one: it is spent
/// at the moment this returns, however long it took.
async fn strangers_exhaust_the_ceiling(app: &TestApp, email: &str) {
    for ip in ["203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.4"] {
        for _ in 0..5 {
            assert_eq!(
                stranger_signs_in(app, ip, email, "a wrong guess").await,
                401
            );
        }
    }
    for n in 10..60 {
        let ip = format!("203.0.113.{n}");
        if stranger_signs_in(app, &ip, email, "a wrong guess").await == 429 {
            return;
        }
    }
    panic!("the account's ceiling never refused a stranger");
}

/// Reset mails queued for `email`.
async fn reset_mails_to(app: &TestApp, email: &str) -> i64 {
    sqlx::query("SELECT COUNT(*) AS n FROM outbox WHERE recipient = $1")
        .bind(email)
        .fetch_one(&app.db().await)
        .await
        .unwrap()
        .get("n")
}

#[tokio::test]
async fn reset_requests_from_many_addresses_never_lock_the_owner_out() {
    let app = app_behind_a_proxy().await;
    let email = app.signed_up_user().await;

    for ip in ["203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.4"] {
        for _ in 0..5 {
            let stranger = client_from(Some(&app.address));
            post_from(
                &app,
                &stranger,
                ip,
                "/api/auth/request-password-reset",
                &[("email", &email)],
            )
            .await;
        }
    }
    let owner = stranger_signs_in(&app, "198.51.100.7", &email, PASSWORD).await;

    assert_eq!(owner, 200, "the owner's right password is not refused");
}

#[tokio::test]
async fn reset_mails_to_one_address_are_capped_whatever_the_addresses_asking() {
    let app = app_behind_a_proxy().await;
    let email = app.signed_up_user().await;

    let mut statuses = Vec::new();
    for n in 0..10 {
        let stranger = client_from(Some(&app.address));
        let ip = format!("2001:db8:{n}::1");
        statuses.push(
            post_from(
                &app,
                &stranger,
                &ip,
                "/api/auth/request-password-reset",
                &[("email", &email)],
            )
            .await,
        );
    }

    assert_eq!(statuses[..3], [200, 200, 200]);
    assert!(statuses[3..].iter().all(|s| *s == 429), "{statuses:?}");
    // The verification mail from sign-up, and three reset mails (queued off the request path).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while reset_mails_to(&app, &email).await < 4 && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(reset_mails_to(&app, &email).await, 4);
}

#[tokio::test]
async fn only_failed_password_checks_count_against_the_account_ceiling() {
    let app = app_behind_a_proxy().await;
    let email = app.signed_up_user().await;

    let mut statuses = Vec::new();
    for n in 0..6 {
        for _ in 0..4 {
            let ip = format!("198.51.100.{n}");
            statuses.push(stranger_signs_in(&app, &ip, &email, PASSWORD).await);
        }
    }

    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
}

#[tokio::test]
async fn the_owners_browser_signs_in_while_strangers_have_spent_the_ceiling() {
    let app = app_behind_a_proxy().await;
    let email = app.signed_up_user().await;
    let owner = client_from(Some(&app.address));
    let signed_in = post_from(
        &app,
        &owner,
        "198.51.100.7",
        "/api/auth/sign-in",
        &[("email", &email), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(signed_in, 200);
    post_from(&app, &owner, "198.51.100.7", "/api/auth/sign-out", &[]).await;

    strangers_exhaust_the_ceiling(&app, &email).await;
    let new_browser = stranger_signs_in(&app, "198.51.100.8", &email, PASSWORD).await;
    let owners_browser = post_from(
        &app,
        &owner,
        "198.51.100.9",
        "/api/auth/sign-in",
        &[("email", &email), ("password", PASSWORD)],
    )
    .await;

    assert_eq!(
        new_browser, 429,
        "the ceiling still holds for unknown browsers"
    );
    assert_eq!(
        owners_browser, 200,
        "a browser the owner used before is let in"
    );
}

#[tokio::test]
async fn a_signed_in_owner_confirms_their_password_while_strangers_have_spent_the_ceiling() {
    let app = app_behind_a_proxy().await;
    let email = app.signed_up_user().await;

    strangers_exhaust_the_ceiling(&app, &email).await;
    let changed = post_from(
        &app,
        &app.client,
        "198.51.100.7",
        "/api/auth/change-password",
        &[
            ("current_password", PASSWORD),
            ("new_password", "a brand new passphrase"),
        ],
    )
    .await;

    assert_eq!(changed, 200);
}

#[tokio::test]
async fn a_device_cookie_made_up_or_for_another_account_is_not_trusted() {
    let app = app_behind_a_proxy().await;
    let email = app.signed_up_user().await;
    let other = client_from(Some(&app.address));
    let other_email = crate::helpers::unique_email();
    let signed_up = post_from(
        &app,
        &other,
        "198.51.100.5",
        "/api/auth/sign-up",
        &[("email", &other_email), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(signed_up, 200);

    strangers_exhaust_the_ceiling(&app, &email).await;
    let with_another_accounts_device = post_from(
        &app,
        &other,
        "198.51.100.6",
        "/api/auth/sign-in",
        &[("email", &email), ("password", PASSWORD)],
    )
    .await;
    let forged = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(app.url("/api/auth/sign-in"))
        .header("origin", &app.address)
        .header("accept", "application/json")
        .header("x-forwarded-for", "198.51.100.7")
        .header("cookie", "badge_device=made-up.value")
        .form(&[("email", email.as_str()), ("password", PASSWORD)])
        .send()
        .await
        .unwrap()
        .status();

    assert_eq!(with_another_accounts_device, 429);
    assert_eq!(forged, 429);
}
