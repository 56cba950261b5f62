//! The operator commands beside the keys (DESIGN "Operations"): `badge migrate`, `badge users
//! list|delete`, `badge sessions revoke` and `badge config`, run as the real binary against a
//! live deployment's database.

use serde_json::Value;

use super::{badge, badge_with};
use crate::helpers::{
    client_from, post_form, spawn_app, TestApp, TestDatabase, PASSWORD, TEST_SECRET,
};

/// The session endpoint's answer for `client`: the user, or null.
async fn session_of(app: &TestApp, client: &reqwest::Client) -> Value {
    let response = post_form(client, &app.url("/api/auth/session"), &[]).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// How many rows of `table` belong to the user `user_id`.
async fn rows_of(app: &TestApp, table: &str, user_id: &str) -> i64 {
    let db = app.db().await;
    let column = if table == "users" { "id" } else { "user_id" };
    let sql = format!("SELECT COUNT(*) FROM {table} WHERE {column} = $1");
    let (count,): (i64,) = sqlx::query_as(&sql)
        .bind(user_id)
        .fetch_one(&db)
        .await
        .unwrap();
    count
}

async fn user_id_of(app: &TestApp, email: &str) -> String {
    let db = app.db().await;
    let (id,): (String,) = sqlx::query_as("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(&db)
        .await
        .unwrap();
    id
}

#[tokio::test]
async fn users_list_shows_each_user_with_verification_and_sessions() {
    let app = spawn_app().await;
    let ada = app.signed_up_user().await;
    let _laptop = app.second_device(&ada, "test").await;
    let bob = app.signed_up_user().await;
    // Ada is older and verified; Bob's only session has expired.
    let db = app.db().await;
    let arrange = [
        "UPDATE users SET created_at = 1000000000, email_verified_at = 1000000005 WHERE email = $1",
        "UPDATE users SET created_at = 1000000060 WHERE email = $1",
        "UPDATE sessions SET expires_at = 0 WHERE user_id = (SELECT id FROM users WHERE email = $1)",
    ];
    for (sql, email) in arrange.into_iter().zip([&ada, &bob, &bob]) {
        sqlx::query(sql).bind(email).execute(&db).await.unwrap();
    }

    let (ok, stdout, stderr) = badge(&app.db_url, &["users", "list"]);

    assert!(ok, "{stderr}");
    let lines: Vec<Vec<&str>> = stdout
        .lines()
        .map(|line| line.split_whitespace().collect())
        .collect();
    assert_eq!(
        lines[0],
        ["ID", "EMAIL", "VERIFIED", "CREATED", "SESSIONS"],
        "{stdout}"
    );
    let ada_id = user_id_of(&app, &ada).await;
    let bob_id = user_id_of(&app, &bob).await;
    let expected = [
        [ada_id.as_str(), &ada, "yes", "2001-09-09T01:46:40Z", "2"],
        [bob_id.as_str(), &bob, "no", "2001-09-09T01:47:40Z", "0"],
    ];
    assert_eq!(lines[1..], expected, "{stdout}");
}

#[tokio::test]
async fn users_list_of_an_empty_database_says_there_are_none() {
    let app = spawn_app().await;

    let (ok, stdout, stderr) = badge(&app.db_url, &["users", "list"]);

    assert!(ok, "{stderr}");
    assert_eq!(stdout.lines().count(), 2, "{stdout}");
    assert!(stdout.contains("no users"), "{stdout}");
}

#[tokio::test]
async fn users_delete_removes_the_user_sessions_and_links_and_frees_the_email() {
    let app = spawn_app().await;
    let email = app.signed_up_user().await;
    let id = user_id_of(&app, &email).await;
    assert_eq!(
        rows_of(&app, "email_tokens", &id).await,
        1,
        "a verification link"
    );
    let other = app.signed_up_user().await;

    // The email as an operator may type it: the account's email, normalised.
    let typed = format!("  {}  ", email.to_uppercase());
    let (ok, stdout, stderr) = badge(&app.db_url, &["users", "delete", &typed]);

    assert!(ok, "{stderr}");
    assert!(stdout.contains(&email), "{stdout}");
    for table in ["users", "sessions", "email_tokens"] {
        assert_eq!(rows_of(&app, table, &id).await, 0, "{table} of the user");
    }
    let other_id = user_id_of(&app, &other).await;
    assert_eq!(rows_of(&app, "users", &other_id).await, 1, "others stay");
    assert_eq!(rows_of(&app, "sessions", &other_id).await, 1, "others stay");
    let again = app.sign_up(&email, PASSWORD).await;
    assert!(again.status().is_success(), "the email is free again");
}

#[tokio::test]
async fn users_delete_of_an_unknown_email_fails_with_one_line() {
    let app = spawn_app().await;

    let (ok, stdout, stderr) = badge(&app.db_url, &["users", "delete", "nobody@example.com"]);

    assert!(!ok, "{stdout}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("badge: no user has the email nobody@example.com"),
        "{stderr}"
    );
}

#[tokio::test]
async fn users_delete_of_a_malformed_email_names_the_problem() {
    let app = spawn_app().await;

    let (ok, _, stderr) = badge(&app.db_url, &["users", "delete", "not-an-email"]);

    assert!(!ok);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("not-an-email"), "{stderr}");
    assert!(stderr.contains("valid email"), "{stderr}");
}

#[tokio::test]
async fn sessions_revoke_signs_the_user_out_everywhere() {
    let app = spawn_app().await;
    let email = app.signed_up_user().await;
    let laptop = app.second_device(&email, "test").await;
    let bystander = client_from(Some(&app.address));
    let other = crate::helpers::unique_email();
    let signed_up = post_form(
        &bystander,
        &app.url("/api/auth/sign-up"),
        &[("email", &other), ("password", PASSWORD)],
    )
    .await;
    assert!(signed_up.status().is_success());

    let (ok, stdout, stderr) = badge(&app.db_url, &["sessions", "revoke", &email]);

    assert!(ok, "{stderr}");
    assert!(stdout.contains("2 session(s)"), "{stdout}");
    assert_eq!(app.session().await, Value::Null, "signed out here");
    assert_eq!(session_of(&app, &laptop).await, Value::Null, "and there");
    assert_eq!(session_of(&app, &bystander).await["email"], other.as_str());
    let again = app.sign_in(&email, PASSWORD).await;
    assert_eq!(again.status(), 200, "the account itself stays");
}

#[tokio::test]
async fn sessions_revoke_of_an_unknown_email_fails_with_one_line() {
    let app = spawn_app().await;

    let (ok, _, stderr) = badge(&app.db_url, &["sessions", "revoke", "nobody@example.com"]);

    assert!(!ok);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("nobody@example.com"), "{stderr}");
}

