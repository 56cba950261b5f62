//! `POST /oauth2/revoke` (RFC 7009): a client gives up one of its tokens. A refresh token ends
//! its whole grant (its family and the access tokens issued from it); an access token ends
//! alone. A token that is unknown, already gone or another client's is answered `200` all the
//! same (RFC 7009 §2.2), so the endpoint tells nobody which tokens exist.

use axum::{
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use jsonwebtoken::dangerous::insecure_decode;

use super::{
    client_auth::{only_introspects, token_call, unavailable, Refused},
    replies::no_store,
};
use crate::server::{
    oauth::{
        clients::ClientKind,
        refresh,
        tokens::{self, AccessClaims},
    },
    state::AppState,
};

pub async fn revoke(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    match answer(&state, &headers, &body).await {
        Ok(()) => no_store(StatusCode::OK.into_response()),
        Err(refused) => refused.into_response(),
    }
}

async fn answer(state: &AppState, headers: &HeaderMap, body: &[u8]) -> Result<(), Refused> {
    let (client, token) = token_call(state, headers, body).await?;
    if client.kind == ClientKind::Introspection {
        return Err(only_introspects());
    }
    // Which of the client's own tokens this is decides what ends; the signature does not matter
    // (a token is only ever revoked for the client it was issued to).
    let revoked = match insecure_decode::<AccessClaims>(&token) {
        Ok(data) => tokens::revoke(&state.db, &data.claims.jti, &client.client_id).await,
        Err(_) => refresh::revoke(&state.db, &token, &client.client_id).await,
    }
    .map_err(|e| unavailable(&e))?;
    if revoked {
        metrics::counter!("badge_oauth_revocations_total").increment(1);
    }
    Ok(())
}
