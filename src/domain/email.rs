//! `Email`: trimmed, lower-cased, at most 254 characters, syntax checked.

use std::fmt;

use email_address::EmailAddress;

use super::EMAIL_MAX_LEN;
use crate::error::{AppError, Field};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let email = raw.trim().to_lowercase();
        if email.is_empty() {
            return Err(AppError::validation(Field::Email, "Email is required"));
        }
        if email.chars().count() > EMAIL_MAX_LEN {
            return Err(AppError::validation(
                Field::Email,
                format!("Email must be at most {EMAIL_MAX_LEN} characters"),
            ));
        }
        // A dot in the domain rejects typos like `me@gmail` that RFC 5322 would allow.
        let domain_has_dot = email
            .rsplit_once('@')
            .is_some_and(|(_, domain)| domain.contains('.'));
        if !EmailAddress::is_valid(&email) || !domain_has_dot {
            return Err(AppError::validation(
                Field::Email,
                "Enter a valid email address, like name@example.com",
            ));
        }
        Ok(Self(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_and_lower_cased() {
        assert_eq!(
            Email::parse("  Ada@Example.COM ").unwrap().as_str(),
            "ada@example.com"
        );
    }

    #[test]
    fn malformed_emails_are_refused_naming_the_field() {
        for bad in [
            "",
            "   ",
            "plain",
            "a@",
            "@b.com",
            "a b@c.com",
            "me@gmail",
            "a@@b.com",
        ] {
            match Email::parse(bad) {
                Err(AppError::Validation {
                    field: Field::Email,
                    ..
                }) => {}
                other => panic!("{bad:?} gave {other:?}"),
            }
        }
    }

    #[test]
    fn emails_longer_than_254_characters_are_refused() {
        let long = format!("{}@example.com", "a".repeat(250));
        assert!(Email::parse(&long).is_err());
        let fits = format!("{}@example.com", "a".repeat(64));
        assert!(Email::parse(&fits).is_ok());
    }
}