#[tokio::test]
async fn migrate_reports_the_applied_migrations() {
    let database = TestDatabase::create().await;
    let migrations: Vec<String> =
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.ends_with(".sql"))
            .collect();
    let latest = migrations.iter().max().unwrap();
    let latest_version = latest.split('_').next().unwrap();

    for run in ["first", "again"] {
        let (ok, stdout, stderr) = badge(database.url(), &["migrate"]);

        assert!(ok, "{run}: {stderr}");
        assert_eq!(stdout.lines().count(), 1, "{stdout}");
        assert!(stdout.contains("latest migration"), "{stdout}");
        assert!(
            stdout.contains(&format!("{} applied", migrations.len())),
            "{run}: {stdout}"
        );
        assert!(stdout.contains(latest_version), "{stdout}");
    }
}

#[test]
fn config_shows_settings_with_every_secret_redacted() {
    let previous = "an-older-secret-that-is-also-long-enough!";
    let vars = [
        (
            "SMTP_URL",
            "smtp://mailer:smtp-pass-456@smtp.example.com:587?tls=required",
        ),
        ("AUTH_SECRET_PREVIOUS", previous),
        ("SESSION_TTL", "12h"),
        ("TRUSTED_ORIGINS", "https://app.example.com"),
    ];
    // Nothing answers here: `config` must not connect.
    let database = "postgres://badge:db-pass-123@db.invalid:5432/badge?password=db-pass-789";

    let (ok, stdout, stderr) = badge_with(database, &vars, &["config"]);

    assert!(ok, "{stderr}");
    for secret in [
        TEST_SECRET,
        previous,
        "db-pass-123",
        "db-pass-789",
        "smtp-pass-456",
    ] {
        assert!(!stdout.contains(secret), "{secret} leaked: {stdout}");
    }
    for name in [
        "DATABASE_URL",
        "DATABASE_MAX_CONNECTIONS",
        "AUTH_SECRET",
        "AUTH_SECRET_PREVIOUS",
        "SITE_URL",
        "LEPTOS_SITE_ADDR",
        "LEPTOS_SITE_ROOT",
        "JWT_ALGORITHM",
        "JWT_KEY_ROTATION",
        "JWT_TTL",
        "SESSION_TTL",
        "JWT_ISSUER",
        "JWT_AUDIENCE",
        "TRUSTED_ORIGINS",
        "VAULT_URL",
        "TRUST_PROXY",
        "AUTH_RATE_LIMIT",
        "SMTP_URL",
        "MAIL_FROM",
        "MAIL_OUTBOX_DIR",
        "RESET_TTL",
        "REQUIRE_EMAIL_VERIFICATION",
        "REQUEST_TIMEOUT",
        "SHUTDOWN_TIMEOUT",
        "MAX_CONNECTIONS",
        "METRICS_ADDR",
        "LOG_FORMAT",
        "RUST_LOG",
    ] {
        let line = format!("\n{name}=");
        assert!(format!("\n{stdout}").contains(&line), "{name} in {stdout}");
    }
    let shown = |line: &str| stdout.lines().any(|l| l == line);
    assert!(
        shown("DATABASE_URL=postgres://badge:***@db.invalid:5432/badge?password=***"),
        "{stdout}"
    );
    assert!(
        shown(&format!("AUTH_SECRET=(set, {} bytes)", TEST_SECRET.len())),
        "{stdout}"
    );
    assert!(
        shown("SMTP_URL=smtp://mailer:***@smtp.example.com:587?tls=required"),
        "{stdout}"
    );
    assert!(shown("SESSION_TTL=12h"), "{stdout}");
    assert!(
        shown("AUTH_SECRET_PREVIOUS=(1 older secret(s) still accepted)"),
        "{stdout}"
    );
    assert!(shown("JWT_ALGORITHM=EdDSA"), "{stdout}");
    assert!(shown("TRUSTED_ORIGINS=https://app.example.com"), "{stdout}");
}

