//! `spawn_app()` starts the real application on port 0 with its own throwaway database and
//! returns a `TestApp` with a cookie-keeping client that does not follow redirects.

use std::{collections::HashMap, sync::LazyLock};

use badge::{config::Config, startup::Application, telemetry};
use tempfile::TempDir;

/// The signing secret every test app uses (tests decode badges with it).
pub const TEST_SECRET: &str = "test-secret-that-is-long-enough-for-hs256!";

/// Logs stay silent unless `TEST_LOG` is set (e.g. `TEST_LOG=1 cargo test -- --nocapture`).
static TRACING: LazyLock<()> = LazyLock::new(|| {
    if std::env::var_os("TEST_LOG").is_some() {
        telemetry::init("debug");
    }
});

pub struct TestApp {
    /// `http://127.0.0.1:<port>`, also the site URL (so it is the expected `Origin`).
    pub address: String,
    /// Keeps cookies between calls and never follows redirects.
    pub client: reqwest::Client,
    /// The database this app uses (tests inspect rows directly).
    pub db_url: String,
    /// Holds the SQLite file until the test ends.
    _scratch: TempDir,
}

/// Starts an app with the test defaults.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Starts an app after `customise` has adjusted its environment variables.
pub async fn spawn_app_with(customise: impl FnOnce(&mut HashMap<&'static str, String>)) -> TestApp {
    LazyLock::force(&TRACING);
    let scratch = tempfile::tempdir().expect("temp dir");
    let mut vars: HashMap<&'static str, String> = HashMap::from([
        ("AUTH_SECRET", TEST_SECRET.to_owned()),
        (
            "DATABASE_URL",
            format!("sqlite://{}/test.db", scratch.path().display()),
        ),
        ("LEPTOS_SITE_ADDR", "127.0.0.1:0".to_owned()),
    ]);
    customise(&mut vars);
    let config = Config::from_lookup(|name| vars.get(name).cloned()).expect("valid test config");

    let app = Application::build(config).await.expect("app builds");
    let port = app.port();
    tokio::spawn(app.run_until_stopped());

    let address = format!("http://127.0.0.1:{port}");
    TestApp {
        client: client_from(Some(&address)),
        address,
        db_url: vars["DATABASE_URL"].clone(),
        _scratch: scratch,
    }
}

/// A browser-like client: keeps cookies, does not follow redirects, and (like a browser on the
/// site's own pages) sends `origin` as `Origin` when given.
pub fn client_from(origin: Option<&str>) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    if let Some(origin) = origin {
        headers.insert(
            reqwest::header::ORIGIN,
            origin.parse().expect("origin header"),
        );
    }
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .default_headers(headers)
        // A hung request fails its test with a message instead of stalling the suite.
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .expect("reqwest client")
}

/// A unique, valid email for one test.
pub fn unique_email() -> String {
    format!("user-{}@example.com", uuid_like())
}

fn uuid_like() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{nanos:x}-{}", COUNTER.fetch_add(1, Ordering::Relaxed))
}

pub const PASSWORD: &str = "correct horse battery staple";

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request sent")
    }

    /// Posts a form to a server function, as the hydrated app's client does (JSON accepted).
    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .header(reqwest::header::ACCEPT, "application/json")
            .form(form)
            .send()
            .await
            .expect("request sent")
    }

    pub async fn sign_up(&self, email: &str, password: &str) -> reqwest::Response {
        self.post_form(
            "/api/auth/sign-up",
            &[("email", email), ("password", password)],
        )
        .await
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> reqwest::Response {
        self.post_form(
            "/api/auth/sign-in",
            &[("email", email), ("password", password)],
        )
        .await
    }

    pub async fn sign_out(&self) -> reqwest::Response {
        self.post_form("/api/auth/sign-out", &[]).await
    }

    /// The session endpoint's answer: the user JSON, or `Value::Null` when signed out.
    pub async fn session(&self) -> serde_json::Value {
        let response = self.post_form("/api/auth/session", &[]).await;
        assert_eq!(response.status(), 200);
        response.json().await.expect("session JSON")
    }

    /// Signs up a fresh user (this client is then signed in) and returns the email.
    pub async fn signed_up_user(&self) -> String {
        let email = unique_email();
        let response = self.sign_up(&email, PASSWORD).await;
        assert!(
            response.status().is_success(),
            "sign-up failed: {}",
            response.status()
        );
        email
    }

    /// A direct connection to this app's database, for checking and arranging rows.
    pub async fn db(&self) -> sqlx::AnyPool {
        sqlx::any::install_default_drivers();
        sqlx::AnyPool::connect(&self.db_url)
            .await
            .expect("test database")
    }
}

/// The `Set-Cookie` header values of a response.
pub fn set_cookies(response: &reqwest::Response) -> Vec<String> {
    response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_owned))
        .collect()
}
