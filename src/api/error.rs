//! `ApiError`: the JSON API's errors. Every answer is `{"error": …}`; 401s carry the RFC 6750
//! `WWW-Authenticate` challenge; 5xx causes are logged and never sent.

use axum::{
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde_json::json;

use crate::auth::token::TokenError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// `/api/token` without a valid session cookie.
    #[error("No session")]
    NoSession,
    /// No credentials for this scheme: the challenge carries no error code (RFC 6750 §3.1).
    #[error("Missing bearer token")]
    MissingToken,
    /// A token was sent but is bad in some way.
    #[error("Invalid token: {0}")]
    InvalidToken(String),
    #[error("Service unavailable")]
    Unavailable,
    #[error("Internal server error")]
    Internal(#[source] anyhow::Error),
}

impl From<TokenError> for ApiError {
    fn from(error: TokenError) -> Self {
        Self::InvalidToken(error.to_string())
    }
}

impl ApiError {
    pub fn internal(cause: impl Into<anyhow::Error>) -> Self {
        Self::Internal(cause.into())
    }

    fn status(&self) -> StatusCode {
        match self {
            Self::NoSession | Self::MissingToken | Self::InvalidToken(_) => {
                StatusCode::UNAUTHORIZED
            }
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn challenge(&self) -> Option<String> {
        match self {
            Self::MissingToken => Some(r#"Bearer realm="badge""#.to_owned()),
            Self::InvalidToken(description) => Some(format!(
                r#"Bearer realm="badge", error="invalid_token", error_description="{}""#,
                // Quoted-string: keep it to printable ASCII without quotes or backslashes.
                description.replace(
                    |c: char| c == '"' || c == '\\' || !c.is_ascii() || c.is_ascii_control(),
                    ""
                )
            )),
            _ => None,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let Self::Internal(cause) = &self {
            tracing::error!(error = %format!("{cause:#}"), "internal error in the JSON API");
        }
        let body = match &self {
            Self::InvalidToken(description) => {
                json!({ "error": "invalid_token", "error_description": description })
            }
            other => json!({ "error": other.to_string() }),
        };
        let mut response = (self.status(), Json(body)).into_response();
        if let Some(challenge) = self
            .challenge()
            .and_then(|c| HeaderValue::from_str(&c).ok())
        {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, challenge);
        }
        response
    }
}
