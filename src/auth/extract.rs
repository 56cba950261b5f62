//! Axum extractors named for what they guarantee: `SessionUser` (a valid session cookie) and
//! `BearerClaims` (a valid badge in `Authorization: Bearer …`).

use axum::{
    extract::FromRequestParts,
    http::{header, request::Parts},
};
use tower_cookies::Cookies;

use crate::{
    api::error::ApiError,
    auth::{service, token::Claims, User},
    error::AppError,
    state::AppState,
};

/// The user signed in by the request's session cookie.
pub struct SessionUser(pub User);

impl FromRequestParts<AppState> for SessionUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let cookies = Cookies::from_request_parts(parts, state)
            .await
            .map_err(|(_, message)| ApiError::internal(anyhow::anyhow!(message)))?;
        match service::user_from_cookie(state, &cookies).await {
            Ok(Some(user)) => Ok(Self(user)),
            Ok(None) => Err(ApiError::NoSession),
            // The cause is already logged by the service.
            Err(AppError::Unavailable) => Err(ApiError::Unavailable),
            Err(other) => Err(ApiError::internal(anyhow::anyhow!(other))),
        }
    }
}

/// The verified claims of the request's bearer badge.
pub struct BearerClaims(pub Claims);

impl FromRequestParts<AppState> for BearerClaims {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer_token(parts)?;
        Ok(Self(state.tokens.verify(token)?))
    }
}

/// The token of the single `Authorization: Bearer` header (scheme matched case-insensitively,
/// RFC 7235). No header, a blank one or another scheme is "no credentials"; two headers or an
/// empty token is a bad token.
fn bearer_token(parts: &Parts) -> Result<&str, ApiError> {
    let mut values = parts.headers.get_all(header::AUTHORIZATION).iter();
    let (Some(value), None) = (values.next(), values.next()) else {
        return Err(if parts.headers.contains_key(header::AUTHORIZATION) {
            ApiError::InvalidToken("Send exactly one Authorization header".into())
        } else {
            ApiError::MissingToken
        });
    };
    let value = value
        .to_str()
        .map_err(|_| ApiError::InvalidToken("The token is malformed".into()))?
        .trim();
    if value.is_empty() {
        return Err(ApiError::MissingToken);
    }
    let (scheme, token) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(ApiError::MissingToken);
    }
    let token = token.trim();
    if token.is_empty() {
        return Err(ApiError::InvalidToken("The bearer token is empty".into()));
    }
    Ok(token)
}
