//! Badges: HS256 JWTs with exactly `sub`, `email`, `iat`, `exp`, `iss` (and `aud` only when
//! `JWT_AUDIENCE` is set), minted for a session and verified with the algorithm pinned.

use std::time::Duration;

use jsonwebtoken::{
    decode, encode, errors::ErrorKind, Algorithm, DecodingKey, EncodingKey, Header, Validation,
};
use serde::{Deserialize, Serialize};

use crate::{auth::User, config::Config};

/// Clock skew tolerated between the minting and the verifying machine.
const LEEWAY_SECS: u64 = 30;
/// A badge is a few hundred bytes; anything far larger is refused before any parsing.
const MAX_TOKEN_BYTES: usize = 4096;

/// The badge's payload.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub email: String,
    pub iat: u64,
    pub exp: u64,
    pub iss: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<String>,
}

/// The payload as received: optional fields, so a missing claim is reported by name rather
/// than as a parse error.
#[derive(Deserialize)]
struct ReceivedClaims {
    sub: Option<String>,
    email: Option<String>,
    iat: Option<u64>,
    exp: Option<u64>,
    iss: Option<String>,
    aud: Option<String>,
}

/// Why a presented badge was refused; the text becomes `error_description`.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("The token has expired")]
    Expired,
    #[error("The token is not valid yet")]
    NotYetValid,
    #[error("The token signature is invalid")]
    BadSignature,
    #[error("The token algorithm is not allowed")]
    WrongAlgorithm,
    #[error("The token issuer is not accepted")]
    WrongIssuer,
    #[error("The token audience is not accepted")]
    WrongAudience,
    #[error("The token is missing the required claim {0}")]
    MissingClaim(String),
    #[error("The token is too large")]
    TooLarge,
    #[error("The token is malformed")]
    Malformed,
}

/// Keys and rules for minting and verifying, built once at start-up.
#[derive(Clone)]
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    issuer: String,
    audience: Option<String>,
    ttl: Duration,
}

impl TokenKeys {
    pub fn from_config(config: &Config) -> Self {
        let secret = config.auth_secret.as_bytes();
        let issuer = config.issuer();
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = LEEWAY_SECS;
        validation.validate_nbf = true;
        validation.set_issuer(&[&issuer]);
        let mut required = vec!["exp", "sub", "iss"];
        // With no audience configured, jsonwebtoken refuses any token that carries one.
        if let Some(audience) = &config.jwt_audience {
            validation.set_audience(&[audience]);
            required.push("aud");
        }
        validation.set_required_spec_claims(&required);
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            issuer,
            audience: config.jwt_audience.clone(),
            ttl: config.jwt_ttl,
        }
    }

    /// A fresh badge for `user`, valid for `JWT_TTL`.
    pub fn mint(&self, user: &User) -> Result<String, jsonwebtoken::errors::Error> {
        let now = now_secs();
        let claims = Claims {
            sub: user.id.clone(),
            email: user.email.clone(),
            iat: now,
            exp: now + self.ttl.as_secs(),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
        };
        // `Header::new` sets `typ: JWT`.
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
    }

    /// Checks signature, algorithm, expiry, issuer (and audience), and that `iat` is not in
    /// the future.
    pub fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(TokenError::TooLarge);
        }
        let received = decode::<ReceivedClaims>(token, &self.decoding, &self.validation)
            .map_err(|e| classify(e.into_kind()))?
            .claims;
        let missing = |name: &str| TokenError::MissingClaim(name.into());
        let claims = Claims {
            sub: received
                .sub
                .filter(|s| !s.is_empty())
                .ok_or_else(|| missing("sub"))?,
            email: received.email.ok_or_else(|| missing("email"))?,
            iat: received.iat.ok_or_else(|| missing("iat"))?,
            exp: received.exp.ok_or_else(|| missing("exp"))?,
            iss: received.iss.ok_or_else(|| missing("iss"))?,
            aud: received.aud,
        };
        if claims.iat > now_secs() + LEEWAY_SECS {
            return Err(TokenError::NotYetValid);
        }
        Ok(claims)
    }
}

fn classify(kind: ErrorKind) -> TokenError {
    match kind {
        ErrorKind::ExpiredSignature => TokenError::Expired,
        ErrorKind::ImmatureSignature => TokenError::NotYetValid,
        ErrorKind::InvalidSignature => TokenError::BadSignature,
        ErrorKind::InvalidAlgorithm
        | ErrorKind::InvalidAlgorithmName
        | ErrorKind::MissingAlgorithm => TokenError::WrongAlgorithm,
        ErrorKind::InvalidIssuer => TokenError::WrongIssuer,
        ErrorKind::InvalidAudience => TokenError::WrongAudience,
        ErrorKind::MissingRequiredClaim(claim) => TokenError::MissingClaim(claim),
        _ => TokenError::Malformed,
    }
}

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(vars: &[(&str, &str)]) -> TokenKeys {
        let mut all = vec![("AUTH_SECRET", "k".repeat(40))];
        all.extend(vars.iter().map(|(k, v)| (*k, v.to_string())));
        let config = Config::from_lookup(|name| {
            all.iter().find(|(k, _)| *k == name).map(|(_, v)| v.clone())
        })
        .unwrap();
        TokenKeys::from_config(&config)
    }

    fn ada() -> User {
        User {
            id: "user-1".into(),
            email: "ada@example.com".into(),
        }
    }

    #[test]
    fn a_minted_badge_verifies_with_the_expected_claims() {
        let keys = keys(&[]);
        let claims = keys.verify(&keys.mint(&ada()).unwrap()).unwrap();
        assert_eq!(
            (claims.sub.as_str(), claims.email.as_str()),
            ("user-1", "ada@example.com")
        );
        assert_eq!(claims.iss, "http://127.0.0.1:3000");
        assert_eq!(claims.exp - claims.iat, 900);
        assert_eq!(claims.aud, None);
    }

    #[test]
    fn the_default_badge_carries_no_audience_claim() {
        let keys = keys(&[]);
        let token = keys.mint(&ada()).unwrap();
        let payload = token.split('.').nth(1).unwrap();
        use base64::Engine;
        let json = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap();
        let value: serde_json::Value = serde_json::from_slice(&json).unwrap();
        let mut names: Vec<_> = value.as_object().unwrap().keys().cloned().collect();
        names.sort();
        assert_eq!(names, ["email", "exp", "iat", "iss", "sub"]);
    }

    #[test]
    fn audience_is_added_and_required_only_when_configured() {
        let with_aud = keys(&[("JWT_AUDIENCE", "vault")]);
        let plain = keys(&[]);

        let token = with_aud.mint(&ada()).unwrap();

        assert_eq!(
            with_aud.verify(&token).unwrap().aud.as_deref(),
            Some("vault")
        );
        assert_eq!(plain.verify(&token), Err(TokenError::WrongAudience));
        assert_eq!(
            with_aud.verify(&plain.mint(&ada()).unwrap()),
            Err(TokenError::MissingClaim("aud".into()))
        );
    }

    #[test]
    fn another_issuer_is_refused() {
        let theirs = keys(&[("JWT_ISSUER", "someone-else")]);
        assert_eq!(
            keys(&[]).verify(&theirs.mint(&ada()).unwrap()),
            Err(TokenError::WrongIssuer)
        );
    }

    #[test]
    fn an_oversized_token_is_refused_before_parsing() {
        assert_eq!(
            keys(&[]).verify(&"a".repeat(8192)),
            Err(TokenError::TooLarge)
        );
    }
}
