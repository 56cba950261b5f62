//! `AppError` on the wire: the JSON shape curl users, mobile apps and the browser read.

use serde::{Deserialize, Serialize};

use super::AppError;
use crate::domain::Field;

/// The JSON shape on the wire, for curl users and mobile apps too:
/// `{"error": "validation", "message": "…", "field": "email"}`. Two shapes are fixed by the
/// public contract: `{"error": "No session"}` and RFC 6750's
/// `{"error": "invalid_token", "error_description": "…"}`.
#[derive(Serialize, Deserialize)]
pub(super) struct WireError {
    error: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    field: Option<Field>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    retry_after_secs: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    error_description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    origin: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expected_origin: Option<String>,
}

impl From<AppError> for WireError {
    fn from(error: AppError) -> Self {
        let mut wire = Self {
            error: error.code().to_owned(),
            message: Some(error.to_string()),
            field: None,
            retry_after_secs: None,
            error_description: None,
            origin: None,
            expected_origin: None,
        };
        match error {
            AppError::Validation { field, .. } => wire.field = Some(field),
            AppError::RateLimited { retry_after_secs } => {
                wire.retry_after_secs = Some(retry_after_secs)
            }
            AppError::NoSession => wire.message = None,
            AppError::ForbiddenOrigin { origin, expected } => {
                wire.origin = origin;
                wire.expected_origin = Some(expected);
            }
            AppError::InvalidToken { reason } => {
                wire.message = None;
                wire.error_description = Some(reason);
            }
            _ => {}
        }
        wire
    }
}

impl From<WireError> for AppError {
    fn from(wire: WireError) -> Self {
        match (wire.error.as_str(), wire.field, wire.retry_after_secs) {
            ("validation", Some(field), _) => Self::Validation {
                field,
                message: wire.message.unwrap_or_default(),
            },
            ("bad_request", ..) => Self::BadRequest,
            ("invalid_credentials", ..) => Self::InvalidCredentials,
            ("wrong_password", ..) => Self::WrongPassword,
            ("session_not_found", ..) => Self::SessionNotFound,
            ("No session", ..) => Self::NoSession,
            ("missing_token", ..) => Self::MissingToken,
            ("invalid_token", ..) => match wire.error_description {
                Some(reason) => Self::InvalidToken { reason },
                None => Self::InvalidLink,
            },
            ("email_not_verified", ..) => Self::EmailNotVerified,
            ("forbidden_origin", ..) => Self::ForbiddenOrigin {
                origin: wire.origin,
                expected: wire.expected_origin.unwrap_or_default(),
            },
            ("email_taken", ..) => Self::EmailTaken,
            ("invalid_code", ..) => Self::InvalidCode,
            ("challenge_expired", ..) => Self::ChallengeExpired,
            ("two_factor_on", ..) => Self::TwoFactorOn,
            ("two_factor_off", ..) => Self::TwoFactorOff,
            // One code for both directions, as the contract has it; the status tells them apart
            // for API callers, and the browser only needs the words.
            ("invalid_passkey", ..) => Self::PasskeyRefused,
            ("passkey_not_found", ..) => Self::PasskeyNotFound,
            ("passkeys_unavailable", ..) => Self::PasskeysUnavailable,
            ("last_way_in", ..) => Self::LastWayIn,
            ("provider_not_connected", ..) => Self::ProviderNotConnected,
            ("app_not_connected", ..) => Self::AppNotConnected,
            ("rate_limited", _, Some(retry_after_secs)) => Self::RateLimited { retry_after_secs },
            ("unavailable", ..) => Self::Unavailable,
            ("unreachable", ..) => Self::Unreachable,
            // `internal`, and any code this build does not know.
            _ => Self::Internal,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ValidationError;
    use serde_json::json;

    #[test]
    fn every_error_survives_the_wire() {
        for error in [
            ValidationError::PasswordTooShort.into(),
            AppError::BadRequest,
            AppError::InvalidCredentials,
            AppError::WrongPassword,
            AppError::SessionNotFound,
            AppError::InvalidLink,
            AppError::EmailNotVerified,
            AppError::NoSession,
            AppError::MissingToken,
            AppError::InvalidToken {
                reason: "The token has expired".into(),
            },
            AppError::ForbiddenOrigin {
                origin: Some("https://evil.example".into()),
                expected: "http://127.0.0.1:3000".into(),
            },
            AppError::ForbiddenOrigin {
                origin: None,
                expected: "http://127.0.0.1:3000".into(),
            },
            AppError::EmailTaken,
            AppError::InvalidCode,
            AppError::ChallengeExpired,
            AppError::TwoFactorOn,
            AppError::TwoFactorOff,
            AppError::PasskeyRefused,
            AppError::PasskeyNotFound,
            AppError::PasskeysUnavailable,
            AppError::LastWayIn,
            AppError::ProviderNotConnected,
            AppError::AppNotConnected,
            AppError::RateLimited {
                retry_after_secs: 7,
            },
            AppError::Internal,
            AppError::Unavailable,
            AppError::Unreachable,
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
        let json = serde_json::to_value(AppError::from(ValidationError::EmailMalformed)).unwrap();
        assert_eq!(
            json,
            json!({"error": "validation", "message": "Enter a valid email address, like name@example.com", "field": "email"})
        );
    }

    #[test]
    fn the_contract_fixes_the_no_session_and_invalid_token_bodies() {
        assert_eq!(
            serde_json::to_value(AppError::NoSession).unwrap(),
            json!({"error": "No session"})
        );
        let invalid = AppError::InvalidToken {
            reason: "The token has expired".into(),
        };
        assert_eq!(
            serde_json::to_value(invalid).unwrap(),
            json!({"error": "invalid_token", "error_description": "The token has expired"})
        );
    }

    #[test]
    fn an_unknown_code_reads_as_an_internal_error_not_as_its_text() {
        let error: AppError = serde_json::from_value(json!({"error": "Bad Gateway"})).unwrap();
        assert_eq!(error, AppError::Internal);
    }
}