/// `badge ARGS` run in `folder` with only `vars` set: what a newcomer gets there.
fn badge_in(folder: &std::path::Path, vars: &[(&str, &str)], args: &[&str]) -> (bool, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_badge"))
        .current_dir(folder)
        .env_clear()
        .env("RUST_LOG", "warn")
        .envs(vars.iter().copied())
        .args(args)
        .output()
        .expect("the binary runs");
    let stderr = String::from_utf8_lossy(&output.stderr).trim().to_owned();
    (output.status.success(), stderr)
}

fn entries(folder: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(folder)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn operator_commands_in_a_folder_without_a_database_refuse_in_one_line_and_create_nothing() {
    let folder = tempfile::tempdir().unwrap();
    let expected = folder.path().canonicalize().unwrap().join("data/badge.db");

    for args in [
        &["users", "list"][..],
        &["users", "delete", "ann@example.com"],
        &["sessions", "revoke", "ann@example.com"],
        &["keys", "list"],
        &["clients", "list"],
        &["config"],
    ] {
        let (ok, stderr) = badge_in(folder.path(), &[], args);

        assert!(!ok, "{args:?} succeeded");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.contains("DATABASE_URL"), "{args:?}: {stderr}");
        assert!(
            stderr.contains(&expected.display().to_string()),
            "{args:?} should name {}: {stderr}",
            expected.display()
        );
        assert!(entries(folder.path()).is_empty(), "{args:?} created files");
    }
}

#[test]
fn operator_commands_never_generate_the_secret_but_serving_and_migrate_do() {
    let home = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();

    // `badge migrate` starts an installation, as serving does: database and secret.
    let (ok, stderr) = badge_in(home.path(), &[], &["migrate"]);
    assert!(ok, "{stderr}");
    assert!(home.path().join("data/badge.db").exists());
    assert!(home.path().join("data/auth-secret").exists());
    let (ok, stderr) = badge_in(home.path(), &[], &["users", "list"]);
    assert!(ok, "in the installation's folder: {stderr}");

    // The same database from another folder, without AUTH_SECRET: no secret is made up there.
    let url = format!("sqlite://{}/data/badge.db", home.path().display());
    let (ok, stderr) = badge_in(
        elsewhere.path(),
        &[("DATABASE_URL", &url)],
        &["users", "list"],
    );

    assert!(!ok);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    let secret_path = elsewhere
        .path()
        .canonicalize()
        .unwrap()
        .join("data/auth-secret");
    assert!(stderr.contains("AUTH_SECRET"), "{stderr}");
    assert!(
        stderr.contains(&secret_path.display().to_string()),
        "{stderr}"
    );
    assert!(
        entries(elsewhere.path()).is_empty(),
        "files created: {stderr}"
    );
}
