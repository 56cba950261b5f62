//! Badge as an OpenID Provider, checked the way the OpenID Foundation's Basic OP plan checks a
//! provider: a client registered here, a browser (this test's client, which never follows
//! redirects) through authorize, sign-in and consent, then the token and userinfo endpoints.
//! `flow.rs`: the code flow and its tokens; `authorize.rs`: the authorization request's rules;
//! `token.rs`: client authentication, PKCE and codes; `userinfo.rs`; `operator.rs`: the operator's
//! commands and the keys. Tokens that follow the session: `refresh.rs` (rotation, families,
//! offline access), `introspection.rs`, `logout.rs` (revocation, end-session, connected apps).

mod authorize;
mod flow;
mod introspection;
mod logout;
mod operator;
mod refresh;
mod token;
mod userinfo;

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use jsonwebtoken::{jwk::JwkSet, Algorithm, DecodingKey, Validation};
use serde_json::Value;
use sha2::{Digest, Sha256};
use url::Url;

use crate::helpers::{spawn_app_with, TestApp};
use badge::server::oauth::clients::{self, NewClient};

/// Where the test client says it lives; never contacted (redirects are read, not followed).
pub const REDIRECT_URI: &str = "http://127.0.0.1:9/callback";

/// A registered client and how it authenticates.
pub struct TestClient {
    pub id: String,
    pub secret: Option<String>,
}

/// An app with rate limits off (tests sign in many times).
pub async fn op_app() -> TestApp {
    spawn_app_with(|vars| {
        vars.insert("AUTH_RATE_LIMIT", "false".into());
    })
    .await
}

/// Registers a client on `app` (as `badge clients add` does).
pub async fn register(app: &TestApp, new: NewClient) -> TestClient {
    let registered = clients::add(&app.db().await, new)
        .await
        .expect("the client registers");
    TestClient {
        id: registered.client.client_id,
        secret: registered.secret,
    }
}

/// A confidential, third-party client redirecting to `REDIRECT_URI`.
pub async fn confidential(app: &TestApp) -> TestClient {
    register(
        app,
        NewClient {
            name: "Grafana".into(),
            redirect_uris: vec![REDIRECT_URI.into()],
            ..NewClient::default()
        },
    )
    .await
}

pub async fn public(app: &TestApp) -> TestClient {
    register(
        app,
        NewClient {
            name: "Phone app".into(),
            redirect_uris: vec![REDIRECT_URI.into()],
            public: true,
            ..NewClient::default()
        },
    )
    .await
}

/// An introspection-only client: a vault that only checks tokens.
pub async fn vault(app: &TestApp) -> TestClient {
    register(
        app,
        NewClient {
            name: "Vault".into(),
            introspection_only: true,
            ..NewClient::default()
        },
    )
    .await
}

/// Signed in on `app`: the token endpoint's answer for a fresh code for `client`.
pub async fn tokens_for(app: &TestApp, client: &TestClient, extra: &[(&str, &str)]) -> Value {
    let code = code_for(app, client, extra).await;
    let answer = exchange(app, client, &code, &[]).await;
    assert_eq!(answer.status(), 200, "the code is exchanged");
    answer.json().await.expect("token JSON")
}

/// A string field of a JSON answer (which must have it).
pub fn text<'a>(answer: &'a Value, name: &str) -> &'a str {
    answer[name]
        .as_str()
        .unwrap_or_else(|| panic!("{name} in {answer}"))
}

/// A person signed up and in (on `app.client`) who allowed `client`: a vault to ask about
/// tokens, and the person's first tokens for the client.
pub async fn signed_in_with_tokens(app: &TestApp, client: &TestClient) -> (TestClient, Value) {
    app.signed_up_user().await;
    let vault = vault(app).await;
    (vault, tokens_for(app, client, &[]).await)
}

/// What asks for a refresh token that outlives the session (OpenID Connect Core §11).
pub const OFFLINE: &[(&str, &str)] = &[("scope", "openid offline_access"), ("prompt", "consent")];

/// `POST /oauth2/token` with `grant_type=refresh_token`, authenticating as `client`.
pub async fn refresh(
    app: &TestApp,
    client: &TestClient,
    refresh_token: &str,
    extra: &[(&str, &str)],
) -> reqwest::Response {
    client_post(
        app,
        "/oauth2/token",
        client,
        &[
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh_token),
            ],
            extra,
        ]
        .concat(),
    )
    .await
}

/// `POST /oauth2/introspect` for `token` as `caller`; the answer's JSON (which must be a 200).
pub async fn introspect(app: &TestApp, caller: &TestClient, token: &str) -> Value {
    let answer = client_post(app, "/oauth2/introspect", caller, &[("token", token)]).await;
    assert_eq!(answer.status(), 200, "introspection answers");
    answer.json().await.expect("introspection JSON")
}

/// True when introspection by `caller` says `token` is active.
pub async fn active(app: &TestApp, caller: &TestClient, token: &str) -> bool {
    let answer = introspect(app, caller, token).await;
    answer["active"].as_bool().expect("an active field")
}

