//! `GET /bench/ceiling` (feature `bench` only, never in a normal build): the hello-world body
//! with no authentication, so `make bench` can measure what verifying a badge costs.

use axum::{routing::get, Json, Router};

use crate::{server::state::AppState, wire::Hello};

pub fn router() -> Router<AppState> {
    Router::new().route("/bench/ceiling", get(ceiling))
}

async fn ceiling() -> Json<Hello> {
    Json(Hello::to(
        "00000000-0000-4000-8000-000000000000".to_owned(),
        "bench@example.com".to_owned(),
    ))
}
