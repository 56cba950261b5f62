//! `GET /api/hello-world` with `Authorization: Bearer <badge>`: verify (HS256 with the shared
//! secret, or EdDSA with the keys of Badge's JWKS), answer the hello-world JSON. Nothing else:
//! the floor Badge's own route is measured against.
//!
//! Environment: PORT, BADGE_ISSUER, and BADGE_SECRET (HS256) or BADGE_JWKS_URL (EdDSA).

use std::{collections::HashMap, env, sync::Arc};

use axum::{
    extract::State,
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Json, Router,
};
use jsonwebtoken::{decode, decode_header, jwk::JwkSet, Algorithm, DecodingKey, Validation};
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
struct Claims {
    sub: String,
    email: String,
}

#[derive(Serialize)]
struct Hello<'a> {
    message: &'a str,
    your_user_id: String,
    your_email: String,
}

enum Keys {
    Hs256(DecodingKey),
    EdDsa(HashMap<String, DecodingKey>),
}

struct Verifier {
    keys: Keys,
    validation: Validation,
}

async fn hello(State(verifier): State<Arc<Verifier>>, headers: HeaderMap) -> Response {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let Some(token) = token else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let key = match &verifier.keys {
        Keys::Hs256(key) => Some(key),
        Keys::EdDsa(keys) => decode_header(token)
            .ok()
            .and_then(|h| h.kid)
            .and_then(|kid| keys.get(&kid)),
    };
    let Some(key) = key else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    match decode::<Claims>(token, key, &verifier.validation) {
        Ok(data) => Json(Hello {
            message: "Hello World! You are authorized.",
            your_user_id: data.claims.sub,
            your_email: data.claims.email,
        })
        .into_response(),
        Err(_) => StatusCode::UNAUTHORIZED.into_response(),
    }
}

#[tokio::main]
async fn main() {
    let port = env::var("PORT").expect("PORT");
    let issuer = env::var("BADGE_ISSUER").expect("BADGE_ISSUER");
    let (keys, algorithm) = match env::var("BADGE_JWKS_URL") {
        Ok(url) => (Keys::EdDsa(fetch_jwks(&url).await), Algorithm::EdDSA),
        Err(_) => {
            let secret = env::var("BADGE_SECRET").expect("BADGE_SECRET or BADGE_JWKS_URL");
            (
                Keys::Hs256(DecodingKey::from_secret(secret.as_bytes())),
                Algorithm::HS256,
            )
        }
    };
    let mut validation = Validation::new(algorithm);
    validation.set_issuer(&[issuer]);
    validation.set_required_spec_claims(&["exp", "sub", "iss"]);
    let verifier = Arc::new(Verifier { keys, validation });
    let app = Router::new()
        .route("/api/hello-world", get(hello))
        .with_state(verifier);
    let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}"))
        .await
        .expect("bind");
    axum::serve(listener, app).await.expect("serve");
}

/// The JWKS, read once at start with a bare HTTP/1.1 GET (no client library needed).
async fn fetch_jwks(url: &str) -> HashMap<String, DecodingKey> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let rest = url.strip_prefix("http://").expect("an http:// JWKS URL");
    let (host, path) = rest.split_once('/').expect("a path");
    let mut stream = tokio::net::TcpStream::connect(host).await.expect("connect");
    let request = format!("GET /{path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.expect("send");
    let mut response = String::new();
    stream.read_to_string(&mut response).await.expect("read");
    let body = response.split_once("\r\n\r\n").expect("a body").1;
    let set: JwkSet = serde_json::from_str(body).expect("a JWKS");
    set.keys
        .iter()
        .filter_map(|jwk| Some((jwk.common.key_id.clone()?, DecodingKey::from_jwk(jwk).ok()?)))
        .collect()
}
