//! `POST /oauth2/introspect` (RFC 7662): is this token active, and for whom? The caller
//! authenticates as a confidential or introspection-only client (a public client cannot keep a
//! secret, so it cannot introspect); `token_type_hint` is accepted and not needed.

use axum::{
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    Json,
};

use super::{
    client_auth::{token_call, unavailable, Refused},
    replies::no_store,
};
use crate::server::{
    oauth::{clients::ClientKind, introspection},
    state::AppState,
};

pub async fn introspect(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match answer(&state, &headers, &body).await {
        Ok(response) => response,
        Err(refused) => refused.into_response(),
    }
}

async fn answer(state: &AppState, headers: &HeaderMap, body: &[u8]) -> Result<Response, Refused> {
    let (client, token) = token_call(state, headers, body).await?;
    if client.kind == ClientKind::Public {
        return Err(Refused {
            status: StatusCode::UNAUTHORIZED,
            error: "invalid_client",
            description: "a public client cannot introspect tokens".into(),
            basic: false,
        });
    }
    let answer = introspection::introspect(&state.db, &state.badges, &client, &token)
        .await
        .map_err(|e| unavailable(&e))?;
    metrics::counter!("badge_oauth_introspections_total", "active" => answer.active.to_string())
        .increment(1);
    Ok(no_store(Json(answer).into_response()))
}
