//! The server side of the error vocabulary: `Error` is what handlers and server functions fail
//! with, a client error (`AppError`) or a fault with its cause. `Error::into_answer` is the one
//! place a fault is logged (with the request's span); the cause is never sent. `AppError`'s
//! `IntoResponse` gives every JSON route the same status, headers and body.

use axum::{
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};

use crate::{
    domain::ValidationError,
    error::AppError,
    server::{
        accounts::AccountError,
        badge::BadgeError,
        db,
        limits::{LimitError, RateLimited},
    },
};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Answered as it is (4xx).
    #[error("{0}")]
    Client(AppError),
    /// The database cannot be reached now; 503, retrying later works.
    #[error("database unavailable: {0}")]
    Unavailable(#[source] sqlx::Error),
    /// Anything else that should not happen; 500.
    #[error("{0:#}")]
    Internal(anyhow::Error),
}

impl Error {
    pub fn internal(cause: impl Into<anyhow::Error>) -> Self {
        Self::Internal(cause.into())
    }

    /// What the client is told. Logs a fault's cause: the one place that does.
    pub fn into_answer(self) -> AppError {
        match self {
            Self::Client(error) => error,
            Self::Unavailable(cause) => {
                tracing::warn!(error = %cause, "database unavailable");
                AppError::Unavailable
            }
            Self::Internal(cause) => {
                tracing::error!(error = %format!("{cause:#}"), "internal error");
                AppError::Internal
            }
        }
    }
}

impl From<AppError> for Error {
    fn from(error: AppError) -> Self {
        Self::Client(error)
    }
}

impl From<ValidationError> for Error {
    fn from(error: ValidationError) -> Self {
        Self::Client(error.into())
    }
}

impl From<RateLimited> for Error {
    fn from(limited: RateLimited) -> Self {
        Self::Client(AppError::RateLimited {
            retry_after_secs: limited.retry_after_secs,
        })
    }
}

impl From<LimitError> for Error {
    fn from(error: LimitError) -> Self {
        match error {
            LimitError::Limited(limited) => limited.into(),
            LimitError::Unavailable(error) => error.into(),
        }
    }
}

impl From<BadgeError> for Error {
    fn from(error: BadgeError) -> Self {
        Self::Client(AppError::InvalidToken {
            reason: error.to_string(),
        })
    }
}

/// "Unavailable" when the database cannot be reached (retryable), otherwise internal.
impl From<sqlx::Error> for Error {
    fn from(error: sqlx::Error) -> Self {
        if db::is_connectivity_error(&error) {
            Self::Unavailable(error)
        } else {
            Self::internal(error)
        }
    }
}

impl From<AccountError> for Error {
    fn from(error: AccountError) -> Self {
        match error {
            AccountError::EmailTaken => Self::Client(AppError::EmailTaken),
            AccountError::InvalidCredentials => Self::Client(AppError::InvalidCredentials),
            AccountError::WrongPassword => Self::Client(AppError::WrongPassword),
            AccountError::SessionNotFound => Self::Client(AppError::SessionNotFound),
            AccountError::InvalidLink => Self::Client(AppError::InvalidLink),
            AccountError::EmailNotVerified => Self::Client(AppError::EmailNotVerified),
            AccountError::TwoFactorOn => Self::Client(AppError::TwoFactorOn),
            AccountError::TwoFactorOff => Self::Client(AppError::TwoFactorOff),
            AccountError::InvalidCode => Self::Client(AppError::InvalidCode),
            AccountError::ChallengeExpired => Self::Client(AppError::ChallengeExpired),
            AccountError::PasskeysUnavailable => Self::Client(AppError::PasskeysUnavailable),
            AccountError::InvalidPasskey => Self::Client(AppError::InvalidPasskey),
            AccountError::PasskeyRefused => Self::Client(AppError::PasskeyRefused),
            AccountError::PasskeyNotFound => Self::Client(AppError::PasskeyNotFound),
            AccountError::Passkey(e) => Self::internal(anyhow::anyhow!(e)),
            AccountError::LastWayIn => Self::Client(AppError::LastWayIn),
            AccountError::ProviderNotConnected => Self::Client(AppError::ProviderNotConnected),
            // The provider's callback answers these with a page of its own (`api::oidc`).
            AccountError::ProviderEmailUnverified
            | AccountError::LocalEmailUnverified
            | AccountError::IdentityTaken
            | AccountError::ProviderConnectedAlready => Self::Client(AppError::BadRequest),
            AccountError::Sealing => {
                Self::internal(anyhow::anyhow!("sealing a two-factor secret failed"))
            }
            AccountError::Mail(e) => Self::internal(e),
            AccountError::Database(e) => e.into(),
            AccountError::Hashing(e) => Self::internal(e),
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        self.into_answer().into_response()
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut headers = axum::http::HeaderMap::new();
        if let Some(retry_after) = self.retry_after() {
            headers.insert(header::RETRY_AFTER, retry_after);
        }
        if let Some(challenge) = self.challenge() {
            headers.insert(header::WWW_AUTHENTICATE, challenge);
        }
        (status, headers, Json(self)).into_response()
    }
}

impl AppError {
    /// `Retry-After` for a rate-limited answer.
    pub fn retry_after(&self) -> Option<HeaderValue> {
        match self {
            Self::RateLimited { retry_after_secs } => Some(HeaderValue::from(*retry_after_secs)),
            _ => None,
        }
    }

    /// RFC 6750's `WWW-Authenticate` challenge for the bearer routes' 401s.
    fn challenge(&self) -> Option<HeaderValue> {
        match self {
            Self::MissingToken => Some(HeaderValue::from_static(r#"Bearer realm="badge""#)),
            Self::InvalidToken { reason } => HeaderValue::from_str(&format!(
                r#"Bearer realm="badge", error="invalid_token", error_description="{}""#,
                // Quoted-string: keep it to printable ASCII without quotes or backslashes.
                reason.replace(
                    |c: char| c == '"' || c == '\\' || !c.is_ascii() || c.is_ascii_control(),
                    ""
                )
            ))
            .ok(),
            _ => None,
        }
    }
}
