//! Key material per algorithm: generating a key, its public JWK with the RFC 7638 thumbprint as
//! `kid`, and the decoding and encoding keys jsonwebtoken signs and verifies with.

mod ed25519;
mod rsa;

use jsonwebtoken::{jwk::Jwk, Algorithm, DecodingKey, EncodingKey};

/// The algorithms of stored keys: EdDSA for badges (`JWT_ALGORITHM=EdDSA`), RS256 for what Badge
/// signs as an OpenID Provider.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyAlgorithm {
    EdDsa,
    Rs256,
}

impl KeyAlgorithm {
    /// As stored in `signing_keys.algorithm` and written in a JWT's `alg`.
    pub fn name(self) -> &'static str {
        match self {
            Self::EdDsa => "EdDSA",
            Self::Rs256 => "RS256",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        [Self::EdDsa, Self::Rs256]
            .into_iter()
            .find(|algorithm| algorithm.name() == name)
    }

    pub fn jwt(self) -> Algorithm {
        match self {
            Self::EdDsa => Algorithm::EdDSA,
            Self::Rs256 => Algorithm::RS256,
        }
    }

    /// A fresh key (RSA generation can only fail if the system's randomness does).
    pub fn generate(self) -> Option<NewKey> {
        match self {
            Self::EdDsa => Some(ed25519::generate()),
            Self::Rs256 => rsa::generate(),
        }
    }

    pub fn public_jwk(self, kid: &str, public_key: &str) -> Option<Jwk> {
        match self {
            Self::EdDsa => Some(ed25519::public_jwk(kid, public_key)),
            Self::Rs256 => rsa::public_jwk(kid, public_key),
        }
    }

    pub fn public_key_of(self, private: &[u8]) -> Option<String> {
        match self {
            Self::EdDsa => ed25519::public_key_of(private),
            Self::Rs256 => rsa::public_key_of(private),
        }
    }

    pub fn thumbprint(self, public_key: &str) -> Option<String> {
        match self {
            Self::EdDsa => Some(ed25519::thumbprint(public_key)),
            Self::Rs256 => rsa::thumbprint(public_key),
        }
    }

    pub fn decoding_key(self, public_key: &str) -> Option<DecodingKey> {
        match self {
            Self::EdDsa => ed25519::decoding_key(public_key),
            Self::Rs256 => rsa::decoding_key(public_key),
        }
    }

    pub fn encoding_key(self, private: &[u8]) -> Option<EncodingKey> {
        match self {
            Self::EdDsa => ed25519::encoding_key(private),
            Self::Rs256 => Some(rsa::encoding_key(private)),
        }
    }
}

/// A freshly generated key: its id, public half (as stored) and private half (to be sealed).
pub struct NewKey {
    pub kid: String,
    pub public_key: String,
    pub private: Vec<u8>,
}
