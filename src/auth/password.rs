//! Password hashing: argon2id with OWASP's parameters, off the async runtime on a small pool of
//! its own (one thread per CPU, at lower CPU priority), so a login flood queues instead of
//! exhausting memory (19 MiB per hash) or starving other requests.

use std::{cell::RefCell, sync::Arc};

use argon2::{
    password_hash::{Output, ParamsString, PasswordHash, SaltString},
    Algorithm, Argon2, Block, Params, Version,
};
use rand::rngs::OsRng;
use tokio::sync::{oneshot, Semaphore};

use crate::domain::Password;

/// OWASP (2024): argon2id, m = 19 MiB, t = 2, p = 1.
const MEMORY_KIB: u32 = 19_456;
const ITERATIONS: u32 = 2;
const PARALLELISM: u32 = 1;

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("argon2: {0}")]
    Argon2(argon2::password_hash::Error),
    #[error("starting the hashing threads failed: {0}")]
    Pool(#[from] rayon::ThreadPoolBuildError),
    #[error("the hashing job was lost (a panic in the pool)")]
    Lost,
    #[error("hashing pool closed")]
    Closed,
}

/// The result of checking a password against a stored hash.
#[derive(Debug, PartialEq, Eq)]
pub enum Verified {
    No,
    Yes,
    /// Correct, but stored with other parameters: store this new hash.
    YesRehashed(String),
}

#[derive(Clone)]
pub struct PasswordHasher {
    /// Fixed threads: each keeps its 19 MiB of argon2 memory warm (no page faults per hash),
    /// and memory stays bounded at threads × 19 MiB instead of growing with the blocking pool.
    pool: Arc<rayon::ThreadPool>,
    /// Bounds the jobs waiting for the pool, so waiting happens asynchronously and in order.
    permits: Arc<Semaphore>,
    /// Verified when the email is unknown, so that costs the same as a wrong password.
    dummy_hash: Arc<str>,
}

impl PasswordHasher {
    /// Sized to the CPUs: more concurrent hashes would only compete for the same cores.
    pub fn new() -> Result<Self, HashError> {
        let cpus = std::thread::available_parallelism().map_or(2, |n| n.get());
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(cpus)
            .thread_name(|i| format!("argon2-{i}"))
            .start_handler(|_| lower_thread_priority())
            .build()?;
        // On the pool, so the argon2 buffer lives in a hashing thread, not in the caller's.
        let dummy_hash = pool.install(|| hash_now(&random_secret()))?;
        Ok(Self {
            pool: Arc::new(pool),
            permits: Arc::new(Semaphore::new(cpus)),
            dummy_hash: dummy_hash.into(),
        })
    }

    pub async fn hash(&self, password: &Password) -> Result<String, HashError> {
        let password = password.expose().to_owned();
        self.run(move || hash_now(&password)).await?
    }

    /// Checks `password` against `stored`, or against the dummy hash when there is no user.
    pub async fn verify(
        &self,
        password: &Password,
        stored: Option<&str>,
    ) -> Result<Verified, HashError> {
        let is_real = stored.is_some();
        let stored = stored.map_or_else(|| self.dummy_hash.to_string(), str::to_owned);
        let password = password.expose().to_owned();
        let verified = self.run(move || verify_now(&password, &stored)).await??;
        Ok(if is_real { verified } else { Verified::No })
    }

    /// Runs CPU-heavy work on the hashing pool, at most one job per thread, keeping the span.
    async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, HashError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| HashError::Closed)?;
        let span = tracing::Span::current();
        let (done, result) = oneshot::channel();
        self.pool.spawn(move || {
            let _ = done.send(span.in_scope(job));
        });
        result.await.map_err(|_| HashError::Lost)
    }
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
) -> Result<(), HashError> {
    MEMORY.with_borrow_mut(|blocks| {
        blocks.resize(params.block_count(), Block::default());
        argon2
            .hash_password_into_with_memory(password, salt, out, &mut blocks[..])
            .map_err(|e| HashError::Argon2(e.into()))
    })
}

/// A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`) for `password` with a new salt.
fn hash_now(password: &str) -> Result<String, HashError> {
    let salt = SaltString::generate(&mut OsRng);
    let params = argon2().params().clone();
    let mut salt_buf = [0u8; 64];
    let salt_bytes = salt
        .as_salt()
        .decode_b64(&mut salt_buf)
        .map_err(HashError::Argon2)?;
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    compute(
        &argon2(),
        &params,
        password.as_bytes(),
        salt_bytes,
        &mut out,
    )?;
    let hash = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(HashError::Argon2)?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(HashError::Argon2)?),
    };
    Ok(hash.to_string())
}

/// Recomputes the stored hash's output with its own algorithm, version and cost, compares in
/// constant time (`Output`'s `==`), and rehashes with today's parameters when they differ.
fn verify_now(password: &str, stored: &str) -> Result<Verified, HashError> {
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
    if Output::new(&out).map_err(HashError::Argon2)? != expected {
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

/// Hashing yields the CPU to request handling: a sign-in flood then slows sign-ins, not the
/// API. (On Linux the nice value is per thread; elsewhere this is a no-op.)
fn lower_thread_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority only reads its integer arguments; who = 0 is the calling thread.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, HASHING_NICE);
    }
}

/// Nice value of the hashing threads (0 is normal, 19 the lowest priority).
const HASHING_NICE: libc::c_int = 19;

fn random_secret() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 24];
    OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};

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

    fn password(s: &str) -> Password {
        Password::parse(s.to_owned()).unwrap()
    }

    #[tokio::test]
    async fn a_hash_verifies_its_password_and_no_other() {
        let hasher = PasswordHasher::new().unwrap();
        let hash = hasher.hash(&password("correct horse")).await.unwrap();

        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert_eq!(
            hasher
                .verify(&password("correct horse"), Some(&hash))
                .await
                .unwrap(),
            Verified::Yes
        );
        assert_eq!(
            hasher
                .verify(&password("wrong horse"), Some(&hash))
                .await
                .unwrap(),
            Verified::No
        );
    }

    #[tokio::test]
    async fn an_unknown_user_never_verifies_even_with_the_dummy_password() {
        let hasher = PasswordHasher::new().unwrap();
        assert_eq!(
            hasher
                .verify(&password("anything at all"), None)
                .await
                .unwrap(),
            Verified::No
        );
    }

    #[tokio::test]
    async fn a_hash_with_old_parameters_is_rehashed_on_success() {
        let hasher = PasswordHasher::new().unwrap();
        let weak = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8, 1, 1, None).unwrap(),
        )
        .hash_password(b"correct horse", &SaltString::generate(&mut OsRng))
        .unwrap()
        .to_string();

        match hasher
            .verify(&password("correct horse"), Some(&weak))
            .await
            .unwrap()
        {
            Verified::YesRehashed(new) => assert!(new.contains("m=19456,t=2,p=1"), "{new}"),
            other => panic!("expected a rehash, got {other:?}"),
        }
        assert_eq!(
            hasher
                .verify(&password("wrong horse"), Some(&weak))
                .await
                .unwrap(),
            Verified::No
        );
    }

    #[test]
    fn current_parameters_need_no_rehash() {
        let hash = hash_now("whatever1").unwrap();
        assert!(!needs_rehash(&PasswordHash::new(&hash).unwrap()));
    }
}
