//! Badges: the signed JWTs minted for a signed-in user and checked by `/api/hello-world` (and by
//! any backend with a standard JWT library). Knows nothing of accounts, routes or pages: it signs
//! a subject and an email, and checks a token.

mod claims;
pub mod crypto;
mod header;
mod jwks;
mod keys;
mod mint;
mod refusal;
mod signed;
pub mod signing_keys;
mod verify;

pub use claims::Claims;
pub use keys::BadgeKeys;
pub use mint::MintError;
pub use signing_keys::KeyAlgorithm;
pub use verify::BadgeError;
