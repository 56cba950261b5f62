//! `GET /healthz`: 200 while the database answers, 503 otherwise (for load balancers).

use axum::{extract::State, routing::get, Json, Router};
use serde_json::{json, Value};

use crate::{
    error::AppError,
    server::{db, state::AppState},
};

pub fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(health))
}

async fn health(State(state): State<AppState>) -> Result<Json<Value>, AppError> {
    if db::is_healthy(&state.db).await {
        Ok(Json(json!({ "status": "ok" })))
    } else {
        tracing::warn!("health check failed: the database does not answer");
        Err(AppError::Unavailable)
    }
}
