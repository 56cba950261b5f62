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
    pub port: u16,
    /// Keeps cookies between calls and never follows redirects.
    pub client: reqwest::Client,
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

    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        port,
        client: client(),
        _scratch: scratch,
    }
}

/// A browser-like client: keeps cookies, does not follow redirects.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .expect("reqwest client")
}

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
}
