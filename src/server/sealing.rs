//! Secrets at rest (signing keys' private halves, queued mails): sealed with XChaCha20-Poly1305
//! under a key derived from `AUTH_SECRET` with HKDF-SHA256, one key per purpose, and bound to
//! their row's id (associated data), so a database dump holds nothing usable and a sealed value
//! cannot be moved to another row.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use chacha20poly1305::{
    aead::{Aead, AeadCore, KeyInit, OsRng, Payload},
    XChaCha20Poly1305, XNonce,
};
use hkdf::Hkdf;
use sha2::Sha256;

/// What a derived key is for: the HKDF `info`, so the same secret never yields one key for two
/// purposes.
#[derive(Clone, Copy, Debug)]
pub struct Purpose(&'static [u8]);

/// Private halves of the EdDSA signing keys.
pub const SIGNING_KEYS: Purpose = Purpose(b"badge: signing-key sealing v1");
/// Mails waiting in the outbox (they carry live links).
pub const MAIL: Purpose = Purpose(b"badge: outbox sealing v1");
/// Users' TOTP secrets.
pub const TOTP_SECRETS: Purpose = Purpose(b"badge: totp secret sealing v1");
/// The MAC key of stored backup codes.
pub const BACKUP_CODES: Purpose = Purpose(b"badge: backup code mac v1");
/// The MAC key of the device cookie.
pub const DEVICE_COOKIE: Purpose = Purpose(b"badge: device cookie v1");

/// A 32-byte key for `purpose`, derived from `secret` with HKDF-SHA256.
pub fn derived_key(secret: &[u8], purpose: Purpose) -> [u8; 32] {
    let mut key = [0u8; 32];
    Hkdf::<Sha256>::new(None, secret)
        .expand(purpose.0, &mut key)
        // 32 bytes is far below HKDF-SHA256's limit of 255 × 32.
        .expect("a 32-byte HKDF-SHA256 output is valid");
    key
}

/// The format of a sealed value: `v1.` + base64url(nonce || ciphertext).
const FORMAT: &str = "v1.";
const NONCE_LEN: usize = 24;

pub struct Sealer(XChaCha20Poly1305);

#[derive(Debug, thiserror::Error)]
#[error("sealing a secret failed")]
pub struct SealError;

impl Sealer {
    /// The sealer for one secret (the current `AUTH_SECRET` or a previous one) and purpose.
    pub fn new(secret: &[u8], purpose: Purpose) -> Self {
        Self(XChaCha20Poly1305::new(&derived_key(secret, purpose).into()))
    }

    /// Seals `value` for the row `id`.
    pub fn seal(&self, id: &str, value: &[u8]) -> Result<String, SealError> {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let payload = Payload {
            msg: value,
            aad: id.as_bytes(),
        };
        let sealed = self.0.encrypt(&nonce, payload).map_err(|_| SealError)?;
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        Ok(format!("{FORMAT}{}", URL_SAFE_NO_PAD.encode(bytes)))
    }

    /// True when `stored` is in the sealed format (older rows may predate sealing).
    pub fn is_sealed(stored: &str) -> bool {
        stored.starts_with(FORMAT)
    }

    /// The value, or `None` when it was sealed under another secret or purpose, for another
    /// row, or tampered with.
    pub fn open(&self, id: &str, sealed: &str) -> Option<Vec<u8>> {
        let bytes = URL_SAFE_NO_PAD.decode(sealed.strip_prefix(FORMAT)?).ok()?;
        if bytes.len() <= NONCE_LEN {
            return None;
        }
        let (nonce, ciphertext) = bytes.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().ok()?;
        let payload = Payload {
            msg: ciphertext,
            aad: id.as_bytes(),
        };
        self.0.decrypt(&XNonce::from(nonce), payload).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_value_opens_only_with_its_secret_its_purpose_and_its_id() {
        let sealer = Sealer::new(&[7; 32], SIGNING_KEYS);
        let sealed = sealer.seal("kid-1", b"private").unwrap();

        assert_eq!(
            sealer.open("kid-1", &sealed).as_deref(),
            Some(&b"private"[..])
        );
        assert_eq!(
            Sealer::new(&[8; 32], SIGNING_KEYS).open("kid-1", &sealed),
            None
        );
        assert_eq!(Sealer::new(&[7; 32], MAIL).open("kid-1", &sealed), None);
        assert_eq!(sealer.open("kid-2", &sealed), None);
        assert!(!sealed.contains("private"));
    }
}
