//! `/api/token` mints badges for sessions; `/api/hello-world` accepts only valid ones.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Value};

use crate::helpers::{
    claims_for, jwt_part, spawn_app, spawn_app_with, unix_now, TestApp, TEST_SECRET,
};

async fn hello(app: &TestApp, authorization: Option<&str>) -> reqwest::Response {
    let mut request = app.client.get(app.url("/api/hello-world"));
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    request.send().await.unwrap()
}

fn sign(alg: Algorithm, claims: &Value, secret: &[u8]) -> String {
    jsonwebtoken::encode(&Header::new(alg), claims, &EncodingKey::from_secret(secret)).unwrap()
}

#[tokio::test]
async fn a_badge_needs_a_session() {
    let app = spawn_app().await;

    let response = app.get("/api/token").await;

    assert_eq!(response.status(), 401);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({ "error": "No session" })
    );
}

#[tokio::test]
async fn a_badge_carries_exactly_the_documented_claims_for_the_signed_in_user() {
    let app = spawn_app().await;
    let email = app.signed_up_user().await;
    let user_id = app.session().await["id"].as_str().unwrap().to_owned();

    let response = app.get("/api/token").await;

    assert_eq!(response.headers()["cache-control"], "no-store");
    let token = response.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let header = jwt_part(&token, 0);
    assert_eq!(
        (header["alg"].as_str(), header["typ"].as_str()),
        (Some("HS256"), Some("JWT"))
    );
    let claims = jwt_part(&token, 1);
    let mut names: Vec<_> = claims.as_object().unwrap().keys().cloned().collect();
    names.sort();
    assert_eq!(
        names,
        [
            "amr",
            "email",
            "email_verified",
            "exp",
            "iat",
            "iss",
            "sid",
            "sub"
        ],
        "no aud by default"
    );
    let sessions: Value = app
        .post_form("/api/auth/sessions", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(claims["sid"], sessions[0]["id"], "sid: the session's id");
    assert_eq!(
        claims["email_verified"], false,
        "a new account is not verified yet"
    );
    assert_eq!(claims["sub"], user_id.as_str());
    assert_eq!(claims["email"], email.as_str());
    assert_eq!(claims["iss"], app.address.as_str());
    let (iat, exp) = (
        claims["iat"].as_i64().unwrap(),
        claims["exp"].as_i64().unwrap(),
    );
    assert!((unix_now() - iat).abs() <= 5);
    assert_eq!(exp - iat, 15 * 60);
    // The secret alone verifies it, as any standard library would.
    let mut validation = jsonwebtoken::Validation::new(Algorithm::HS256);
    validation.set_issuer(&[&app.address]);
    jsonwebtoken::decode::<Value>(
        &token,
        &jsonwebtoken::DecodingKey::from_secret(TEST_SECRET.as_bytes()),
        &validation,
    )
    .expect("verifies with the shared secret");
}

#[tokio::test]
async fn a_configured_audience_and_ttl_appear_in_the_badge() {
    let app = spawn_app_with(|vars| {
        vars.insert("JWT_AUDIENCE", "the-vault".into());
        vars.insert("JWT_TTL", "2m".into());
    })
    .await;
    app.signed_up_user().await;

    let token = app.badge().await;

    let claims = jwt_part(&token, 1);
    assert_eq!(claims["aud"], "the-vault");
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        120
    );
    assert_eq!(
        hello(&app, Some(&format!("Bearer {token}"))).await.status(),
        200
    );
}

#[tokio::test]
async fn hello_world_with_a_valid_badge_answers_the_exact_json() {
    let app = spawn_app().await;
    let email = app.signed_up_user().await;
    let user_id = app.session().await["id"].as_str().unwrap().to_owned();
    let token = app.badge().await;

    let response = hello(&app, Some(&format!("Bearer {token}"))).await;

    assert_eq!(response.status(), 200);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({ "message": "Hello World! You are authorized.", "your_user_id": user_id, "your_email": email })
    );
}

#[tokio::test]
async fn a_lowercase_bearer_scheme_is_accepted() {
    let app = spawn_app().await;
    app.signed_up_user().await;
    let token = app.badge().await;

    assert_eq!(
        hello(&app, Some(&format!("bearer {token}"))).await.status(),
        200
    );
}

#[tokio::test]
async fn hello_world_without_credentials_is_401_with_a_bare_challenge() {
    let app = spawn_app().await;

    for authorization in [None, Some(""), Some("Basic dXNlcjpwYXNz")] {
        let response = hello(&app, authorization).await;

        assert_eq!(response.status(), 401, "{authorization:?}");
        assert_eq!(
            response.headers()["www-authenticate"],
            r#"Bearer realm="badge""#
        );
        assert!(response.json::<Value>().await.unwrap()["error"].is_string());
    }
}

