//! argon2id PHC strings with OWASP's parameters: hashing with a fresh salt, verifying against
//! any stored argon2 hash (in constant time), and telling when a stored hash needs redoing.
//! Computed in a reusable per-thread buffer, so a hash allocates nothing.

use std::cell::RefCell;

use argon2::{
    password_hash::{Error, Output, ParamsString, PasswordHash, SaltString},
    Algorithm, Argon2, Block, Params, Version,
};
use rand::{rngs::OsRng, RngCore};

/// OWASP (2024): argon2id, m = 19 MiB, t = 2, p = 1.
const MEMORY_KIB: u32 = 19_456;
const ITERATIONS: u32 = 2;
const PARALLELISM: u32 = 1;

/// The result of checking a password against a stored hash.
#[derive(Debug, PartialEq, Eq)]
pub enum Verified {
    No,
    Yes,
    /// Correct, but stored with other parameters: store this new hash.
    YesRehashed(String),
}

/// The configured hasher (shared with the `argon2-rate` bench binary).
pub fn argon2() -> Argon2<'static> {
    let params = Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None)
        .expect("OWASP argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

thread_local! {
    /// This thread's argon2 working memory, allocated once and reused: no 19 MiB allocation per
    /// hash, so no page faults and no heap fragmentation (which grew the process by ~40 MiB).
    static MEMORY: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// Runs argon2 with `argon2`'s parameters into `out`, in this thread's reusable memory.
fn compute(
    argon2: &Argon2<'_>,
    params: &Params,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
) -> Result<(), Error> {
    MEMORY.with_borrow_mut(|blocks| {
        blocks.resize(params.block_count(), Block::default());
        argon2
            .hash_password_into_with_memory(password, salt, out, &mut blocks[..])
            .map_err(Error::from)
    })
}

/// A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`) for `password` with a new salt.
pub(super) fn hash_now(password: &str) -> Result<String, Error> {
    let salt = SaltString::generate(&mut OsRng);
    let params = argon2().params().clone();
    let mut salt_buf = [0u8; 64];
    let salt_bytes = salt.as_salt().decode_b64(&mut salt_buf)?;
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    compute(
        &argon2(),
        &params,
        password.as_bytes(),
        salt_bytes,
        &mut out,
    )?;
    phc_string(&params, &salt, &out)
}

/// A well-formed hash with today's parameters that no password matches (its output is random,
/// not computed): verifying against it costs exactly what verifying a real one costs, and making
/// it costs nothing, so start-up does not wait for an argon2 run.
pub(super) fn unmatchable_hash() -> Result<String, Error> {
    let salt = SaltString::generate(&mut OsRng);
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    OsRng.fill_bytes(&mut out);
    phc_string(argon2().params(), &salt, &out)
}

fn phc_string(params: &Params, salt: &SaltString, out: &[u8]) -> Result<String, Error> {
    let hash = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(params)?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(out)?),
    };
    Ok(hash.to_string())
}

/// Recomputes the stored hash's output with its own algorithm, version and cost, compares in
/// constant time (`Output`'s `==`), and rehashes with today's parameters when they differ.
pub(super) fn verify_now(password: &str, stored: &str) -> Result<Verified, Error> {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return Ok(Verified::No);
    };
    let algorithm = Algorithm::try_from(parsed.algorithm);
    let version = parsed.version.map_or(Ok(Version::V0x13), Version::try_from);
    let params = Params::try_from(&parsed);
    let (Ok(algorithm), Ok(version), Ok(params), Some(salt), Some(expected)) =
        (algorithm, version, params, parsed.salt, parsed.hash)
    else {
        return Ok(Verified::No);
    };
    let mut salt_buf = [0u8; 64];
    let Ok(salt_bytes) = salt.decode_b64(&mut salt_buf) else {
        return Ok(Verified::No);
    };
    let argon2 = Argon2::new(algorithm, version, params.clone());
    let mut out = vec![0u8; expected.len()];
    compute(&argon2, &params, password.as_bytes(), salt_bytes, &mut out)?;
    if Output::new(&out)? != expected {
        return Ok(Verified::No);
    }
    if needs_rehash(&parsed) {
        return hash_now(password).map(Verified::YesRehashed);
    }
    Ok(Verified::Yes)
}

/// True when a stored hash uses another algorithm, version or cost than today's.
fn needs_rehash(hash: &PasswordHash<'_>) -> bool {
    let current = Params::try_from(hash).ok();
    hash.algorithm != Algorithm::Argon2id.ident()
        || hash.version != Some(Version::V0x13 as u32)
        || current.is_none_or(|p| {
            p.m_cost() != MEMORY_KIB || p.t_cost() != ITERATIONS || p.p_cost() != PARALLELISM
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};

    #[test]
    fn the_unmatchable_hash_has_todays_parameters_and_matches_no_password() {
        let hash = unmatchable_hash().unwrap();
        let parsed = PasswordHash::new(&hash).unwrap();
        assert!(!needs_rehash(&parsed), "{hash}");
        assert_eq!(verify_now("", &hash).unwrap(), Verified::No);
        assert_eq!(verify_now("correct horse", &hash).unwrap(), Verified::No);
        assert_ne!(hash, unmatchable_hash().unwrap(), "a fresh salt each time");
    }

    #[test]
    fn our_phc_strings_interoperate_with_the_argon2_crate() {
        let ours = hash_now("correct horse").unwrap();
        assert!(argon2()
            .verify_password(b"correct horse", &PasswordHash::new(&ours).unwrap())
            .is_ok());

        let theirs = argon2()
            .hash_password(b"correct horse", &SaltString::generate(&mut OsRng))
            .unwrap()
            .to_string();
        assert_eq!(verify_now("correct horse", &theirs).unwrap(), Verified::Yes);
        assert_eq!(verify_now("wrong horse", &theirs).unwrap(), Verified::No);
        assert_eq!(
            verify_now("correct horse", "not a phc string").unwrap(),
            Verified::No
        );
    }

    #[test]
    fn current_parameters_need_no_rehash() {
        let hash = hash_now("whatever1").unwrap();
        assert!(!needs_rehash(&PasswordHash::new(&hash).unwrap()));
    }
}
