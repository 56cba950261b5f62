//! Verifying: signature, pinned algorithm, expiry, issuer (and audience), and every claim
//! present; each refusal has a reason for the `error_description`.

use jsonwebtoken::{decode, decode_header, errors::ErrorKind, Algorithm, DecodingKey};
use serde::Deserialize;

pub use super::refusal::BadgeError;
use super::{
    claims::Claims,
    header::{self, HeaderRefusal},
    keys::{BadgeKeys, Signer, LEEWAY_SECS},
    signing_keys::KeyAlgorithm,
};
use crate::server::clock::unix_now;

/// A badge is a few hundred bytes; anything far larger is refused before any parsing.
pub(super) const MAX_TOKEN_BYTES: usize = 4096;

/// The payload as received: every field optional, so a missing claim (or an empty `sub` or
/// `email`, which names no one) is reported by name rather than as a parse error.
#[derive(Deserialize)]
struct ReceivedClaims {
    sub: Option<String>,
    email: Option<String>,
    email_verified: Option<bool>,
    amr: Option<Vec<String>>,
    sid: Option<String>,
    iat: Option<u64>,
    exp: Option<u64>,
    iss: Option<String>,
    aud: Option<String>,
}

impl TryFrom<ReceivedClaims> for Claims {
    type Error = BadgeError;

    fn try_from(received: ReceivedClaims) -> Result<Self, BadgeError> {
        let missing = |name: &str| BadgeError::MissingClaim(name.into());
        let text = |value: Option<String>, name| {
            value.filter(|v| !v.is_empty()).ok_or_else(|| missing(name))
        };
        Ok(Self {
            sub: text(received.sub, "sub")?,
            email: text(received.email, "email")?,
            // Badges minted before the claim existed say nothing: not verified.
            email_verified: received.email_verified.unwrap_or(false),
            amr: received.amr.unwrap_or_default(),
            sid: received.sid.filter(|sid| !sid.is_empty()),
            iat: received.iat.ok_or_else(|| missing("iat"))?,
            exp: received.exp.ok_or_else(|| missing("exp"))?,
            iss: received.iss.ok_or_else(|| missing("iss"))?,
            aud: received.aud,
        })
    }
}

impl BadgeKeys {
    /// The claims of a valid badge; `iat` in the future (beyond the leeway) is refused too.
    pub async fn verify(&self, token: &str) -> Result<Claims, BadgeError> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(BadgeError::TooLarge);
        }
        header::check(token).map_err(|refusal| match refusal {
            HeaderRefusal::Unreadable => BadgeError::Malformed,
            HeaderRefusal::Critical => BadgeError::CriticalHeader,
        })?;
        let received = match &self.signer {
            Signer::Hs256 { decoding, .. } => self.decode_with_any(token, decoding)?,
            Signer::EdDsa => {
                let header = decode_header(token).map_err(|e| classify(e.into_kind()))?;
                if header.alg != Algorithm::EdDSA {
                    return Err(BadgeError::WrongAlgorithm);
                }
                let kid = header.kid.ok_or(BadgeError::MissingKeyId)?;
                let key = self.stored_key(&kid, KeyAlgorithm::EdDsa).await?;
                self.decode_with_any(token, std::slice::from_ref(&key))?
            }
        };
        let claims = Claims::try_from(received)?;
        let now = u64::try_from(unix_now()).unwrap_or(0);
        if claims.iat > now + LEEWAY_SECS {
            return Err(BadgeError::NotYetValid);
        }
        Ok(claims)
    }

    /// Decodes with the first key whose signature matches (keys after the first are older
    /// secrets, tried only on a signature mismatch).
    fn decode_with_any(
        &self,
        token: &str,
        keys: &[DecodingKey],
    ) -> Result<ReceivedClaims, BadgeError> {
        let mut last = BadgeError::BadSignature;
        for key in keys {
            match decode::<ReceivedClaims>(token, key, &self.validation) {
                Ok(data) => return Ok(data.claims),
                Err(e) if *e.kind() == ErrorKind::InvalidSignature => {
                    last = BadgeError::BadSignature
                }
                Err(e) => return Err(classify(e.into_kind())),
            }
        }
        Err(last)
    }
}