#[tokio::test]
async fn every_bad_badge_is_401_invalid_token_and_the_server_stays_healthy() {
    let app = spawn_app().await;
    let secret = TEST_SECRET.as_bytes();
    let good = claims_for(&app);
    let with = |patch: Value| {
        let mut claims = good.clone();
        for (k, v) in patch.as_object().unwrap() {
            if v.is_null() {
                claims.as_object_mut().unwrap().remove(k);
            } else {
                claims[k] = v.clone();
            }
        }
        sign(Algorithm::HS256, &claims, secret)
    };
    let b64 = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());
    let valid = with(json!({}));
    let tampered = {
        let parts: Vec<&str> = valid.split('.').collect();
        let mut claims = good.clone();
        claims["sub"] = json!("someone-else");
        format!("{}.{}.{}", parts[0], b64(&claims), parts[2])
    };
    let not_an_object = {
        let header = b64(&json!({ "alg": "HS256", "typ": "JWT" }));
        let payload = URL_SAFE_NO_PAD.encode("[1,2,3]");
        hmac_sha256_sign(&header, &payload, secret)
    };

    let battery: Vec<(&str, String)> = vec![
        (
            "alg none",
            format!(
                "{}.{}.",
                b64(&json!({ "alg": "none", "typ": "JWT" })),
                b64(&good)
            ),
        ),
        (
            "HS384 with the right secret",
            sign(Algorithm::HS384, &good, secret),
        ),
        (
            "HS512 with the right secret",
            sign(Algorithm::HS512, &good, secret),
        ),
        (
            "RS256 header with garbage",
            format!(
                "{}.{}.{}",
                b64(&json!({ "alg": "RS256", "typ": "JWT" })),
                b64(&good),
                "Z2FyYmFnZQ"
            ),
        ),
        (
            "another secret",
            sign(
                Algorithm::HS256,
                &good,
                b"another-secret-that-is-also-32-bytes-long",
            ),
        ),
        ("payload changed after signing", tampered),
        (
            "expired",
            with(json!({ "iat": unix_now() - 7200, "exp": unix_now() - 3600 })),
        ),
        (
            "nbf in the future",
            with(json!({ "nbf": unix_now() + 3600 })),
        ),
        (
            "iat in the future",
            with(json!({ "iat": unix_now() + 3600, "exp": unix_now() + 7200 })),
        ),
        ("wrong iss", with(json!({ "iss": "https://evil.example" }))),
        (
            "aud when none is configured",
            with(json!({ "aud": "someone" })),
        ),
        ("missing exp", with(json!({ "exp": null }))),
        ("missing sub", with(json!({ "sub": null }))),
        ("missing email", with(json!({ "email": null }))),
        ("empty email", with(json!({ "email": "" }))),
        ("a crit header", sign_with_crit(&good, secret)),
        ("not three segments", "abc.def".to_owned()),
        ("not base64", "!!!.@@@.###".to_owned()),
        ("JSON that is not an object", not_an_object),
        (
            "an 8 KB token",
            format!("{}.{}.{}", "a".repeat(4096), "b".repeat(4096), "c"),
        ),
    ];

    for (name, token) in &battery {
        let response = hello(&app, Some(&format!("Bearer {token}"))).await;
        assert_invalid_token(name, response).await;
    }
    assert_invalid_token("Bearer with no token", hello(&app, Some("Bearer ")).await).await;
    let two_headers = app
        .client
        .get(app.url("/api/hello-world"))
        .header("authorization", format!("Bearer {valid}"))
        .header("authorization", format!("Bearer {valid}"))
        .send()
        .await
        .unwrap();
    assert_invalid_token("two Authorization headers", two_headers).await;

    assert_eq!(app.get("/healthz").await.status(), 200);
    assert_eq!(
        hello(&app, Some(&format!("Bearer {valid}"))).await.status(),
        200,
        "the control token"
    );
}

async fn assert_invalid_token(name: &str, response: reqwest::Response) {
    assert_eq!(response.status(), 401, "{name}");
    let challenge = response.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        challenge.starts_with(r#"Bearer realm="badge", error="invalid_token""#),
        "{name}: {challenge}"
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "invalid_token", "{name}");
    assert!(
        body["error_description"]
            .as_str()
            .is_some_and(|d| !d.is_empty()),
        "{name}"
    );
}

/// Signs an arbitrary (possibly non-object) payload with HS256, which jsonwebtoken refuses to do.
fn hmac_sha256_sign(header: &str, payload: &str, secret: &[u8]) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret).unwrap();
    mac.update(format!("{header}.{payload}").as_bytes());
    let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
    format!("{header}.{payload}.{signature}")
}

