//! `GET /api/hello-world`: the vault. Answers only a valid badge.

use axum::{routing::get, Json, Router};
use serde::Serialize;

use crate::{auth::extract::BearerClaims, state::AppState};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/hello-world", get(hello_world))
}

#[derive(Serialize)]
struct Hello {
    message: &'static str,
    your_user_id: String,
    your_email: String,
}

async fn hello_world(BearerClaims(claims): BearerClaims) -> Json<Hello> {
    Json(Hello {
        message: "Hello World! You are authorized.",
        your_user_id: claims.sub,
        your_email: claims.email,
    })
}
