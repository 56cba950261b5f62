//! `GET /.well-known/jwks.json` (and `GET /api/auth/jwks`, the path Better Auth users know): the
//! public keys that verify badges, cacheable for five minutes.

use axum::{
    extract::State,
    http::{header, HeaderValue},
    response::{IntoResponse, Response},
    routing::get,
    Json, Router,
};

use crate::server::state::AppState;

/// Verifiers may cache the key set this long; key rotation publishes a new key at least twice
/// this long before it signs (DESIGN "Keys and JWKS").
const CACHE_CONTROL: &str = "public, max-age=300";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/.well-known/jwks.json", get(jwks))
        .route("/api/auth/jwks", get(jwks))
}

async fn jwks(State(state): State<AppState>) -> Response {
    let mut response = Json(state.badges.public_keys()).into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(CACHE_CONTROL),
    );
    response
}
