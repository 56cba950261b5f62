//! The cryptography jsonwebtoken signs and verifies with: its RustCrypto provider, but RS256
//! through `ring` (already in the binary for TLS). With the pure-Rust `rsa` crate, RSA was 77 %
//! of a code exchange's CPU (two RS256 JWTs) and 57 % of a userinfo call's; with ring's assembly
//! an exchange costs 2.3 times less and userinfo 2.4 times less (`make run`'s build, measured
//! side by side). Parsing the key again for each signature costs ring ~15 µs, so nothing is cached.

use std::sync::LazyLock;

use jsonwebtoken::{
    crypto::{rust_crypto, CryptoProvider, JwtSigner, JwtVerifier},
    errors::{ErrorKind, Result},
    signature, Algorithm, DecodingKey, DecodingKeyKind, EncodingKey,
};
use ring::{
    rand::SystemRandom,
    signature::{self as rsa_sig, RsaKeyPair, RsaPublicKeyComponents, UnparsedPublicKey},
};

/// ring refuses RSA keys below 2048 bits (Badge makes only 2048-bit ones); smaller keys, if
/// ever met, stay with RustCrypto.
const RING_MIN_MODULUS_BYTES: usize = 256;

static PROVIDER: LazyLock<CryptoProvider> = LazyLock::new(|| CryptoProvider {
    signer_factory: new_signer,
    verifier_factory: new_verifier,
    key_utils: rust_crypto::DEFAULT_PROVIDER.key_utils.clone(),
});

/// Makes this provider the process's; false when jsonwebtoken had already chosen another (it
/// picks RustCrypto's at its first use, even a key's thumbprint), which gives the same results
/// slower. So this runs before anything touches a key: first in `launch` and in `Application`.
pub fn install() -> bool {
    match CryptoProvider::install_default(&PROVIDER) {
        Ok(()) => true,
        Err(chosen) => std::ptr::eq(chosen, &*PROVIDER),
    }
}

fn new_signer(algorithm: &Algorithm, key: &EncodingKey) -> Result<Box<dyn JwtSigner>> {
    match algorithm {
        Algorithm::RS256 => Ok(Box::new(Rs256Signer(key_pair(key.as_bytes())?))),
        _ => (rust_crypto::DEFAULT_PROVIDER.signer_factory)(algorithm, key),
    }
}

fn new_verifier(algorithm: &Algorithm, key: &DecodingKey) -> Result<Box<dyn JwtVerifier>> {
    let public = match (algorithm, key.kind()) {
        (Algorithm::RS256, DecodingKeyKind::RsaModulusExponent { n, e }) => {
            Rs256Public::Components(RsaPublicKeyComponents {
                n: n.clone(),
                e: e.clone(),
            })
        }
        // `from_rsa_pem` / `from_rsa_der`: a PKCS#1 RSAPublicKey, as ring reads it.
        (Algorithm::RS256, DecodingKeyKind::SecretOrDer(der)) => Rs256Public::Der(der.clone()),
        _ => return (rust_crypto::DEFAULT_PROVIDER.verifier_factory)(algorithm, key),
    };
    if public
        .modulus_len()
        .is_some_and(|len| len < RING_MIN_MODULUS_BYTES)
    {
        return (rust_crypto::DEFAULT_PROVIDER.verifier_factory)(algorithm, key);
    }
    Ok(Box::new(public))
}

/// The key pair of a PKCS#1 DER private key.
fn key_pair(der: &[u8]) -> Result<RsaKeyPair> {
    RsaKeyPair::from_der(der).map_err(|e| ErrorKind::InvalidRsaKey(e.to_string()).into())
}

struct Rs256Signer(RsaKeyPair);

impl signature::Signer<Vec<u8>> for Rs256Signer {
    fn try_sign(&self, message: &[u8]) -> std::result::Result<Vec<u8>, signature::Error> {
        let mut signature = vec![0; self.0.public().modulus_len()];
        self.0
            .sign(
                &rsa_sig::RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                message,
                &mut signature,
            )
            .map_err(|_| signature::Error::new())?;
        Ok(signature)
    }
}

impl JwtSigner for Rs256Signer {
    fn algorithm(&self) -> Algorithm {
        Algorithm::RS256
    }
}

