//! `GET /api/hello-world`: the vault. Answers only a valid badge.

use axum::{routing::get, Json, Router};

use super::extract::BearerClaims;
use crate::{server::state::AppState, wire::Hello};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/hello-world", get(hello_world))
}

async fn hello_world(BearerClaims(claims): BearerClaims) -> Json<Hello> {
    Json(Hello::to(claims.sub, claims.email))
}
