//! Extractors for the JSON routes, named for what they guarantee: `SessionUser` (a valid
//! session cookie) and `BearerClaims` (a valid badge in `Authorization: Bearer …`).

use axum::{
    extract::FromRequestParts,
    http::{header, request::Parts},
};
use tower_cookies::Cookies;

use crate::{
    error::AppError,
    server::{accounts::sessions::ActiveSession, badge::Claims, error::Error, state::AppState},
};

/// The session of the request's cookie: who is signed in, how, and which session it is.
pub struct SessionUser(pub ActiveSession);

impl FromRequestParts<AppState> for SessionUser {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        let cookies = Cookies::from_request_parts(parts, state)
            .await
            .map_err(|(_, message)| Error::internal(anyhow::anyhow!(message)))?;
        state
            .session_cookie
            .signed_in(&state.accounts, &cookies)
            .await?
            .map(Self)
            .ok_or(Error::Client(AppError::NoSession))
    }
}

/// The verified claims of the request's bearer badge.
pub struct BearerClaims(pub Claims);

impl FromRequestParts<AppState> for BearerClaims {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        let token = bearer_token(parts)?;
        match state.badges.verify(token).await {
            Ok(claims) => Ok(Self(claims)),
            Err(refusal) => {
                metrics::counter!("badge_badges_refused_total", "reason" => refusal.code())
                    .increment(1);
                Err(refusal.into())
            }
        }
    }
}

fn invalid(reason: &str) -> AppError {
    AppError::InvalidToken {
        reason: reason.to_owned(),
    }
}

/// The token of the single `Authorization: Bearer` header (scheme matched case-insensitively,
/// RFC 7235). No header, a blank one or another scheme is "no credentials"; two headers or an
/// empty token is a bad token.
pub(super) fn bearer_token(parts: &Parts) -> Result<&str, AppError> {
    let mut values = parts.headers.get_all(header::AUTHORIZATION).iter();
    let (Some(value), None) = (values.next(), values.next()) else {
        return Err(if parts.headers.contains_key(header::AUTHORIZATION) {
            invalid("Send exactly one Authorization header")
        } else {
            AppError::MissingToken
        });
    };
    let value = value
        .to_str()
        .map_err(|_| invalid("The token is malformed"))?
        .trim();
    if value.is_empty() {
        return Err(AppError::MissingToken);
    }
    let (scheme, token) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(AppError::MissingToken);
    }
    let token = token.trim();
    if token.is_empty() {
        return Err(invalid("The bearer token is empty"));
    }
    Ok(token)
}
