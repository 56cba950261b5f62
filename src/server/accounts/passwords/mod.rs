//! Passwords: argon2id PHC strings (`argon2id`), computed on a hashing pool of their own
//! (`pool`) so that hashing never blocks the async runtime.

mod argon2id;
mod pool;

pub use argon2id::{argon2, Verified};
pub use pool::{HashError, PasswordHasher};
