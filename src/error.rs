//! `AppError`: the errors a server function may return, shared by server and browser.
//! Each variant has one HTTP status and one message a person may read; internal causes are
//! logged on the server and never sent.

use std::fmt;

use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

/// The form field a validation error is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Email,
    Password,
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Field::Email => "email",
            Field::Password => "password",
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(into = "WireError", from = "WireError")]
pub enum AppError {
    /// 400: the input is wrong; `message` says how, `field` says where.
    #[error("{message}")]
    Validation { field: Field, message: String },
    /// 409
    #[error("An account with this email already exists")]
    EmailTaken,
    /// 401: the same for an unknown email and a wrong password, on purpose.
    #[error("Invalid email or password")]
    InvalidCredentials,
    /// 429, with `Retry-After`.
    #[error("Too many attempts. Try again in {retry_after_secs} seconds.")]
    RateLimited { retry_after_secs: u64 },
    /// 403: the request did not come from this site or a trusted origin.
    #[error("This request did not come from a trusted page")]
    ForbiddenOrigin,
    /// 503: the database is unreachable; retrying later will work.
    #[error("The service is temporarily unavailable. Please try again shortly.")]
    Unavailable,
    /// 500: the cause is in the server log, never here.
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
    /// The request could not be made or understood (network, encoding, missing arguments).
    #[error("{0}")]
    Request(String),
}

impl AppError {
    pub fn validation(field: Field, message: impl Into<String>) -> Self {
        Self::Validation {
            field,
            message: message.into(),
        }
    }

    /// The HTTP status this error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            Self::Validation { .. } | Self::Request(_) => 400,
            Self::InvalidCredentials => 401,
            Self::ForbiddenOrigin => 403,
            Self::EmailTaken => 409,
            Self::RateLimited { .. } => 429,
            Self::Internal => 500,
            Self::Unavailable => 503,
        }
    }

    /// A stable machine-readable code, the `error` field on the wire.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Validation { .. } => "validation",
            Self::EmailTaken => "email_taken",
            Self::InvalidCredentials => "invalid_credentials",
            Self::RateLimited { .. } => "rate_limited",
            Self::ForbiddenOrigin => "forbidden_origin",
            Self::Internal => "internal",
            Self::Unavailable => "unavailable",
            Self::Request(_) => "bad_request",
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        Self::Request(value.to_string())
    }
}

/// The JSON shape on the wire, readable by curl users and mobile apps too:
/// `{"error": "validation", "message": "…", "field": "email"}`.
#[derive(Serialize, Deserialize)]
struct WireError {
    error: String,
    message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    field: Option<Field>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    retry_after_secs: Option<u64>,
}

impl From<AppError> for WireError {
    fn from(error: AppError) -> Self {
        let (field, retry_after_secs) = match &error {
            AppError::Validation { field, .. } => (Some(*field), None),
            AppError::RateLimited { retry_after_secs } => (None, Some(*retry_after_secs)),
            _ => (None, None),
        };
        Self {
            error: error.code().to_owned(),
            message: error.to_string(),
            field,
            retry_after_secs,
        }
    }
}

impl From<WireError> for AppError {
    fn from(wire: WireError) -> Self {
        match (wire.error.as_str(), wire.field, wire.retry_after_secs) {
            ("validation", Some(field), _) => Self::Validation {
                field,
                message: wire.message,
            },
            ("email_taken", ..) => Self::EmailTaken,
            ("invalid_credentials", ..) => Self::InvalidCredentials,
            ("rate_limited", _, Some(retry_after_secs)) => Self::RateLimited { retry_after_secs },
            ("forbidden_origin", ..) => Self::ForbiddenOrigin,
            ("internal", ..) => Self::Internal,
            ("unavailable", ..) => Self::Unavailable,
            _ => Self::Request(wire.message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_survives_the_wire() {
        for error in [
            AppError::validation(Field::Password, "Password must be at least 8 characters"),
            AppError::EmailTaken,
            AppError::InvalidCredentials,
            AppError::RateLimited {
                retry_after_secs: 7,
            },
            AppError::ForbiddenOrigin,
            AppError::Internal,
            AppError::Unavailable,
            AppError::Request("missing argument".into()),
        ] {
            let json = serde_json::to_string(&error).unwrap();
            assert_eq!(
                serde_json::from_str::<AppError>(&json).unwrap(),
                error,
                "{json}"
            );
        }
    }

    #[test]
    fn the_wire_shape_names_code_message_and_field() {
        let json = serde_json::to_value(AppError::validation(Field::Email, "Enter a valid email"))
            .unwrap();
        assert_eq!(
            json,
            serde_json::json!({"error": "validation", "message": "Enter a valid email", "field": "email"})
        );
    }
}
