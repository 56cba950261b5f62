//! Why an input was refused, and which form field it is about.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{EMAIL_MAX_LEN, PASSKEY_NAME_MAX_CHARS, PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS};

/// The form field a validation error is about (`field` on the wire).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Email,
    Password,
    /// The account page's change-password form.
    NewPassword,
    /// The account page's Passkey name.
    PasskeyName,
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Field::Email => "email",
            Field::Password => "password",
            Field::NewPassword => "new_password",
            Field::PasskeyName => "passkey_name",
        })
    }
}

/// An input that breaks a rule; `Display` is the sentence shown beside the form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ValidationError {
    #[error("Email is required")]
    EmailMissing,
    #[error("Email must be at most {EMAIL_MAX_LEN} characters")]
    EmailTooLong,
    #[error("Enter a valid email address, like name@example.com")]
    EmailMalformed,
    /// Zero-width, bidi-override and control characters: invisible on screen, so they would let
    /// two accounts look alike and could reorder log lines.
    #[error("Email must not contain invisible or direction-changing characters")]
    EmailInvisibleCharacters,
    #[error("Password must be at least {PASSWORD_MIN_CHARS} characters")]
    PasswordTooShort,
    #[error("Password must be at most {PASSWORD_MAX_CHARS} characters")]
    PasswordTooLong,
    #[error("Passkey name must be at most {PASSKEY_NAME_MAX_CHARS} characters")]
    PasskeyNameTooLong,
    #[error("Passkey name must not contain invisible or direction-changing characters")]
    PasskeyNameInvisibleCharacters,
}

impl ValidationError {
    /// Every rule, for turning a message back into the rule it states (`AppError::untrusted`).
    pub const ALL: [Self; 8] = [
        Self::EmailMissing,
        Self::EmailTooLong,
        Self::EmailMalformed,
        Self::EmailInvisibleCharacters,
        Self::PasswordTooShort,
        Self::PasswordTooLong,
        Self::PasskeyNameTooLong,
        Self::PasskeyNameInvisibleCharacters,
    ];

    pub fn field(self) -> Field {
        match self {
            Self::EmailMissing
            | Self::EmailTooLong
            | Self::EmailMalformed
            | Self::EmailInvisibleCharacters => Field::Email,
            Self::PasswordTooShort | Self::PasswordTooLong => Field::Password,
            Self::PasskeyNameTooLong | Self::PasskeyNameInvisibleCharacters => Field::PasskeyName,
        }
    }
}
