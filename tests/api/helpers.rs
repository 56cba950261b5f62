//! `spawn_app()` starts the real application on port 0 with its own throwaway database and
//! returns a `TestApp` with a cookie-keeping client that does not follow redirects.
//!
//! The database is a fresh SQLite file, or, when `TEST_DATABASE_URL` names a PostgreSQL server,
//! a fresh PostgreSQL database created for the test and dropped after it.

use std::{
    collections::HashMap,
    sync::{Arc, LazyLock},
};

use badge::server::{config::Config, startup::Application, telemetry};
use tempfile::TempDir;

/// The signing secret every test app uses (tests decode badges with it).
pub const TEST_SECRET: &str = "test-secret-that-is-long-enough-for-hs256!";

/// Logs stay silent unless `TEST_LOG` is set (e.g. `TEST_LOG=1 cargo test -- --nocapture`).
static TRACING: LazyLock<()> = LazyLock::new(|| {
    if std::env::var_os("TEST_LOG").is_some() {
        telemetry::init(Some("debug")).expect("a valid filter");
    }
});

pub struct TestApp {
    /// `http://127.0.0.1:<port>`, also the site URL (so it is the expected `Origin`).
    pub address: String,
    /// Keeps cookies between calls and never follows redirects.
    pub client: reqwest::Client,
    /// The database this app uses (tests inspect rows directly).
    pub db_url: String,
    /// Where this app writes mails as `.eml` files when no `SMTP_URL` is set.
    pub mail_files: TempDir,
    /// Removes the test's database when the test ends.
    _database: Arc<TestDatabase>,
}

/// A database that exists for one test (or for the instances a scale-out test shares).
pub enum TestDatabase {
    Sqlite {
        url: String,
        _dir: TempDir,
    },
    Postgres {
        url: String,
        admin_url: String,
        name: String,
    },
}

impl TestDatabase {
    /// A new empty database on the engine `TEST_DATABASE_URL` selects (SQLite by default).
    pub async fn create() -> Arc<Self> {
        match std::env::var("TEST_DATABASE_URL")
            .ok()
            .filter(|u| u.starts_with("postgres"))
        {
            Some(admin_url) => {
                let name = format!("badge_test_{}", uuid_like().replace('-', "_"));
                let mut admin = admin_connection(&admin_url).await;
                sqlx::Executor::execute(
                    &mut admin,
                    format!(r#"CREATE DATABASE "{name}""#).as_str(),
                )
                .await
                .expect("create the test database");
                let url = database_url_with_name(&admin_url, &name);
                Arc::new(Self::Postgres {
                    url,
                    admin_url,
                    name,
                })
            }
            None => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}/test.db", dir.path().display());
                Arc::new(Self::Sqlite { url, _dir: dir })
            }
        }
    }

    pub fn url(&self) -> &str {
        match self {
            Self::Sqlite { url, .. } | Self::Postgres { url, .. } => url,
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Self::Postgres {
            admin_url, name, ..
        } = self
        else {
            return;
        };
        let (admin_url, name) = (admin_url.clone(), name.clone());
        // Drop runs inside the test's runtime, so the async clean-up gets a thread of its own.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime
                .block_on(async {
                    let mut admin = admin_connection(&admin_url).await;
                    let sql = format!(r#"DROP DATABASE IF EXISTS "{name}" WITH (FORCE)"#);
                    sqlx::Executor::execute(&mut admin, sql.as_str())
                        .await
                        .map(|_| ())
                })
                .map_err(std::io::Error::other)
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("warning: could not drop a test database: {dropped:?}");
        }
    }
}

pub async fn admin_connection(admin_url: &str) -> sqlx::AnyConnection {
    sqlx::any::install_default_drivers();
    match sqlx::Connection::connect(admin_url).await {
        Ok(connection) => connection,
        // 3D000: the server answered, but the database in the URL does not exist.
        Err(e) if e.as_database_error().and_then(|d| d.code()).as_deref() == Some("3D000") => {
            panic!(
                "TEST_DATABASE_URL names a database that does not exist ({e}); create it \
                 (e.g. `createdb -h 127.0.0.1 -U postgres test`) or run `.ci/postgres ensure`"
            )
        }
        Err(e) => panic!("TEST_DATABASE_URL does not answer ({e}); is PostgreSQL running?"),
    }
}

/// `postgres://user@host:port/anything` → the same server, database `name`.
fn database_url_with_name(admin_url: &str, name: &str) -> String {
    let mut url = url::Url::parse(admin_url).expect("TEST_DATABASE_URL is a URL");
    url.set_path(name);
    url.to_string()
}

/// Starts an app with the test defaults.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Starts an app after `customise` has adjusted its environment variables.
pub async fn spawn_app_with(customise: impl FnOnce(&mut HashMap<&'static str, String>)) -> TestApp {
    spawn_app_on(TestDatabase::create().await, customise).await
}

/// Starts an app on an existing test database (several instances may share one).
pub async fn spawn_app_on(
    database: Arc<TestDatabase>,
    customise: impl FnOnce(&mut HashMap<&'static str, String>),
) -> TestApp {
    LazyLock::force(&TRACING);
    let mail_files = tempfile::tempdir().expect("a folder for mail files");
    let mut vars: HashMap<&'static str, String> = HashMap::from([
        ("AUTH_SECRET", TEST_SECRET.to_owned()),
        ("DATABASE_URL", database.url().to_owned()),
        ("LEPTOS_SITE_ADDR", "127.0.0.1:0".to_owned()),
        ("MAIL_OUTBOX_DIR", mail_files.path().display().to_string()),
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
        mail_files,
        _database: database,
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

/// Unix seconds now, as badges carry them.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("the clock is after 1970")
        .as_secs() as i64
}

/// Part `index` of a JWT (0 header, 1 claims), decoded.
pub fn jwt_part(token: &str, index: usize) -> serde_json::Value {
    use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
    let part = token.split('.').nth(index).expect("JWT part");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).expect("base64url")).expect("JSON")
}

