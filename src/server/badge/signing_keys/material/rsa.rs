//! RSA 2048 keys (RS256 id_tokens and access tokens): the public half is stored as `n.e`
//! (each base64url, as in the JWK), the private half as PKCS#1 DER.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use jsonwebtoken::{
    jwk::{
        AlgorithmParameters, CommonParameters, Jwk, KeyAlgorithm, PublicKeyUse, RSAKeyParameters,
        RSAKeyType, ThumbprintHash,
    },
    DecodingKey, EncodingKey,
};
use rand::rngs::OsRng;
use rsa::{
    pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey},
    traits::PublicKeyParts,
    RsaPrivateKey,
};

use super::NewKey;

const BITS: usize = 2048;

pub fn generate() -> Option<NewKey> {
    let private = RsaPrivateKey::new(&mut OsRng, BITS).ok()?;
    let public_key = public_key(&private);
    Some(NewKey {
        kid: thumbprint(&public_key)?,
        public_key,
        private: private.to_pkcs1_der().ok()?.as_bytes().to_vec(),
    })
}

fn public_key(private: &RsaPrivateKey) -> String {
    format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(private.n().to_bytes_be()),
        URL_SAFE_NO_PAD.encode(private.e().to_bytes_be())
    )
}

/// `n` and `e` of a stored public half.
fn components(public_key: &str) -> Option<(&str, &str)> {
    public_key.split_once('.')
}

pub fn public_jwk(kid: &str, public_key: &str) -> Option<Jwk> {
    let mut jwk = bare_jwk(public_key)?;
    jwk.common = CommonParameters {
        public_key_use: Some(PublicKeyUse::Signature),
        key_id: Some(kid.to_owned()),
        key_algorithm: Some(KeyAlgorithm::RS256),
        ..CommonParameters::default()
    };
    Some(jwk)
}

fn bare_jwk(public_key: &str) -> Option<Jwk> {
    let (n, e) = components(public_key)?;
    Some(Jwk {
        common: CommonParameters::default(),
        algorithm: AlgorithmParameters::RSA(RSAKeyParameters {
            key_type: RSAKeyType::RSA,
            n: n.to_owned(),
            e: e.to_owned(),
        }),
    })
}

/// The public half of the key with this PKCS#1 private half.
pub fn public_key_of(private: &[u8]) -> Option<String> {
    Some(public_key(&RsaPrivateKey::from_pkcs1_der(private).ok()?))
}

/// RFC 7638: SHA-256 over the required members (`e`, `kty`, `n`), base64url.
pub fn thumbprint(public_key: &str) -> Option<String> {
    bare_jwk(public_key)?
        .thumbprint(ThumbprintHash::SHA256)
        .ok()
}

pub fn decoding_key(public_key: &str) -> Option<DecodingKey> {
    let (n, e) = components(public_key)?;
    DecodingKey::from_rsa_components(n, e).ok()
}

pub fn encoding_key(private: &[u8]) -> EncodingKey {
    EncodingKey::from_rsa_der(private)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_rsa_key_is_2048_bits_its_kid_the_thumbprint_and_its_jwk_public_only() {
        let key = generate().unwrap();
        let jwk = public_jwk(&key.kid, &key.public_key).unwrap();
        let json = serde_json::to_value(&jwk).unwrap();

        assert_eq!(jwk.thumbprint(ThumbprintHash::SHA256).unwrap(), key.kid);
        let mut members: Vec<_> = json.as_object().unwrap().keys().cloned().collect();
        members.sort();
        assert_eq!(members, ["alg", "e", "kid", "kty", "n", "use"]);
        assert_eq!(
            (&json["kty"], &json["alg"]),
            (&"RSA".into(), &"RS256".into())
        );
        let n = URL_SAFE_NO_PAD.decode(json["n"].as_str().unwrap()).unwrap();
        assert_eq!(n.len() * 8, BITS);
        assert_eq!(
            public_key_of(&key.private).as_deref(),
            Some(&*key.public_key)
        );
    }
}
