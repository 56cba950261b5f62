//! `BadgeKeys`: the key and the rules for minting and verifying badges, built once at start-up.
//! Today one HS256 shared secret (`AUTH_SECRET`).

use std::time::Duration;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Validation};

/// Clock skew tolerated between the minting and the verifying machine.
pub(super) const LEEWAY_SECS: u64 = 30;

#[derive(Clone)]
pub struct BadgeKeys {
    pub(super) encoding: EncodingKey,
    pub(super) decoding: DecodingKey,
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
            validation,
            issuer,
            audience,
            ttl,
        }
    }
}
