//! `PasskeyName`: what a person calls one of their passkeys ("Work laptop"), shown on the
//! account page. Trimmed, at most 64 characters, nothing invisible (it is shown back to them).
//! Empty means "no name given": the server names it after the device instead.

use super::{email::is_invisible, ValidationError};

pub const PASSKEY_NAME_MAX_CHARS: usize = 64;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PasskeyName(String);

impl PasskeyName {
    /// The name given, or `None` when the field was left empty.
    pub fn parse(raw: &str) -> Result<Option<Self>, ValidationError> {
        let name = raw.trim();
        if name.is_empty() {
            return Ok(None);
        }
        if name.chars().count() > PASSKEY_NAME_MAX_CHARS {
            return Err(ValidationError::PasskeyNameTooLong);
        }
        if name.chars().any(is_invisible) {
            return Err(ValidationError::PasskeyNameInvisibleCharacters);
        }
        Ok(Some(Self(name.to_owned())))
    }

    /// A name made by the server (the device's, "Chrome on Linux"), cut to the limit.
    pub fn fallback(name: &str) -> Self {
        Self(
            name.chars()
                .filter(|c| !is_invisible(*c))
                .take(PASSKEY_NAME_MAX_CHARS)
                .collect(),
        )
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Field;

    #[test]
    fn names_are_trimmed_and_empty_means_none() {
        assert_eq!(PasskeyName::parse("  ").unwrap(), None);
        let name = PasskeyName::parse("  Work laptop ").unwrap().unwrap();
        assert_eq!(name.as_str(), "Work laptop");
    }

    #[test]
    fn long_and_invisible_names_are_refused_on_the_name_field() {
        let long = PasskeyName::parse(&"é".repeat(65)).unwrap_err();
        assert_eq!(long, ValidationError::PasskeyNameTooLong);
        assert_eq!(long.field(), Field::PasskeyName);
        assert!(PasskeyName::parse(&"é".repeat(64)).is_ok());
        let hidden = PasskeyName::parse("Laptop\u{202E}poT").unwrap_err();
        assert_eq!(hidden, ValidationError::PasskeyNameInvisibleCharacters);
    }

    #[test]
    fn a_fallback_name_fits_the_rules() {
        let name = PasskeyName::fallback(&format!("\u{200B}{}", "x".repeat(100)));
        assert_eq!(PasskeyName::parse(name.as_str()).unwrap(), Some(name));
    }
}