/// A form POST to `path` from `client`'s server (HTTP Basic when it has a secret).
pub async fn client_post(
    app: &TestApp,
    path: &str,
    client: &TestClient,
    form: &[(&str, &str)],
) -> reqwest::Response {
    let mut form = form.to_vec();
    let mut call = reqwest::Client::new().post(app.url(path));
    match &client.secret {
        Some(secret) => call = call.basic_auth(&client.id, Some(secret)),
        None => form.push(("client_id", &client.id)),
    }
    call.form(&form).send().await.expect("request sent")
}

/// A PKCE verifier and its S256 challenge.
pub fn pkce() -> (String, String) {
    let verifier =
        URL_SAFE_NO_PAD.encode(uuid::Uuid::new_v4().as_bytes()) + "-and-some-more-entropy";
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

/// The standard request parameters for `client`, plus `extra` (which override).
pub fn request(client: &TestClient, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut params: Vec<(String, String)> = [
        ("response_type", "code"),
        ("client_id", client.id.as_str()),
        ("redirect_uri", REDIRECT_URI),
        ("scope", "openid email"),
        ("state", "state-123"),
        ("nonce", "nonce-456"),
    ]
    .into_iter()
    .filter(|(name, _)| !extra.iter().any(|(n, _)| n == name))
    .chain(extra.iter().copied())
    .map(|(n, v)| (n.to_owned(), v.to_owned()))
    .collect();
    params.retain(|(_, v)| !v.is_empty());
    params
}

/// `GET /oauth2/authorize` with `params`, as the app's browser.
pub async fn authorize(app: &TestApp, params: &[(String, String)]) -> reqwest::Response {
    app.client
        .get(app.url("/oauth2/authorize"))
        .query(params)
        .send()
        .await
        .expect("request sent")
}

/// Where a 302 points.
pub fn location(response: &reqwest::Response) -> String {
    assert_eq!(response.status(), 302, "a redirect");
    response.headers()["location"]
        .to_str()
        .expect("a readable location")
        .to_owned()
}

/// The query parameters of a redirect back to the client (it must go to `REDIRECT_URI`).
pub fn client_got(response: &reqwest::Response) -> std::collections::HashMap<String, String> {
    let target = location(response);
    assert!(target.starts_with(REDIRECT_URI), "{target}");
    Url::parse(&target)
        .expect("an absolute URL")
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// Answers the consent page for the request that led to `consent` (a redirect to it).
pub async fn decide(
    app: &TestApp,
    consent: &reqwest::Response,
    decision: &str,
) -> reqwest::Response {
    let target = location(consent);
    assert!(target.starts_with("/oauth2/consent?"), "{target}");
    let page = app.page(&target).await;
    assert!(page.contains("Allow"), "{page}");
    let mut form: Vec<(String, String)> = Url::parse(&app.url(&target))
        .unwrap()
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    form.push(("decision".into(), decision.into()));
    app.client
        .post(app.url("/oauth2/consent"))
        .header("accept", "text/html")
        .form(&form)
        .send()
        .await
        .expect("request sent")
}

/// Signed in on `app`: authorize `client` with `extra`, allow when asked; the code.
pub async fn code_for(app: &TestApp, client: &TestClient, extra: &[(&str, &str)]) -> String {
    let mut answer = authorize(app, &request(client, extra)).await;
    if location(&answer).starts_with("/oauth2/consent?") {
        answer = decide(app, &answer, "allow").await;
    }
    let got = client_got(&answer);
    assert_eq!(got.get("error"), None, "{got:?}");
    got["code"].clone()
}

/// `POST /oauth2/token` for `code`, authenticating as `client` with HTTP Basic when it has a
/// secret; `extra` adds or overrides parameters.
pub async fn exchange(
    app: &TestApp,
    client: &TestClient,
    code: &str,
    extra: &[(&str, &str)],
) -> reqwest::Response {
    let mut form: Vec<(&str, &str)> = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", REDIRECT_URI),
    ];
    form.retain(|(name, _)| !extra.iter().any(|(n, _)| n == name));
    form.extend(extra.iter().copied());
    form.retain(|(_, v)| !v.is_empty());
    let mut call = reqwest::Client::new().post(app.url("/oauth2/token"));
    match &client.secret {
        Some(secret) => call = call.basic_auth(&client.id, Some(secret)),
        None => form.push(("client_id", &client.id)),
    }
    call.form(&form).send().await.expect("request sent")
}

/// The JSON error code of an OAuth error answer.
pub async fn oauth_error(response: reqwest::Response) -> String {
    let body: Value = response.json().await.expect("a JSON error");
    body["error"].as_str().expect("an error code").to_owned()
}

/// `token`'s claims, verified with the key the JWKS publishes for its `kid` (RS256).
pub async fn verified(app: &TestApp, token: &str, audience: &str) -> Value {
    let header = jsonwebtoken::decode_header(token).expect("a JWT header");
    assert_eq!(header.alg, Algorithm::RS256);
    let set: JwkSet = app
        .get("/.well-known/jwks.json")
        .await
        .json()
        .await
        .expect("the JWKS");
    let jwk = set
        .find(header.kid.as_deref().expect("a kid"))
        .expect("the key is published");
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_issuer(&[&app.address]);
    validation.set_audience(&[audience]);
    jsonwebtoken::decode::<Value>(token, &DecodingKey::from_jwk(jwk).unwrap(), &validation)
        .expect("verifies with the published key")
        .claims
}
