//! Minting: a fresh badge for a subject, valid for `JWT_TTL`, signed in the configured mode
//! (EdDSA badges name their key in `kid`).

use jsonwebtoken::{encode, Algorithm, Header};

use super::signing_keys::KeyAlgorithm;
use super::{
    claims::Claims,
    keys::{BadgeKeys, Signer},
};
use crate::server::clock::unix_now;

#[derive(Debug, thiserror::Error)]
pub enum MintError {
    #[error("signing the badge failed: {0}")]
    Jwt(#[from] jsonwebtoken::errors::Error),
    #[error("no signing key is active (the key set could not be read)")]
    NoActiveKey,
}

impl BadgeKeys {
    /// A badge for the user `subject` with address `email` (verified or not), signed in by
    /// `amr` in the session `sid`.
    pub fn mint(
        &self,
        subject: &str,
        email: &str,
        email_verified: bool,
        amr: &[String],
        sid: Option<&str>,
    ) -> Result<String, MintError> {
        let now = unix_now();
        let issued = u64::try_from(now).unwrap_or(0);
        let claims = Claims {
            sub: subject.to_owned(),
            email: email.to_owned(),
            email_verified,
            amr: amr.to_vec(),
            sid: sid.map(str::to_owned),
            iat: issued,
            exp: issued + self.ttl.as_secs(),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
        };
        match &self.signer {
            // `Header::new` sets `typ: JWT`.
            Signer::Hs256 { encoding, .. } => {
                Ok(encode(&Header::new(Algorithm::HS256), &claims, encoding)?)
            }
            Signer::EdDsa => {
                let keys = self.stored_keys().ok_or(MintError::NoActiveKey)?;
                let (kid, key) = keys
                    .signer(KeyAlgorithm::EdDsa, now)
                    .ok_or(MintError::NoActiveKey)?;
                let mut header = Header::new(Algorithm::EdDSA);
                header.kid = Some(kid.to_owned());
                Ok(encode(&header, &claims, key)?)
            }
        }
    }
}
