//! `GET|POST /oauth2/userinfo` (OpenID Connect Core §5.3): the claims of the access token's
//! holder, by scope. The token comes in `Authorization: Bearer` or, on POST, in the form body
//! (RFC 6750 §2.1, §2.2; never both); refusals follow RFC 6750 §3.

use axum::{
    body::Bytes,
    extract::State,
    http::{header, request::Parts, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde_json::{json, Map, Value};

use super::{super::extract::bearer_token, replies::no_store};
use crate::{
    error::AppError,
    server::{
        badge::KeyAlgorithm,
        oauth::{
            authorization::Params,
            tokens::{self, AccessClaims, ACCESS_TOKEN_TYPE},
            Scopes,
        },
        state::AppState,
    },
};

pub async fn by_get(State(state): State<AppState>, parts: Parts) -> Response {
    match bearer_token(&parts) {
        Ok(token) => claims_for(&state, token).await,
        Err(refusal) => header_refusal(&refusal),
    }
}

pub async fn by_post(State(state): State<AppState>, parts: Parts, body: Bytes) -> Response {
    let form = form_token(&parts, &body);
    match (bearer_token(&parts), form) {
        (Ok(_), Some(_)) => refusal(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "send the token one way: the Authorization header or the body",
        ),
        (Ok(token), None) => claims_for(&state, token).await,
        (Err(AppError::MissingToken), Some(token)) => claims_for(&state, &token).await,
        (Err(refused), _) => header_refusal(&refused),
    }
}

/// `access_token` from a form-encoded body (RFC 6750 §2.2).
fn form_token(parts: &Parts, body: &[u8]) -> Option<String> {
    let form = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !form {
        return None;
    }
    let (params, _) = Params::from_pairs(form_urlencoded::parse(body));
    params.get("access_token").map(str::to_owned)
}

async fn claims_for(state: &AppState, token: &str) -> Response {
    let claims: AccessClaims = match state
        .badges
        .verify_signed(token, KeyAlgorithm::Rs256, ACCESS_TOKEN_TYPE)
        .await
    {
        Ok(claims) => claims,
        Err(refused) => return invalid_token(&refused.to_string()),
    };
    let holder = match tokens::holder(&state.db, &claims.jti).await {
        Ok(Some(holder)) if holder.id == claims.sub => holder,
        Ok(_) => return invalid_token("The access token was revoked"),
        Err(error) => {
            tracing::error!(%error, "userinfo could not read the database");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    let scopes = Scopes::parse(&holder.scope);
    if !scopes.has("openid") {
        return refusal(
            StatusCode::FORBIDDEN,
            "insufficient_scope",
            "the access token was not issued with the openid scope",
        );
    }
    let mut claims = Map::new();
    claims.insert("sub".into(), Value::from(holder.id));
    if scopes.has("email") {
        claims.insert("email".into(), Value::from(holder.email));
        claims.insert(
            "email_verified".into(),
            Value::from(holder.email_verified_at.is_some()),
        );
    }
    no_store(Json(Value::Object(claims)).into_response())
}

/// No token at all: a bare challenge (RFC 6750 §3.1); a malformed header: `invalid_request`.
fn header_refusal(refused: &AppError) -> Response {
    match refused {
        AppError::MissingToken => {
            let mut response = no_store(
                (
                    StatusCode::UNAUTHORIZED,
                    Json(json!({ "error": "invalid_request", "error_description": "no access token was sent" })),
                )
                    .into_response(),
            );
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"badge\""),
            );
            response
        }
        AppError::InvalidToken { reason } => invalid_token(reason),
        other => refusal(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            &other.to_string(),
        ),
    }
}

fn invalid_token(description: &str) -> Response {
    refusal(StatusCode::UNAUTHORIZED, "invalid_token", description)
}

/// An RFC 6750 §3 error: the JSON body and the `WWW-Authenticate` challenge that names it.
fn refusal(status: StatusCode, error: &str, description: &str) -> Response {
    let mut response = no_store(
        (
            status,
            Json(json!({ "error": error, "error_description": description })),
        )
            .into_response(),
    );
    // The description is ours, but keep the quoted-string valid whatever it says.
    let quoted = description.replace(['"', '\\'], "'");
    if let Ok(value) = HeaderValue::from_str(&format!(
        "Bearer realm=\"badge\", error=\"{error}\", error_description=\"{quoted}\""
    )) {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, value);
    }
    response
}
