//! JWTs other than badges, signed with the stored keys: what Badge issues as an OpenID Provider
//! (id_tokens, access tokens). Each names its key (`kid`) and its type (`typ`), so one kind is
//! never accepted for another.

use std::time::Instant;

use jsonwebtoken::{decode, decode_header, encode, DecodingKey, Header, Validation};
use serde::{de::DeserializeOwned, Serialize};

use super::{
    header::{self, HeaderRefusal},
    keys::{BadgeKeys, LEEWAY_SECS},
    mint::MintError,
    signing_keys::KeyAlgorithm,
    verify::{classify, MAX_TOKEN_BYTES},
    BadgeError,
};
use crate::server::clock::unix_now;

impl BadgeKeys {
    /// The `iss` of everything Badge signs.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// `JWT_TTL`: how long badges, id_tokens and access tokens live.
    pub fn ttl(&self) -> std::time::Duration {
        self.ttl
    }

    /// `claims` signed with the active `algorithm` key, with `typ` in the header.
    pub fn sign(
        &self,
        algorithm: KeyAlgorithm,
        typ: &str,
        claims: &impl Serialize,
    ) -> Result<String, MintError> {
        let keys = self.stored_keys().ok_or(MintError::NoActiveKey)?;
        let (kid, key) = keys
            .signer(algorithm, unix_now())
            .ok_or(MintError::NoActiveKey)?;
        let mut header = Header::new(algorithm.jwt());
        header.typ = Some(typ.to_owned());
        header.kid = Some(kid.to_owned());
        Ok(encode(&header, claims, key)?)
    }

    /// The claims of a token of type `typ` that Badge signed with an `algorithm` key: signature,
    /// `iss`, `exp` (with the leeway) and the presence of `sub` are checked; `aud` is the
    /// caller's to check.
    pub async fn verify_signed<T: DeserializeOwned>(
        &self,
        token: &str,
        algorithm: KeyAlgorithm,
        typ: &str,
    ) -> Result<T, BadgeError> {
        self.verify_stored_key_token(token, algorithm, typ, true)
            .await
    }

    /// As `verify_signed`, but an expired token is fine: an id_token handed back as a hint
    /// (RP-initiated logout names the session it ended, long after it expired).
    pub async fn verify_signed_even_expired<T: DeserializeOwned>(
        &self,
        token: &str,
        algorithm: KeyAlgorithm,
        typ: &str,
    ) -> Result<T, BadgeError> {
        self.verify_stored_key_token(token, algorithm, typ, false)
            .await
    }

    async fn verify_stored_key_token<T: DeserializeOwned>(
        &self,
        token: &str,
        algorithm: KeyAlgorithm,
        typ: &str,
        check_expiry: bool,
    ) -> Result<T, BadgeError> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(BadgeError::TooLarge);
        }
        header::check(token).map_err(|refusal| match refusal {
            HeaderRefusal::Unreadable => BadgeError::Malformed,
            HeaderRefusal::Critical => BadgeError::CriticalHeader,
        })?;
        let header = decode_header(token).map_err(|e| classify(e.into_kind()))?;
        if header.alg != algorithm.jwt() {
            return Err(BadgeError::WrongAlgorithm);
        }
        if !header.typ.is_some_and(|t| t.eq_ignore_ascii_case(typ)) {
            return Err(BadgeError::WrongType);
        }
        let kid = header.kid.ok_or(BadgeError::MissingKeyId)?;
        let key = self.stored_key(&kid, algorithm).await?;
        let mut validation = Validation::new(algorithm.jwt());
        validation.leeway = LEEWAY_SECS;
        validation.validate_exp = check_expiry;
        validation.set_issuer(&[&self.issuer]);
        validation.set_required_spec_claims(&["exp", "sub", "iss"]);
        validation.validate_aud = false;
        decode::<T>(token, &key, &validation)
            .map(|data| data.claims)
            .map_err(|e| classify(e.into_kind()))
    }

    /// The stored `algorithm` key named `kid`. One this instance has not read yet (another
    /// instance may have just made it) triggers a throttled re-read of the key set.
    pub(super) async fn stored_key(
        &self,
        kid: &str,
        algorithm: KeyAlgorithm,
    ) -> Result<DecodingKey, BadgeError> {
        let ring = self.ring.as_ref().ok_or(BadgeError::UnknownKey)?;
        let asked_at = Instant::now();
        if let Some(key) = ring.snapshot().verifier(kid, algorithm) {
            return Ok(key.clone());
        }
        ring.refresh_for_unknown_kid(asked_at).await;
        ring.snapshot()
            .verifier(kid, algorithm)
            .cloned()
            .ok_or(BadgeError::UnknownKey)
    }
}
