//! `BadgeKeys`: the key and the rules for minting and verifying badges, built once at start-up.
//! Today HS256: the shared secret (`AUTH_SECRET`) signs and verifies; older secrets
//! (`AUTH_SECRET_PREVIOUS`) only verify, so changing the secret signs nobody out.

use std::time::Duration;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Validation};

/// Clock skew tolerated between the minting and the verifying machine.
pub(super) const LEEWAY_SECS: u64 = 30;

#[derive(Clone)]
pub struct BadgeKeys {
    pub(super) encoding: EncodingKey,
    pub(super) decoding: DecodingKey,
    /// Older secrets, tried only when the current one does not match the signature.
    pub(super) previous: Vec<DecodingKey>,
    pub(super) validation: Validation,
    pub(super) issuer: String,
    pub(super) audience: Option<String>,
    pub(super) ttl: Duration,
}

impl BadgeKeys {
    /// HS256 with `secret`; badges name `issuer` (and `audience` when given) and live `ttl`.
    pub fn hs256(secret: &[u8], issuer: String, audience: Option<String>, ttl: Duration) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
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
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            previous: Vec::new(),
            validation,
            issuer,
            audience,
            ttl,
        }
    }

    /// Also accepts badges signed with these older secrets, until they expire.
    pub fn accepting_previous<'a>(mut self, secrets: impl IntoIterator<Item = &'a [u8]>) -> Self {
        self.previous = secrets.into_iter().map(DecodingKey::from_secret).collect();
        self
    }
}