enum Rs256Public {
    Components(RsaPublicKeyComponents<Vec<u8>>),
    Der(Vec<u8>),
}

impl Rs256Public {
    /// The modulus length in bytes, when it can be read without parsing.
    fn modulus_len(&self) -> Option<usize> {
        match self {
            Self::Components(components) => {
                let n = &components.n;
                Some(n.len() - n.iter().take_while(|&&byte| byte == 0).count())
            }
            Self::Der(_) => None,
        }
    }
}

impl signature::Verifier<Vec<u8>> for Rs256Public {
    fn verify(
        &self,
        message: &[u8],
        signature: &Vec<u8>,
    ) -> std::result::Result<(), signature::Error> {
        let algorithm = &rsa_sig::RSA_PKCS1_2048_8192_SHA256;
        match self {
            Self::Components(components) => components.verify(algorithm, message, signature),
            Self::Der(der) => UnparsedPublicKey::new(algorithm, der).verify(message, signature),
        }
        .map_err(|_| signature::Error::new())
    }
}

impl JwtVerifier for Rs256Public {
    fn algorithm(&self) -> Algorithm {
        Algorithm::RS256
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::badge::signing_keys::KeyAlgorithm;

    fn rust_crypto_sign(message: &[u8], key: &EncodingKey) -> Vec<u8> {
        let signer =
            (rust_crypto::DEFAULT_PROVIDER.signer_factory)(&Algorithm::RS256, key).unwrap();
        signature::Signer::try_sign(&*signer, message).unwrap()
    }

    fn rust_crypto_verifies(message: &[u8], signature: &[u8], key: &DecodingKey) -> bool {
        let verifier =
            (rust_crypto::DEFAULT_PROVIDER.verifier_factory)(&Algorithm::RS256, key).unwrap();
        signature::Verifier::verify(&*verifier, message, &signature.to_vec()).is_ok()
    }

    #[test]
    fn ring_signs_rs256_as_rust_crypto_does_and_each_verifies_the_other() {
        let key = KeyAlgorithm::Rs256.generate().unwrap();
        let encoding = KeyAlgorithm::Rs256.encoding_key(&key.private).unwrap();
        let decoding = KeyAlgorithm::Rs256.decoding_key(&key.public_key).unwrap();
        let message = b"header.claims";

        let by_ring = signature::Signer::try_sign(
            &*new_signer(&Algorithm::RS256, &encoding).unwrap(),
            message,
        )
        .unwrap();
        let ring_verifies = |signature: &[u8]| {
            let verifier = new_verifier(&Algorithm::RS256, &decoding).unwrap();
            signature::Verifier::verify(&*verifier, message, &signature.to_vec()).is_ok()
        };

        // PKCS#1 v1.5 is deterministic: the same key and message give the same bytes.
        assert_eq!(by_ring, rust_crypto_sign(message, &encoding));
        assert!(rust_crypto_verifies(message, &by_ring, &decoding));
        assert!(ring_verifies(&rust_crypto_sign(message, &encoding)));
        let mut tampered = by_ring.clone();
        tampered[10] ^= 1;
        assert!(!ring_verifies(&tampered));
        assert!(!ring_verifies(&by_ring[1..]));
    }

    #[test]
    fn a_key_that_is_not_rsa_der_is_an_invalid_rsa_key_not_a_panic() {
        let error = key_pair(b"not a key").err().unwrap();
        assert!(
            matches!(error.kind(), ErrorKind::InvalidRsaKey(_)),
            "{error:?}"
        );
    }

    #[test]
    fn other_algorithms_are_rust_crypto_s() {
        let secret = b"a secret long enough for the test";
        let signer = new_signer(&Algorithm::HS256, &EncodingKey::from_secret(secret)).unwrap();
        let verifier = new_verifier(&Algorithm::HS256, &DecodingKey::from_secret(secret)).unwrap();

        let mac = signature::Signer::try_sign(&*signer, b"message").unwrap();

        assert_eq!(signer.algorithm(), Algorithm::HS256);
        assert!(signature::Verifier::verify(&*verifier, b"message", &mac).is_ok());
        assert!(signature::Verifier::verify(&*verifier, b"other", &mac).is_err());
    }
}
