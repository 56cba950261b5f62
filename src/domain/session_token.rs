//! `SessionToken`: the secret a session cookie carries. 256 random bits, base64url; the
//! database keeps only its SHA-256, so a leaked table gives no sessions.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use rand::{rngs::OsRng, RngCore};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

/// Length of a base64url-encoded 256-bit value without padding.
const ENCODED_LEN: usize = 43;

/// 256 random bits from the operating system, base64url without padding: the one generator
/// behind session tokens and the generated `AUTH_SECRET`.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

#[derive(Debug)]
pub struct SessionToken(SecretString);

impl SessionToken {
    pub fn generate() -> Self {
        Self(random_token().into())
    }

    /// A cookie value that could be a token we issued; anything else is no session at all.
    pub fn parse(raw: &str) -> Option<Self> {
        let plausible = raw.len() == ENCODED_LEN
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        plausible.then(|| Self(raw.to_owned().into()))
    }

    /// The token itself, for the cookie only.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// SHA-256, hex: a fast hash is right here because the token already has 256 bits of entropy.
    pub fn hash(&self) -> String {
        format!("{:x}", Sha256::digest(self.expose().as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_256_bit_and_only_their_hash_is_kept() {
        let token = SessionToken::generate();
        assert_eq!(URL_SAFE_NO_PAD.decode(token.expose()).unwrap().len(), 32);
        let hash = token.hash();
        assert_eq!(hash.len(), 64);
        assert!(!hash.contains(token.expose()));
        assert_ne!(SessionToken::generate().expose(), token.expose());
    }

    #[test]
    fn a_parsed_token_hashes_like_the_issued_one() {
        let token = SessionToken::generate();
        let parsed = SessionToken::parse(token.expose()).unwrap();
        assert_eq!(parsed.hash(), token.hash());
    }

    #[test]
    fn cookie_values_that_we_never_issue_are_no_token() {
        for bad in [
            "",
            "short",
            &"a".repeat(44),
            &format!("{}!", "a".repeat(42)),
        ] {
            assert!(SessionToken::parse(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn debug_never_shows_the_token() {
        let token = SessionToken::generate();
        assert!(!format!("{token:?}").contains(token.expose()));
    }

    proptest::proptest! {
        #[test]
        fn a_cookie_value_parses_only_as_a_token_we_could_issue(value in "[A-Za-z0-9_=+/-]{0,60}|.*") {
            if let Some(token) = SessionToken::parse(&value) {
                proptest::prop_assert_eq!(token.expose(), value.as_str());
                proptest::prop_assert_eq!(value.len(), 43);
            }
        }
    }
}
