//! The public half of the key set, as RFC 7517 JWKS: what other backends fetch to verify badges
//! and id_tokens without any secret. In HS256 mode it holds the RS256 keys only: a symmetric
//! key is never published.

use jsonwebtoken::jwk::JwkSet;

use super::keys::BadgeKeys;

impl BadgeKeys {
    /// The keys a verifier may use (next, active and retired).
    pub fn public_keys(&self) -> JwkSet {
        self.stored_keys()
            .map(|keys| keys.jwks())
            .unwrap_or_default()
    }
}
