//! `GET /api/token`: a fresh badge for the signed-in user.

use axum::extract::State;
use axum::{
    http::{header, HeaderValue},
    response::{IntoResponse, Response},
    routing::get,
    Json, Router,
};
use serde_json::json;

use crate::{api::error::ApiError, auth::extract::SessionUser, state::AppState};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/token", get(issue_token))
}

#[tracing::instrument(skip_all, fields(user_id = %user.id))]
async fn issue_token(
    State(state): State<AppState>,
    SessionUser(user): SessionUser,
) -> Result<Response, ApiError> {
    let token = state.tokens.mint(&user).map_err(ApiError::internal)?;
    // A bearer credential: never stored by the browser or any cache on the way.
    let mut response = Json(json!({ "token": token })).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}
