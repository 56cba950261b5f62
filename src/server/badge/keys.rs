//! `BadgeKeys`: the keys and the rules for minting and verifying badges, built once at start-up.
//! HS256 (the default): the shared secret (`AUTH_SECRET`) signs and verifies; older secrets
//! (`AUTH_SECRET_PREVIOUS`) only verify, so changing the secret signs nobody out. EdDSA: the
//! active key of the `KeyRing` signs, and any published key verifies the badges naming it. In
//! both modes the ring also holds the RS256 keys of what Badge signs as an OpenID Provider.

use std::{sync::Arc, time::Duration};

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Validation};

use super::signing_keys::{KeyRing, KeySet};

/// Clock skew tolerated between the minting and the verifying machine.
pub(super) const LEEWAY_SECS: u64 = 30;

#[derive(Clone)]
pub(super) enum Signer {
    Hs256 {
        encoding: EncodingKey,
        /// The current secret first, then older ones, tried only when it does not match.
        decoding: Vec<DecodingKey>,
    },
    EdDsa,
}

#[derive(Clone)]
pub struct BadgeKeys {
    pub(super) signer: Signer,
    /// The stored keys: EdDSA badges' (in that mode) and the OpenID Provider's RS256 ones.
    /// Always there when serving; `None` only for HS256 badges checked on their own (tests).
    pub(super) ring: Option<Arc<KeyRing>>,
    /// Pins the mode's algorithm: an HS256 badge is refused in EdDSA mode and vice versa.
    pub(super) validation: Validation,
    pub(super) issuer: String,
    pub(super) audience: Option<String>,
    pub(super) ttl: Duration,
}

impl BadgeKeys {
    /// HS256 with `secret`; badges name `issuer` (and `audience` when given) and live `ttl`.
    pub fn hs256(secret: &[u8], issuer: String, audience: Option<String>, ttl: Duration) -> Self {
        let signer = Signer::Hs256 {
            encoding: EncodingKey::from_secret(secret),
            decoding: vec![DecodingKey::from_secret(secret)],
        };
        Self::new(signer, None, Algorithm::HS256, issuer, audience, ttl)
    }

    /// EdDSA with the keys of `ring`.
    pub fn eddsa(
        ring: Arc<KeyRing>,
        issuer: String,
        audience: Option<String>,
        ttl: Duration,
    ) -> Self {
        Self::new(
            Signer::EdDsa,
            Some(ring),
            Algorithm::EdDSA,
            issuer,
            audience,
            ttl,
        )
    }

    fn new(
        signer: Signer,
        ring: Option<Arc<KeyRing>>,
        algorithm: Algorithm,
        issuer: String,
        audience: Option<String>,
        ttl: Duration,
    ) -> Self {
        let mut validation = Validation::new(algorithm);
        validation.leeway = LEEWAY_SECS;
        validation.validate_nbf = true;
        validation.set_issuer(&[&issuer]);
        let mut required = vec!["exp", "sub", "iss"];
        // With no audience configured, jsonwebtoken refuses any token that carries one.
        if let Some(audience) = &audience {
            validation.set_audience(&[audience]);
            required.push("aud");
        }
        validation.set_required_spec_claims(&required);
        Self {
            signer,
            ring,
            validation,
            issuer,
            audience,
            ttl,
        }
    }

    /// The stored keys beside the shared secret (HS256 mode): the OpenID Provider's.
    pub fn with_key_ring(mut self, ring: Arc<KeyRing>) -> Self {
        self.ring = Some(ring);
        self
    }

    /// The stored keys as last read, if any.
    pub(super) fn stored_keys(&self) -> Option<Arc<KeySet>> {
        self.ring.as_ref().map(|ring| ring.snapshot())
    }

    /// In HS256 mode, also accepts badges signed with these older secrets until they expire.
    pub fn accepting_previous<'a>(mut self, secrets: impl IntoIterator<Item = &'a [u8]>) -> Self {
        if let Signer::Hs256 { decoding, .. } = &mut self.signer {
            decoding.truncate(1);
            decoding.extend(secrets.into_iter().map(DecodingKey::from_secret));
        }
        self
    }
}