/// The claims of a badge `browser` gets from `app`'s `/api/token`.
pub async fn badge_claims(app: &TestApp, browser: &reqwest::Client) -> serde_json::Value {
    let answer: serde_json::Value = browser
        .get(app.url("/api/token"))
        .send()
        .await
        .expect("request sent")
        .json()
        .await
        .expect("token JSON");
    jwt_part(answer["token"].as_str().expect("a token"), 1)
}

/// Valid claims for a badge `app` would accept, for tests that sign their own.
pub fn claims_for(app: &TestApp) -> serde_json::Value {
    let now = unix_now();
    serde_json::json!({ "sub": "user-1", "email": "ada@example.com", "iat": now, "exp": now + 600, "iss": app.address })
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// Where the app's mails link: without `SITE_URL`, `localhost` on its port, the URL people
    /// open (and the log prints), so a link opens with the cookies of the site they used.
    pub fn mailed_url(&self, path: &str) -> String {
        self.url(path).replacen("127.0.0.1", "localhost", 1)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request sent")
    }

    /// Another browser signed in as `email`; `user_agent` is what it says it is.
    pub async fn second_device(&self, email: &str, user_agent: &str) -> reqwest::Client {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            reqwest::header::ORIGIN,
            self.address.parse().expect("origin"),
        );
        headers.insert(
            reqwest::header::USER_AGENT,
            user_agent.parse().expect("user agent"),
        );
        let device = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_store(true)
            .default_headers(headers)
            .build()
            .expect("reqwest client");
        let response = post_form(
            &device,
            &self.url("/api/auth/sign-in"),
            &[("email", email), ("password", PASSWORD)],
        )
        .await;
        assert_eq!(response.status(), 200, "second device signs in");
        device
    }

    /// The HTML at `path_or_url`, fetched with this app's client (and its cookies).
    pub async fn page(&self, path_or_url: &str) -> String {
        let url = if path_or_url.starts_with('/') {
            self.url(path_or_url)
        } else {
            path_or_url.to_owned()
        };
        let response = self.client.get(url).send().await.expect("request sent");
        response.text().await.expect("a page")
    }

    /// Posts a form to a server function, as the hydrated app's client does (JSON accepted).
    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        post_form(&self.client, &self.url(path), form).await
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

    /// A badge for this client's session (`GET /api/token`, which must answer 200).
    pub async fn badge(&self) -> String {
        let response = self.get("/api/token").await;
        assert_eq!(response.status(), 200, "GET /api/token");
        let body: serde_json::Value = response.json().await.expect("token JSON");
        body["token"].as_str().expect("token").to_owned()
    }

    /// The status `/api/hello-world` answers to `badge`.
    pub async fn hello_status(&self, badge: &str) -> u16 {
        let response = self
            .client
            .get(self.url("/api/hello-world"))
            .bearer_auth(badge)
            .send()
            .await
            .expect("request sent");
        response.status().as_u16()
    }

    /// A direct connection to this app's database, for checking and arranging rows.
    pub async fn db(&self) -> sqlx::AnyPool {
        sqlx::any::install_default_drivers();
        sqlx::AnyPool::connect(&self.db_url)
            .await
            .expect("test database")
    }
}

/// Posts a form with `client` the way the hydrated app does (accepting JSON, so errors come back
/// as statuses rather than a form redirect).
pub async fn post_form(
    client: &reqwest::Client,
    url: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    client
        .post(url)
        .header(reqwest::header::ACCEPT, "application/json")
        .form(form)
        .send()
        .await
        .expect("request sent")
}

/// The session cookie a response sets (or clears), read with reqwest's cookie parser.
pub fn session_cookie(response: &reqwest::Response) -> reqwest::cookie::Cookie<'_> {
    response
        .cookies()
        .find(|c| c.name().ends_with("badge_session"))
        .expect("a session cookie in Set-Cookie")
}

/// The session cookie as a browser sends it back: `name=value`, for a `Cookie` header.
pub fn cookie_header(response: &reqwest::Response) -> String {
    let cookie = session_cookie(response);
    format!("{}={}", cookie.name(), cookie.value())
}

/// True when the response tells the browser to forget its session cookie.
pub fn clears_session_cookie(response: &reqwest::Response) -> bool {
    response.cookies().any(|c| {
        c.name().ends_with("badge_session")
            && c.value().is_empty()
            && c.max_age() == Some(std::time::Duration::ZERO)
    })
}

/// The `error` code of a JSON error answer.
pub async fn error_code(response: reqwest::Response) -> String {
    let body: serde_json::Value = response.json().await.expect("a JSON error");
    body["error"].as_str().expect("an error code").to_owned()
}
