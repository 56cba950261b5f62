//! `AppError`: the one error vocabulary, shared by the server functions, the JSON routes and the
//! browser. Each variant has a stable machine code, one HTTP status and one message a person may
//! read. Causes of server faults never travel: the server logs them (`server::error`) and sends
//! `internal` or `unavailable`. The JSON shape is in `wire`.

use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

use crate::domain::{Field, ValidationError};
use wire::WireError;

mod wire;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(into = "WireError", from = "WireError")]
pub enum AppError {
    /// 400: the input is wrong; `message` says how, `field` says where.
    #[error("{message}")]
    Validation { field: Field, message: String },
    /// 400: the request itself could not be understood (missing or garbled arguments).
    #[error("The request could not be understood. Please reload the page and try again.")]
    BadRequest,
    /// 401: the same for an unknown email and a wrong password, on purpose.
    #[error("Invalid email or password")]
    InvalidCredentials,
    /// 401: the password a signed-in person confirmed an account change with is wrong.
    #[error("That password is not correct.")]
    WrongPassword,
    /// 400 `invalid_token`: a mailed link (verification, reset) that is unknown, used or expired.
    #[error("This link is invalid, has expired or was already used. Ask for a new one.")]
    InvalidLink,
    /// 403 with `REQUIRE_EMAIL_VERIFICATION`: the password was right, the email is not verified.
    #[error("Verify your email address first: we have sent a new link to it.")]
    EmailNotVerified,
    /// 404: the session to revoke is not one of the caller's (or has ended already).
    #[error("That session was not found. It may have ended already.")]
    SessionNotFound,
    /// 401 from `/api/token`: no valid session cookie. The body is fixed by the contract.
    #[error("You are not signed in.")]
    NoSession,
    /// 401 from a bearer route without credentials: the challenge carries no error (RFC 6750 §3.1).
    #[error("A badge is required (Authorization: Bearer <token>).")]
    MissingToken,
    /// 401 from a bearer route: a badge was sent but refused; `reason` goes to `error_description`.
    #[error("The badge was not accepted.")]
    InvalidToken { reason: String },
    /// 403: the request did not come from this site or a trusted origin. Says which origin came
    /// (`None`: the request named none), which one was expected, and what would allow it.
    #[error("{}", forbidden_origin_message(origin.as_deref(), expected))]
    ForbiddenOrigin {
        origin: Option<String>,
        expected: String,
    },
    /// 409
    #[error("An account with this email already exists")]
    EmailTaken,
    /// 400 `invalid_code`: the code that should turn two-factor authentication on is wrong.
    #[error("That code is not right. Check the time on your phone and try the newest code.")]
    InvalidCode,
    /// 401 `invalid_code`: the second factor at sign-in is wrong (the same words).
    #[error("That code is not right. Check the time on your phone and try the newest code.")]
    WrongCode,
    /// 401: the sign-in's second step is missing, expired, used, or had 5 wrong codes.
    #[error("This sign-in has expired. Start over with your email and password.")]
    ChallengeExpired,
    /// 409: two-factor authentication is on already (turn it off first to set it up anew).
    #[error("Two-factor authentication is already on.")]
    TwoFactorOn,
    /// 409: two-factor authentication is off (there are no backup codes to renew).
    #[error("Two-factor authentication is off.")]
    TwoFactorOff,
    /// 400 `invalid_passkey`: the new passkey's answer was not accepted.
    #[error("That passkey could not be added. Try again, or use another passkey.")]
    InvalidPasskey,
    /// 401 `invalid_passkey`: a passkey sign-in that failed (unknown or removed passkey, wrong
    /// site, an expired or used ceremony).
    #[error(
        "That passkey was not accepted: it is not registered here, or it was removed. Sign in with your email and password."
    )]
    PasskeyRefused,
    /// 404: the passkey to remove is not one of the caller's (or is gone already).
    #[error("That passkey was not found. It may have been removed already.")]
    PasskeyNotFound,
    /// 409: this site has no name passkeys could be bound to (an IP address).
    #[error(
        "Passkeys are not available on this site: its address is an IP address. The operator sets SITE_URL to a name."
    )]
    PasskeysUnavailable,
    /// 409 `last_way_in`: disconnecting this provider would leave no way to sign in.
    #[error(
        "That is your only way to sign in. Set a password (Forgot password?) or add a passkey first."
    )]
    LastWayIn,
    /// 404: the provider to disconnect is not connected.
    #[error("That provider is not connected to your account.")]
    ProviderNotConnected,
    /// 404: the app to revoke is not connected (revoked already, or never allowed).
    #[error("That app is not connected to your account. It may have been revoked already.")]
    AppNotConnected,
    /// 429, with `Retry-After`.
    #[error("Too many attempts. Try again in {retry_after_secs} seconds.")]
    RateLimited { retry_after_secs: u64 },
    /// 500: the cause is in the server log, never here.
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
    /// 503: the database is unreachable; retrying later will work.
    #[error("The service is temporarily unavailable. Please try again shortly.")]
    Unavailable,
    /// Browser only: the request never reached the server, or its answer never came back.
    #[error("Could not reach the server. Check your connection and try again.")]
    Unreachable,
}

/// A refused origin explains itself: what came, what was expected, which variables allow more.
fn forbidden_origin_message(origin: Option<&str>, expected: &str) -> String {
    if expected.is_empty() {
        // Only a status came back (a proxy's page, say): nothing more is known.
        return "This request did not come from a trusted page.".into();
    }
    let came = match origin {
        Some(origin) => format!("This request came from {origin}"),
        None => "This request did not say which page it came from (no Origin header)".into(),
    };
    format!(
        "{came}, but this site is {expected}. To accept requests from another origin, set \
         SITE_URL to the site's public URL or add the origin to TRUSTED_ORIGINS."
    )
}

