//! `Password`: 8 to 128 characters, checked before any hashing. Deliberately not `Serialize`
//! and never printed.

use std::fmt;

use super::{PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS};
use crate::error::{AppError, Field};

pub struct Password(String);

impl Password {
    pub fn parse(raw: String) -> Result<Self, AppError> {
        let chars = raw.chars().count();
        if chars < PASSWORD_MIN_CHARS {
            return Err(AppError::validation(
                Field::Password,
                format!("Password must be at least {PASSWORD_MIN_CHARS} characters"),
            ));
        }
        if chars > PASSWORD_MAX_CHARS {
            return Err(AppError::validation(
                Field::Password,
                format!("Password must be at most {PASSWORD_MAX_CHARS} characters"),
            ));
        }
        Ok(Self(raw))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_policy_is_8_to_128_characters() {
        assert!(Password::parse("a".repeat(7)).is_err());
        assert!(Password::parse("a".repeat(8)).is_ok());
        assert!(Password::parse("a".repeat(128)).is_ok());
        assert!(Password::parse("a".repeat(129)).is_err());
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        assert!(Password::parse("é".repeat(8)).is_ok());
        assert!(Password::parse("é".repeat(128)).is_ok());
    }

    #[test]
    fn errors_name_the_password_field() {
        let err = Password::parse("short".into()).unwrap_err();
        assert!(matches!(
            err,
            AppError::Validation {
                field: Field::Password,
                ..
            }
        ));
    }

    #[test]
    fn debug_never_shows_the_password() {
        let password = Password::parse("correct horse battery".into()).unwrap();
        assert!(!format!("{password:?}").contains("horse"));
    }
}
