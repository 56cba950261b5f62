//! Minting: a fresh badge for a subject, valid for `JWT_TTL`.

use jsonwebtoken::{encode, Algorithm, Header};

use super::{claims::Claims, keys::BadgeKeys};
use crate::server::clock::unix_now;

impl BadgeKeys {
    /// A badge for the user `subject` with address `email`.
    pub fn mint(&self, subject: &str, email: &str) -> Result<String, jsonwebtoken::errors::Error> {
        let now = u64::try_from(unix_now()).unwrap_or(0);
        let claims = Claims {
            sub: subject.to_owned(),
            email: email.to_owned(),
            iat: now,
            exp: now + self.ttl.as_secs(),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
        };
        // `Header::new` sets `typ: JWT`.
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
    }
}
