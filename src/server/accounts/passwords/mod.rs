//! Passwords: argon2id PHC strings (`argon2id`), computed on a hashing pool of their own
//! (`pool`) so that hashing never blocks the async runtime.

mod argon2id;
mod pool;

pub use argon2id::{argon2, Verified};
pub use pool::{HashError, PasswordHasher};

/// The stored "hash" of an account with no password yet (made through an external provider;
/// "Forgot password?" sets one). No password matches it, and checking one against it costs what
/// a real check costs, so it does not tell who has a password.
pub const NO_PASSWORD: &str = "!no-password";
