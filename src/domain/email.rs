//! `Email`: trimmed, lower-cased, at most 254 characters, syntax checked.

use std::fmt;

use email_address::EmailAddress;

use super::ValidationError;

/// RFC 5321's practical maximum for a whole address.
pub const EMAIL_MAX_LEN: usize = 254;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let email = raw.trim().to_lowercase();
        if email.is_empty() {
            return Err(ValidationError::EmailMissing);
        }
        if email.chars().count() > EMAIL_MAX_LEN {
            return Err(ValidationError::EmailTooLong);
        }
        // A dot in the domain rejects typos like `me@gmail` that RFC 5322 would allow.
        let domain_has_dot = email
            .rsplit_once('@')
            .is_some_and(|(_, domain)| domain.contains('.'));
        if !EmailAddress::is_valid(&email) || !domain_has_dot {
            return Err(ValidationError::EmailMalformed);
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
    use crate::domain::Field;

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
            let err = Email::parse(bad).expect_err(bad);
            assert_eq!(err.field(), Field::Email, "{bad:?}");
        }
    }

    #[test]
    fn emails_longer_than_254_characters_are_refused() {
        let long = format!("{}@example.com", "a".repeat(250));
        assert_eq!(Email::parse(&long), Err(ValidationError::EmailTooLong));
        let fits = format!("{}@example.com", "a".repeat(64));
        assert!(Email::parse(&fits).is_ok());
    }
}
