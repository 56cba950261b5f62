//! Badge as an OpenID Provider: the clients the operator registered, the scopes they ask for,
//! the authorization requests, the codes, remembered consents and the tokens issued for them.
//! Knows nothing of routes or pages; `api/oauth2` speaks HTTP for it.

pub mod authorization;
pub mod clients;
pub mod codes;
pub mod consents;
pub mod grants;
pub mod introspection;
pub mod refresh;
mod scopes;
pub mod tokens;

pub use scopes::{Scopes, OFFLINE_ACCESS};

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// 256 random bits, base64url: codes and client secrets.
fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// What is stored of a code or a secret: its SHA-256, base64url.
fn digest(token: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(token.as_bytes()))
}
