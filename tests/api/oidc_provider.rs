//! A real OpenID Provider for a test: panva's `oidc-provider` (end2end/oidc/provider.mjs, from
//! end2end/node_modules, which `.ci/bootstrap test` installs) with one static client whose
//! redirect URI is the test app's callback, and its development login pages; stopped when
//! dropped. `OidcWorld` starts the provider and an app that knows it (the app's port is chosen
//! first: the provider must know the redirect URI); `continue_with` plays a browser through a
//! whole round trip.

use std::{
    collections::HashMap,
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
};

use crate::helpers::{spawn_app_with, TestApp};

pub const CLIENT_ID: &str = "badge";
pub const CLIENT_SECRET: &str = "test-client-secret";
/// The provider's id in the app (`OIDC_PROVIDERS`), and its button's name.
pub const ID: &str = "test";
pub const NAME: &str = "Test ID";

pub struct OidcProvider {
    pub issuer: String,
    process: Child,
}

impl OidcProvider {
    /// Starts the provider for the client redirecting to `redirect_uri`; `None` when its port
    /// was taken meanwhile (then the caller tries other ports).
    fn start(port: u16, redirect_uri: &str) -> Option<Self> {
        let root = env!("CARGO_MANIFEST_DIR");
        let mut process = Command::new("node")
            .arg(format!("{root}/end2end/oidc/provider.mjs"))
            .args([&port.to_string(), CLIENT_ID, CLIENT_SECRET, redirect_uri])
            .current_dir(format!("{root}/end2end"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("node runs the test OpenID Provider (run `.ci/bootstrap test`)");
        let ready = match process.stdout.take() {
            Some(stdout) => {
                let mut lines = BufReader::new(stdout).lines();
                let ready = lines
                    .by_ref()
                    .map_while(Result::ok)
                    .any(|line| line == "ready");
                // Read on, so a later write never meets a closed pipe (it would stop the
                // provider).
                std::thread::spawn(move || lines.for_each(drop));
                ready
            }
            None => false,
        };
        if !ready {
            let _ = process.kill();
            let _ = process.wait();
            return None;
        }
        Some(Self {
            issuer: format!("http://localhost:{port}"),
            process,
        })
    }
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// A provider and an app configured with it.
pub struct OidcWorld {
    pub app: TestApp,
    /// Runs as long as the world does.
    provider: OidcProvider,
    /// `http://localhost:PORT`: where the app's round trips start and come back.
    pub site: String,
}

impl OidcWorld {
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    pub async fn start_with(customise: impl Fn(&mut HashMap<&'static str, String>)) -> Self {
        for _ in 0..5 {
            let app_port = crate::process::free_port();
            let site = format!("http://localhost:{app_port}");
            let Some(provider) = OidcProvider::start(
                crate::process::free_port(),
                &format!("{site}/api/auth/oidc/{ID}/callback"),
            ) else {
                continue;
            };
            if std::net::TcpListener::bind(("127.0.0.1", app_port)).is_err() {
                continue;
            }
            let issuer = provider.issuer.clone();
            let app = spawn_app_with(|vars| {
                vars.insert("LEPTOS_SITE_ADDR", format!("127.0.0.1:{app_port}"));
                vars.insert("AUTH_RATE_LIMIT", "false".into());
                vars.insert("OIDC_PROVIDERS", ID.into());
                vars.insert("OIDC_TEST_ISSUER", issuer);
                vars.insert("OIDC_TEST_CLIENT_ID", CLIENT_ID.into());
                vars.insert("OIDC_TEST_CLIENT_SECRET", CLIENT_SECRET.into());
                vars.insert("OIDC_TEST_NAME", NAME.into());
                customise(vars);
            })
            .await;
            return Self {
                app,
                provider,
                site,
            };
        }
        panic!("no free ports for the provider and the app in five tries");
    }

    /// A browser of its own (cookies kept, redirects not followed).
    pub fn browser(&self) -> reqwest::Client {
        crate::helpers::client_from(Some(&self.site))
    }

    /// Starts a round trip in `browser` (`path`: `start` or `connect`), signs in at the provider
    /// as `login` (`SUBJECT|EMAIL|VERIFIED`: what the provider says about that subject), and returns the app's answer to the callback
    /// (not followed) and the callback URL.
    pub async fn continue_with(
        &self,
        browser: &reqwest::Client,
        path: &str,
        login: &str,
    ) -> (reqwest::Response, String) {
        let callback = self.to_callback(browser, path, login).await;
        let answer = browser
            .get(&callback)
            .send()
            .await
            .expect("callback answers");
        (answer, callback)
    }

    /// The round trip up to the provider's redirect back: the callback URL, not yet visited.
    pub async fn to_callback(&self, browser: &reqwest::Client, path: &str, login: &str) -> String {
        let mut claims = login.split('|');
        let (subject, email, verified) = (
            claims.next().unwrap_or_default(),
            claims.next().unwrap_or_default(),
            claims.next().unwrap_or("false"),
        );
        let told = reqwest::Client::new()
            .post(format!("{}/test/accounts", self.provider.issuer))
            .form(&[
                ("sub", subject),
                ("email", email),
                ("email_verified", verified),
            ])
            .send()
            .await
            .expect("the provider takes the test account");
        assert_eq!(told.status(), 204);
        let login = subject;
        let callback = format!("{}/api/auth/oidc/{ID}/callback", self.site);
        let mut url = format!("{}/api/auth/oidc/{ID}/{path}", self.site);
        for _ in 0..10 {
            if url.starts_with(&callback) {
                return url;
            }
            let response = browser.get(&url).send().await.expect("request sent");
            let location = location_of(&response, &url);
            url = match location {
                Some(next) if next.contains("/interaction/") => {
                    browser.get(&next).send().await.expect("login page");
                    let logged_in = browser
                        .post(&next)
                        .form(&[("prompt", "login"), ("login", login), ("password", "any")])
                        .send()
                        .await
                        .expect("login posted");
                    location_of(&logged_in, &next).expect("the provider goes on after login")
                }
                Some(next) => next,
                None => panic!("{url} answered {} without a redirect", response.status()),
            };
        }
        panic!("the round trip never came back to the callback");
    }
}

/// The absolute URL a redirect points to.
pub fn location_of(response: &reqwest::Response, base: &str) -> Option<String> {
    let location = response.headers().get("location")?.to_str().ok()?;
    let base = url::Url::parse(base).ok()?;
    base.join(location).ok().map(String::from)
}
