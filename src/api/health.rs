//! `GET /healthz`: 200 while the database answers, 503 otherwise (for load balancers).

use axum::{extract::State, http::StatusCode, routing::get, Json, Router};
use serde_json::{json, Value};

use crate::{db, state::AppState};

pub fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(health))
}

async fn health(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    if db::is_healthy(&state.db).await {
        (StatusCode::OK, Json(json!({ "status": "ok" })))
    } else {
        tracing::warn!("health check failed: database does not answer");
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "unavailable", "error": "Database unavailable" })),
        )
    }
}
