//! `Password`: the password policy (8 to 128 characters), checked before any hashing.
//! Deliberately not `Serialize`, and `Debug` never shows it (`secrecy`).

use secrecy::{ExposeSecret, SecretString};

use super::ValidationError;

/// OWASP: at least 8; the upper bound keeps hashing cost bounded.
pub const PASSWORD_MIN_CHARS: usize = 8;
pub const PASSWORD_MAX_CHARS: usize = 128;

#[derive(Debug)]
pub struct Password(SecretString);

impl Password {
    pub fn parse(raw: String) -> Result<Self, ValidationError> {
        let chars = raw.chars().count();
        if chars < PASSWORD_MIN_CHARS {
            return Err(ValidationError::PasswordTooShort);
        }
        if chars > PASSWORD_MAX_CHARS {
            return Err(ValidationError::PasswordTooLong);
        }
        Ok(Self(raw.into()))
    }

    /// The password itself, for hashing only.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Field;

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
        assert_eq!(err.field(), Field::Password);
    }

    #[test]
    fn debug_never_shows_the_password() {
        let password = Password::parse("correct horse battery".into()).unwrap();
        assert!(!format!("{password:?}").contains("horse"));
    }
}
