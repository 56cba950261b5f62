//! Several instances on one database behave as one; an outage is 503 and heals by itself.

use sqlx::Executor;

use crate::helpers::{
    admin_connection, client_from, cookie_header, post_form, spawn_app_on, TestApp, TestDatabase,
    PASSWORD,
};

/// All instances of one deployment share the public URL (issuer, origin check).
const SITE_URL: &str = "http://badge.test";

async fn instance(database: &std::sync::Arc<TestDatabase>) -> TestApp {
    spawn_app_on(database.clone(), |vars| {
        vars.insert("SITE_URL", SITE_URL.into());
    })
    .await
}

#[tokio::test]
async fn two_instances_on_one_database_behave_as_one() {
    let database = TestDatabase::create().await;
    let (a, b) = (instance(&database).await, instance(&database).await);
    let browser = client_from(Some(SITE_URL));
    let email = crate::helpers::unique_email();

    // Sign up on A.
    let credentials = [("email", email.as_str()), ("password", PASSWORD)];
    let signed_up = post_form(&browser, &a.url("/api/auth/sign-up"), &credentials).await;
    assert_eq!(signed_up.status(), 200);
    let cookie = cookie_header(&signed_up);

    // B mints a badge for A's session; A accepts B's badge.
    let minted = browser
        .get(b.url("/api/token"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(minted.status(), 200);
    let token = minted.json::<serde_json::Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let hello = browser
        .get(a.url("/api/hello-world"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(hello.status(), 200);
    assert_eq!(
        hello.json::<serde_json::Value>().await.unwrap()["your_email"],
        email.as_str()
    );

    // Sign out on B; A refuses the cookie.
    let signed_out = browser
        .post(b.url("/api/auth/sign-out"))
        .header("accept", "application/json")
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(signed_out.status(), 200);
    let refused = browser
        .get(a.url("/api/token"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
}

/// Ignored in the SQLite pass; the PostgreSQL pass of `make test` runs it (`--include-ignored`).
#[tokio::test]
#[ignore = "needs PostgreSQL (TEST_DATABASE_URL): runs in the PostgreSQL pass of make test"]
async fn a_database_outage_is_503_and_heals_without_a_restart_or_lost_data() {
    let database = TestDatabase::create().await;
    let TestDatabase::Postgres {
        admin_url, name, ..
    } = &*database
    else {
        panic!("this test stages an outage on a PostgreSQL server: set TEST_DATABASE_URL");
    };
    let app = spawn_app_on(database.clone(), |_| {}).await;
    let email = app.signed_up_user().await;
    let mut admin = admin_connection(admin_url).await;

    // The database goes away: no new connections, existing ones cut.
    admin
        .execute(format!(r#"ALTER DATABASE "{name}" ALLOW_CONNECTIONS false"#).as_str())
        .await
        .unwrap();
    admin
        .execute(
            format!(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
            )
            .as_str(),
        )
        .await
        .unwrap();

    assert_eq!(app.get("/healthz").await.status(), 503);
    let token = app.get("/api/token").await;
    assert_eq!(token.status(), 503);
    assert_eq!(
        token.json::<serde_json::Value>().await.unwrap()["error"],
        "unavailable"
    );
    let stranger = client_from(Some(&app.address));
    let credentials = [("email", email.as_str()), ("password", PASSWORD)];
    let sign_in = post_form(&stranger, &app.url("/api/auth/sign-in"), &credentials).await;
    assert_eq!(sign_in.status(), 503);

    // It comes back; the app recovers on its own.
    admin
        .execute(format!(r#"ALTER DATABASE "{name}" ALLOW_CONNECTIONS true"#).as_str())
        .await
        .unwrap();
    let mut healthy = false;
    for _ in 0..50 {
        if app.get("/healthz").await.status() == 200 {
            healthy = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert!(healthy, "/healthz did not recover");

    // Nothing was lost: the old session and the account still work.
    assert_eq!(app.get("/api/token").await.status(), 200);
    assert_eq!(app.session().await["email"], email.as_str());
    let again = post_form(&stranger, &app.url("/api/auth/sign-in"), &credentials).await;
    assert_eq!(again.status(), 200);
}
