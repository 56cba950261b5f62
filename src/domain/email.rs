//! `Email`: NFKC-normalised, trimmed, lower-cased, free of invisible characters, at most 254
//! characters, syntax checked.

use std::fmt;

use email_address::EmailAddress;
use unicode_normalization::UnicodeNormalization;

use super::ValidationError;

/// RFC 5321's practical maximum for a whole address.
pub const EMAIL_MAX_LEN: usize = 254;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        // NFKC folds look-alike forms (fullwidth `ａ`, `＠`, ligatures) into one spelling, so
        // they cannot make a second account; lower-casing can leave a few letters unnormalised
        // (`Ϊ` + U+0301 → `ϊ` + U+0301, which composes to `ΐ`), hence the second pass.
        let normalised: String = raw.nfkc().collect();
        let email: String = normalised.trim().to_lowercase().nfkc().collect();
        if email.is_empty() {
            return Err(ValidationError::EmailMissing);
        }
        if email.chars().any(is_invisible) {
            return Err(ValidationError::EmailInvisibleCharacters);
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

/// Control characters (Unicode category Cc) and format characters (Cf): zero-width spaces and
/// joiners, bidi marks, embeddings, overrides and isolates, soft hyphens, byte-order marks, tags.
pub(super) fn is_invisible(c: char) -> bool {
    c.is_control() || FORMAT_CHARACTERS.iter().any(|range| range.contains(&c))
}

/// Every code point of general category Cf (Unicode 15).
const FORMAT_CHARACTERS: [std::ops::RangeInclusive<char>; 21] = [
    '\u{00AD}'..='\u{00AD}',
    '\u{0600}'..='\u{0605}',
    '\u{061C}'..='\u{061C}',
    '\u{06DD}'..='\u{06DD}',
    '\u{070F}'..='\u{070F}',
    '\u{0890}'..='\u{0891}',
    '\u{08E2}'..='\u{08E2}',
    '\u{180E}'..='\u{180E}',
    '\u{200B}'..='\u{200F}',
    '\u{202A}'..='\u{202E}',
    '\u{2060}'..='\u{2064}',
    '\u{2066}'..='\u{206F}',
    '\u{FEFF}'..='\u{FEFF}',
    '\u{FFF9}'..='\u{FFFB}',
    '\u{110BD}'..='\u{110BD}',
    '\u{110CD}'..='\u{110CD}',
    '\u{13430}'..='\u{1343F}',
    '\u{1BCA0}'..='\u{1BCA3}',
    '\u{1D173}'..='\u{1D17A}',
    '\u{E0001}'..='\u{E0001}',
    '\u{E0020}'..='\u{E007F}',
];

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

    #[test]
    fn fullwidth_and_other_compatibility_forms_normalise_to_the_ascii_address() {
        for variant in [
            "\u{ff41}\u{ff44}\u{ff41}@example.com",
            "\u{ff21}\u{ff24}\u{ff21}@\u{ff45}\u{ff58}\u{ff41}\u{ff4d}\u{ff50}\u{ff4c}\u{ff45}.com",
            "ada\u{ff20}example\u{ff0e}com",
        ] {
            assert_eq!(
                Email::parse(variant).map(|e| e.as_str().to_owned()),
                Ok("ada@example.com".to_owned()),
                "{variant:?}"
            );
        }
    }

    #[test]
    fn parsing_a_parsed_email_changes_nothing() {
        for raw in [
            "\u{1d2c}da@example.com",
            "\u{fb01}@example.com",
            // Lower-casing `Ϊ` before a combining acute leaves a pair NFKC composes to `ΐ`.
            "\u{03aa}\u{0301}da@example.com",
        ] {
            let once = Email::parse(raw).unwrap();
            assert_eq!(Email::parse(once.as_str()), Ok(once.clone()), "{raw:?}");
        }
    }

    #[test]
    fn invisible_direction_changing_and_control_characters_are_refused() {
        let invisible = [
            '\u{00ad}', '\u{200b}', '\u{200c}', '\u{200d}', '\u{200e}', '\u{200f}', '\u{202a}',
            '\u{202b}', '\u{202c}', '\u{202d}', '\u{202e}', '\u{2060}', '\u{2061}', '\u{2062}',
            '\u{2063}', '\u{2064}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}', '\u{feff}',
            '\u{0000}', '\u{0007}', '\u{001b}', '\u{007f}', '\u{0085}', '\u{009b}',
        ];
        for c in invisible {
            for raw in [format!("ada{c}@example.com"), format!("ada@exam{c}ple.com")] {
                let err = Email::parse(&raw).expect_err(&raw);
                assert_eq!(err, ValidationError::EmailInvisibleCharacters, "{raw:?}");
                assert_eq!(err.field(), Field::Email);
            }
        }
        assert_eq!(
            ValidationError::EmailInvisibleCharacters.to_string(),
            "Email must not contain invisible or direction-changing characters"
        );
    }

    proptest::proptest! {
        #[test]
        fn any_typed_email_is_refused_or_parses_to_itself(typed in "\\PC{0,80}") {
            if let Ok(email) = Email::parse(&typed) {
                let again = Email::parse(email.as_str()).expect("a parsed email parses again");
                proptest::prop_assert_eq!(again.as_str(), email.as_str());
            }
        }
    }
}