/// A valid HS256 badge whose header says the `exp` header parameter is critical (RFC 7515).
fn sign_with_crit(claims: &Value, secret: &[u8]) -> String {
    let header = Header {
        crit: Some(vec!["exp".into()]),
        ..Header::new(Algorithm::HS256)
    };
    jsonwebtoken::encode(&header, claims, &EncodingKey::from_secret(secret)).unwrap()
}

#[tokio::test]
async fn a_badge_naming_critical_header_parameters_or_an_empty_email_is_401_saying_why() {
    let app = spawn_app().await;
    let secret = TEST_SECRET.as_bytes();
    let good = claims_for(&app);
    let mut empty_email = good.clone();
    empty_email["email"] = json!("");
    let b64 = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());
    let crit_null = hmac_sha256_sign(
        &b64(&json!({ "alg": "HS256", "typ": "JWT", "crit": null })),
        &b64(&good),
        secret,
    );
    let cases = [
        (sign_with_crit(&good, secret), "critical header parameters"),
        (crit_null, "critical header parameters"),
        (
            sign(Algorithm::HS256, &empty_email, secret),
            "missing the required claim email",
        ),
    ];

    assert_eq!(
        app.hello_status(&sign(Algorithm::HS256, &good, secret))
            .await,
        200
    );
    for (token, reason) in cases {
        assert_eq!(app.hello_status(&token).await, 401, "{reason}");
        let response = hello(&app, Some(&format!("Bearer {token}"))).await;
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"], "invalid_token");
        let description = body["error_description"].as_str().unwrap_or_default();
        assert!(description.contains(reason), "{reason}: {description}");
    }
}

#[tokio::test]
async fn a_wrong_audience_is_refused_when_one_is_configured() {
    let app = spawn_app_with(|vars| {
        vars.insert("JWT_AUDIENCE", "the-vault".into());
    })
    .await;
    let mut claims = claims_for(&app);
    claims["aud"] = json!("another-vault");

    let response = hello(
        &app,
        Some(&format!(
            "Bearer {}",
            sign(Algorithm::HS256, &claims, TEST_SECRET.as_bytes())
        )),
    )
    .await;

    assert_invalid_token("wrong aud", response).await;
}

#[tokio::test]
async fn cors_preflight_is_allowed_for_trusted_origins_only() {
    let app = spawn_app_with(|vars| {
        vars.insert("TRUSTED_ORIGINS", "https://app.example.com".into());
    })
    .await;
    let preflight = |origin: &'static str, path: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, app.url(path))
            .header("origin", origin)
            .header("access-control-request-method", "GET")
            .header("access-control-request-headers", "authorization")
            .send()
    };

    for path in ["/api/hello-world", "/api/token"] {
        let trusted = preflight("https://app.example.com", path).await.unwrap();
        let other = preflight("https://evil.example", path).await.unwrap();

        assert_eq!(
            trusted.headers()["access-control-allow-origin"],
            "https://app.example.com"
        );
        assert!(trusted.headers()["access-control-allow-headers"]
            .to_str()
            .unwrap()
            .contains("authorization"));
        assert!(
            !other.headers().contains_key("access-control-allow-origin"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn a_badge_with_padded_base64url_segments_is_401() {
    use base64::engine::general_purpose::URL_SAFE;
    let app = spawn_app().await;
    let secret = TEST_SECRET.as_bytes();
    let b64 = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());
    let padded = |segment: &str| URL_SAFE.encode(URL_SAFE_NO_PAD.decode(segment).unwrap());
    // For each segment, a badge whose segment's length needs padding (an unknown header member
    // and an extra claim vary the lengths), then the same badge with that segment padded: the
    // same bytes, but RFC 7515 base64url has no `=`.
    let mut cases = Vec::new();
    for index in 0..3 {
        for extra in ["", "x", "xx"] {
            let header = json!({ "alg": "HS256", "typ": "JWT", "x": extra });
            let mut claims = claims_for(&app);
            claims["pad"] = json!(extra);
            let token = hmac_sha256_sign(&b64(&header), &b64(&claims), secret);
            let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
            if padded(&parts[index]) != parts[index] {
                parts[index] = padded(&parts[index]);
                cases.push((index, token, parts.join(".")));
                break;
            }
        }
    }
    assert_eq!(cases.len(), 3, "each segment padded once");

    for (index, token, with_padding) in cases {
        assert_eq!(
            app.hello_status(&token).await,
            200,
            "segment {index} as signed"
        );
        assert_eq!(
            app.hello_status(&with_padding).await,
            401,
            "segment {index} padded"
        );
    }
}
