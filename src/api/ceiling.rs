//! `GET /bench/ceiling` (feature `bench` only, never in a normal build): the hello-world body
//! with no authentication, so `make bench` can measure what verifying a badge costs.

use axum::{routing::get, Json, Router};
use serde::Serialize;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/bench/ceiling", get(ceiling))
}

#[derive(Serialize)]
struct Hello {
    message: &'static str,
    your_user_id: String,
    your_email: String,
}

async fn ceiling() -> Json<Hello> {
    Json(Hello {
        message: "Hello World! You are authorized.",
        your_user_id: "00000000-0000-4000-8000-000000000000".to_owned(),
        your_email: "bench@example.com".to_owned(),
    })
}