/// `Email::parse` and `Password::parse` say what is wrong; this says it on the wire.
impl From<ValidationError> for AppError {
    fn from(error: ValidationError) -> Self {
        Self::Validation {
            field: error.field(),
            message: error.to_string(),
        }
    }
}

impl AppError {
    /// A validation error about another form field than the one it names (a new password, say).
    pub fn about(field: Field, error: ValidationError) -> Self {
        Self::Validation {
            field,
            message: error.to_string(),
        }
    }

    /// This error as it may be shown when it came from somewhere anyone can write, such as a
    /// link's `__err` parameter: only our own sentences. A validation message that is not one
    /// of our rules, and the origins and reasons other errors carry, are replaced by fixed text.
    pub fn untrusted(self) -> Self {
        match self {
            Self::Validation { field, message } => {
                match ValidationError::ALL
                    .iter()
                    .find(|rule| rule.to_string() == message)
                {
                    Some(rule) => Self::about(field, *rule),
                    None => Self::BadRequest,
                }
            }
            Self::ForbiddenOrigin { .. } => Self::ForbiddenOrigin {
                origin: None,
                expected: String::new(),
            },
            Self::InvalidToken { .. } => Self::InvalidToken {
                reason: String::new(),
            },
            Self::RateLimited { retry_after_secs } => Self::RateLimited {
                retry_after_secs: retry_after_secs.min(3600),
            },
            other => other,
        }
    }

    /// The HTTP status this error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            Self::Validation { .. }
            | Self::BadRequest
            | Self::InvalidLink
            | Self::InvalidCode
            | Self::InvalidPasskey => 400,
            Self::InvalidCredentials
            | Self::WrongPassword
            | Self::WrongCode
            | Self::ChallengeExpired
            | Self::PasskeyRefused
            | Self::NoSession
            | Self::MissingToken
            | Self::InvalidToken { .. } => 401,
            Self::ForbiddenOrigin { .. } | Self::EmailNotVerified => 403,
            Self::SessionNotFound
            | Self::PasskeyNotFound
            | Self::ProviderNotConnected
            | Self::AppNotConnected => 404,
            Self::EmailTaken
            | Self::TwoFactorOn
            | Self::TwoFactorOff
            | Self::PasskeysUnavailable
            | Self::LastWayIn => 409,
            Self::RateLimited { .. } => 429,
            Self::Internal => 500,
            Self::Unavailable | Self::Unreachable => 503,
        }
    }

    /// The stable machine-readable code: the `error` field on the wire.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Validation { .. } => "validation",
            Self::BadRequest => "bad_request",
            Self::InvalidCredentials => "invalid_credentials",
            Self::WrongPassword => "wrong_password",
            // The contract's code for a bad mailed link; unlike a refused badge (401), it
            // carries a `message` rather than an `error_description`.
            Self::InvalidLink => "invalid_token",
            Self::EmailNotVerified => "email_not_verified",
            Self::SessionNotFound => "session_not_found",
            // Fixed by the public contract of `/api/token` (`{"error": "No session"}`).
            Self::NoSession => "No session",
            Self::MissingToken => "missing_token",
            Self::InvalidToken { .. } => "invalid_token",
            Self::ForbiddenOrigin { .. } => "forbidden_origin",
            Self::EmailTaken => "email_taken",
            Self::InvalidCode | Self::WrongCode => "invalid_code",
            Self::ChallengeExpired => "challenge_expired",
            Self::TwoFactorOn => "two_factor_on",
            Self::TwoFactorOff => "two_factor_off",
            Self::InvalidPasskey | Self::PasskeyRefused => "invalid_passkey",
            Self::PasskeyNotFound => "passkey_not_found",
            Self::PasskeysUnavailable => "passkeys_unavailable",
            Self::LastWayIn => "last_way_in",
            Self::ProviderNotConnected => "provider_not_connected",
            Self::AppNotConnected => "app_not_connected",
            Self::RateLimited { .. } => "rate_limited",
            Self::Internal => "internal",
            Self::Unavailable => "unavailable",
            Self::Unreachable => "unreachable",
        }
    }

    /// The error for a status whose body was not ours (a proxy's error page, say).
    pub fn from_status(status: u16) -> Self {
        match status {
            400 | 413 => Self::BadRequest,
            401 => Self::NoSession,
            403 => Self::ForbiddenOrigin {
                origin: None,
                expected: String::new(),
            },
            429 => Self::RateLimited {
                retry_after_secs: 1,
            },
            502..=504 => Self::Unavailable,
            _ => Self::Internal,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => Self::Unreachable,
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => Self::BadRequest,
            _ => Self::Internal,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn untrusted_errors_keep_only_our_sentences() {
        let planted = AppError::Validation {
            field: Field::Email,
            message: "Your account is locked. Call +1 555 0100".into(),
        };
        assert_eq!(planted.untrusted(), AppError::BadRequest);
        let ours = AppError::from(ValidationError::PasswordTooShort);
        assert_eq!(ours.clone().untrusted(), ours);
        let origin = AppError::ForbiddenOrigin {
            origin: Some("https://evil.example".into()),
            expected: "Visit evil.example".into(),
        };
        assert!(!origin.untrusted().to_string().contains("evil"));
    }

    proptest::proptest! {
        #[test]
        fn any_error_in_the_url_reads_as_one_of_our_errors(data in proptest::collection::vec(proptest::num::u8::ANY, 0..200), json in "\\{\"error\": ?\"[a-z_]{0,20}\".*\\}") {
            for bytes in [data, json.into_bytes()] {
                let error = AppError::de(bytes.into());
                let _ = error.untrusted().to_string();
            }
        }
    }
}
