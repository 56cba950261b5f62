//! `GET /api/token`: a fresh badge for the signed-in user.

use axum::{
    extract::State,
    http::{header, HeaderValue},
    response::{IntoResponse, Response},
    routing::get,
    Json, Router,
};

use super::extract::SessionUser;
use crate::{
    server::{error::Error, state::AppState},
    wire::BadgeAnswer,
};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/token", get(issue_badge))
}

#[tracing::instrument(skip_all, fields(user_id = %signed_in.user.id))]
async fn issue_badge(
    State(state): State<AppState>,
    SessionUser(signed_in): SessionUser,
) -> Result<Response, Error> {
    let user = &signed_in.user;
    let token = state
        .badges
        .mint(
            &user.id,
            &user.email,
            user.email_verified,
            &signed_in.amr,
            Some(&signed_in.session_id),
        )
        .map_err(Error::internal)?;
    metrics::counter!("badge_badges_minted_total").increment(1);
    // A bearer credential: never stored by the browser or any cache on the way.
    let mut response = Json(BadgeAnswer { token }).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}
