//! Ed25519 keys (EdDSA badges): the public half is the 32-byte point (base64url), the private
//! half the 32-byte seed.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use ed25519_dalek::{pkcs8::EncodePrivateKey, SigningKey};
use jsonwebtoken::{
    jwk::{
        AlgorithmParameters, CommonParameters, EllipticCurve, Jwk, KeyAlgorithm,
        OctetKeyPairParameters, OctetKeyPairType, PublicKeyUse, ThumbprintHash,
    },
    DecodingKey, EncodingKey,
};
use rand::rngs::OsRng;

use super::NewKey;

pub fn generate() -> NewKey {
    let signing = SigningKey::generate(&mut OsRng);
    let public_key = URL_SAFE_NO_PAD.encode(signing.verifying_key().to_bytes());
    NewKey {
        kid: thumbprint(&public_key),
        public_key,
        private: signing.to_bytes().to_vec(),
    }
}

/// The public JWK with only the members RFC 8037 defines, plus `kid`, `alg` and `use`.
pub fn public_jwk(kid: &str, public_key: &str) -> Jwk {
    let mut jwk = bare_jwk(public_key);
    jwk.common = CommonParameters {
        public_key_use: Some(PublicKeyUse::Signature),
        key_id: Some(kid.to_owned()),
        key_algorithm: Some(KeyAlgorithm::EdDSA),
        ..CommonParameters::default()
    };
    jwk
}

fn bare_jwk(public_key: &str) -> Jwk {
    Jwk {
        common: CommonParameters::default(),
        algorithm: AlgorithmParameters::OctetKeyPair(OctetKeyPairParameters {
            key_type: OctetKeyPairType::OctetKeyPair,
            curve: EllipticCurve::Ed25519,
            x: public_key.to_owned(),
        }),
    }
}

/// The public half (base64url) of the key with this 32-byte seed.
pub fn public_key_of(seed: &[u8]) -> Option<String> {
    let seed: [u8; 32] = seed.try_into().ok()?;
    Some(URL_SAFE_NO_PAD.encode(SigningKey::from_bytes(&seed).verifying_key().to_bytes()))
}

/// RFC 7638: SHA-256 over the required members (`crv`, `kty`, `x`), base64url.
pub fn thumbprint(public_key: &str) -> String {
    bare_jwk(public_key)
        .thumbprint(ThumbprintHash::SHA256)
        // Only fails for key types without a thumbprint definition; OKP has one.
        .unwrap_or_else(|_| public_key.to_owned())
}

pub fn decoding_key(public_key: &str) -> Option<DecodingKey> {
    DecodingKey::from_ed_components(public_key).ok()
}

/// The signer's key from the 32-byte seed (jsonwebtoken takes PKCS#8 DER).
pub fn encoding_key(seed: &[u8]) -> Option<EncodingKey> {
    let seed: [u8; 32] = seed.try_into().ok()?;
    let der = SigningKey::from_bytes(&seed).to_pkcs8_der().ok()?;
    Some(EncodingKey::from_ed_der(der.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kid_is_the_rfc_7638_thumbprint_and_the_jwk_is_public_only() {
        let key = generate();
        let jwk = public_jwk(&key.kid, &key.public_key);
        let json = serde_json::to_value(&jwk).unwrap();

        assert_eq!(
            jwk.thumbprint(ThumbprintHash::SHA256).unwrap(),
            key.kid,
            "{json}"
        );
        let mut members: Vec<_> = json.as_object().unwrap().keys().cloned().collect();
        members.sort();
        assert_eq!(members, ["alg", "crv", "kid", "kty", "use", "x"]);
        assert_eq!(json["kty"], "OKP");
        assert_eq!(json["crv"], "Ed25519");
        assert_eq!(json["alg"], "EdDSA");
        assert_eq!(json["use"], "sig");
    }
}
