//! Private keys at rest: sealed with XChaCha20-Poly1305 under a key derived from `AUTH_SECRET`
//! with HKDF-SHA256, and bound to their key id, so a database dump holds no usable private key
//! and a sealed key cannot be moved to another row.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use chacha20poly1305::{
    aead::{Aead, AeadCore, KeyInit, OsRng, Payload},
    XChaCha20Poly1305, XNonce,
};
use hkdf::Hkdf;
use sha2::Sha256;

/// Names what the derived key is for, so the same secret never yields it for anything else.
const HKDF_INFO: &[u8] = b"badge: signing-key sealing v1";
/// The format of a sealed key: `v1.` + base64url(nonce || ciphertext).
const FORMAT: &str = "v1.";
const NONCE_LEN: usize = 24;

pub struct Sealer(XChaCha20Poly1305);

#[derive(Debug, thiserror::Error)]
#[error("sealing a private key failed")]
pub struct SealError;

impl Sealer {
    /// The sealer for one secret (the current `AUTH_SECRET` or a previous one).
    pub fn new(secret: &[u8]) -> Self {
        let mut key = [0u8; 32];
        Hkdf::<Sha256>::new(None, secret)
            .expand(HKDF_INFO, &mut key)
            // 32 bytes is far below HKDF-SHA256's limit of 255 × 32.
            .expect("a 32-byte HKDF-SHA256 output is valid");
        Self(XChaCha20Poly1305::new(&key.into()))
    }

    pub fn seal(&self, kid: &str, private_key: &[u8]) -> Result<String, SealError> {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let payload = Payload {
            msg: private_key,
            aad: kid.as_bytes(),
        };
        let sealed = self.0.encrypt(&nonce, payload).map_err(|_| SealError)?;
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        Ok(format!("{FORMAT}{}", URL_SAFE_NO_PAD.encode(bytes)))
    }

    /// The private key, or `None` when it was sealed under another secret (or tampered with).
    pub fn open(&self, kid: &str, sealed: &str) -> Option<Vec<u8>> {
        let bytes = URL_SAFE_NO_PAD.decode(sealed.strip_prefix(FORMAT)?).ok()?;
        if bytes.len() <= NONCE_LEN {
            return None;
        }
        let (nonce, ciphertext) = bytes.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().ok()?;
        let payload = Payload {
            msg: ciphertext,
            aad: kid.as_bytes(),
        };
        self.0.decrypt(&XNonce::from(nonce), payload).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_key_opens_only_with_its_secret_and_its_kid() {
        let sealer = Sealer::new(&[7; 32]);
        let sealed = sealer.seal("kid-1", b"private").unwrap();

        assert_eq!(
            sealer.open("kid-1", &sealed).as_deref(),
            Some(&b"private"[..])
        );
        assert_eq!(Sealer::new(&[8; 32]).open("kid-1", &sealed), None);
        assert_eq!(sealer.open("kid-2", &sealed), None);
        assert!(!sealed.contains("private"));
    }
}
