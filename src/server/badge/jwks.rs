//! The public half of the key set, as RFC 7517 JWKS: what other backends fetch to verify badges
//! without any secret. In HS256 mode there is nothing to publish: a symmetric key never is.

use jsonwebtoken::jwk::JwkSet;

use super::keys::{BadgeKeys, Signer};

impl BadgeKeys {
    /// The keys a verifier may use (next, active and retired); empty in HS256 mode.
    pub fn public_keys(&self) -> JwkSet {
        match &self.signer {
            Signer::Hs256 { .. } => JwkSet::default(),
            Signer::EdDsa(ring) => ring.snapshot().jwks(),
        }
    }
}