pub(super) fn classify(kind: ErrorKind) -> BadgeError {
    match kind {
        ErrorKind::ExpiredSignature => BadgeError::Expired,
        ErrorKind::ImmatureSignature => BadgeError::NotYetValid,
        ErrorKind::InvalidSignature => BadgeError::BadSignature,
        ErrorKind::InvalidAlgorithm
        | ErrorKind::InvalidAlgorithmName
        | ErrorKind::MissingAlgorithm => BadgeError::WrongAlgorithm,
        ErrorKind::InvalidIssuer => BadgeError::WrongIssuer,
        ErrorKind::InvalidAudience => BadgeError::WrongAudience,
        ErrorKind::MissingRequiredClaim(claim) => BadgeError::MissingClaim(claim),
        _ => BadgeError::Malformed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use serde_json::{json, Value};
    use std::time::Duration;

    const ISSUER: &str = "http://127.0.0.1:3000";

    fn keys(issuer: &str, audience: Option<&str>) -> BadgeKeys {
        BadgeKeys::hs256(
            "k".repeat(40).as_bytes(),
            issuer.to_owned(),
            audience.map(str::to_owned),
            Duration::from_secs(900),
        )
    }

    fn mint_for_ada(keys: &BadgeKeys) -> String {
        keys.mint(
            "user-1",
            "ada@example.com",
            true,
            &["pwd".into()],
            Some("session-1"),
        )
        .unwrap()
    }

    #[tokio::test]
    async fn a_minted_badge_verifies_with_the_expected_claims() {
        let keys = keys(ISSUER, None);
        let claims = keys.verify(&mint_for_ada(&keys)).await.unwrap();
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
        let keys = keys(ISSUER, None);
        let token = mint_for_ada(&keys);
        let payload = token.split('.').nth(1).unwrap();
        use base64::Engine;
        let json = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap();
        let value: serde_json::Value = serde_json::from_slice(&json).unwrap();
        let mut names: Vec<_> = value.as_object().unwrap().keys().cloned().collect();
        names.sort();
        assert_eq!(
            names,
            [
                "amr",
                "email",
                "email_verified",
                "exp",
                "iat",
                "iss",
                "sid",
                "sub"
            ]
        );
    }

    #[tokio::test]
    async fn audience_is_added_and_required_only_when_configured() {
        let with_aud = keys(ISSUER, Some("vault"));
        let plain = keys(ISSUER, None);

        let token = mint_for_ada(&with_aud);

        assert_eq!(
            with_aud.verify(&token).await.unwrap().aud.as_deref(),
            Some("vault")
        );
        assert_eq!(plain.verify(&token).await, Err(BadgeError::WrongAudience));
        assert_eq!(
            with_aud.verify(&mint_for_ada(&plain)).await,
            Err(BadgeError::MissingClaim("aud".into()))
        );
    }

    #[tokio::test]
    async fn another_issuer_is_refused() {
        let theirs = keys("someone-else", None);
        assert_eq!(
            keys(ISSUER, None).verify(&mint_for_ada(&theirs)).await,
            Err(BadgeError::WrongIssuer)
        );
    }

    #[tokio::test]
    async fn a_badge_signed_with_a_previous_secret_verifies_and_new_ones_use_the_current() {
        let old = keys(ISSUER, None);
        let current = BadgeKeys::hs256(
            "n".repeat(40).as_bytes(),
            ISSUER.to_owned(),
            None,
            Duration::from_secs(900),
        );
        let rotated = current
            .clone()
            .accepting_previous(["k".repeat(40).as_bytes()]);
        let old_badge = mint_for_ada(&old);

        assert!(rotated.verify(&old_badge).await.is_ok());
        assert_eq!(
            current.verify(&old_badge).await,
            Err(BadgeError::BadSignature)
        );
        assert_eq!(
            old.verify(&mint_for_ada(&rotated)).await,
            Err(BadgeError::BadSignature)
        );
    }

    /// A badge `keys(ISSUER, None)` accepts, but with this header and email.
    fn signed(header: Value, email: &str) -> String {
        use base64::{engine::general_purpose::URL_SAFE_NO_PAD as B64, Engine};
        let now = unix_now();
        let claims = json!({ "sub": "user-1", "email": email, "iat": now, "exp": now + 600,
            "iss": ISSUER });
        let b64 = |part: Value| B64.encode(part.to_string());
        let message = format!("{}.{}", b64(header), b64(claims));
        let key = jsonwebtoken::EncodingKey::from_secret("k".repeat(40).as_bytes());
        let signature = jsonwebtoken::crypto::sign(message.as_bytes(), &key, Algorithm::HS256);
        format!("{message}.{}", signature.unwrap())
    }

    #[tokio::test]
    async fn a_token_naming_critical_header_parameters_is_refused() {
        let (keys, ada) = (keys(ISSUER, None), "ada@example.com");
        let control = keys.verify(&signed(json!({ "alg": "HS256" }), ada)).await;
        assert!(control.is_ok(), "{control:?}");
        for crit in [json!(["exp"]), json!([]), Value::Null] {
            let header = json!({ "alg": "HS256", "crit": crit.clone(), "exp": 1 });
            let refused = keys.verify(&signed(header, ada)).await;
            assert_eq!(refused, Err(BadgeError::CriticalHeader), "{crit}");
        }
    }

    #[tokio::test]
    async fn an_empty_email_claim_is_refused_like_a_missing_one() {
        let refused = keys(ISSUER, None)
            .verify(&signed(json!({ "alg": "HS256" }), ""))
            .await;
        assert_eq!(refused, Err(BadgeError::MissingClaim("email".into())));
    }

    #[tokio::test]
    async fn an_oversized_token_is_refused_before_parsing() {
        assert_eq!(
            keys(ISSUER, None).verify(&"a".repeat(8192)).await,
            Err(BadgeError::TooLarge)
        );
    }
}
