//! The hashing pool: argon2id off the async runtime on threads of its own (one per CPU, at the
//! lowest CPU priority), so a login flood queues instead of exhausting memory (19 MiB per hash)
//! or starving other requests.

use std::sync::Arc;

use tokio::sync::{oneshot, Semaphore};

use super::argon2id::{hash_now, unmatchable_hash, verify_now, Verified};
use crate::{domain::Password, server::priority};

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("argon2: {0}")]
    Argon2(#[from] argon2::password_hash::Error),
    #[error("starting the hashing threads failed: {0}")]
    Pool(#[from] rayon::ThreadPoolBuildError),
    #[error("the hashing job was lost (a panic in the pool)")]
    Lost,
    #[error("hashing pool closed")]
    Closed,
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
    /// Jobs waiting for a hashing thread (the metrics' queue length).
    waiting: Arc<std::sync::atomic::AtomicUsize>,
}

impl PasswordHasher {
    /// Sized to the CPUs: more concurrent hashes would only compete for the same cores.
    pub fn new() -> Result<Self, HashError> {
        let cpus = std::thread::available_parallelism().map_or(2, |n| n.get());
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(cpus)
            .thread_name(|i| format!("argon2-{i}"))
            // Hashing yields the CPU to request handling: a sign-in flood then slows sign-ins,
            // not the API.
            .start_handler(|_| priority::lower_this_thread())
            .build()?;
        let dummy_hash = unmatchable_hash()?;
        Ok(Self {
            pool: Arc::new(pool),
            permits: Arc::new(Semaphore::new(cpus)),
            dummy_hash: dummy_hash.into(),
            waiting: Arc::default(),
        })
    }

    pub async fn hash(&self, password: &Password) -> Result<String, HashError> {
        let password = password.expose().to_owned();
        Ok(self.run(move || hash_now(&password)).await??)
    }

    /// How many hashing jobs are waiting for a thread now.
    pub fn queue_length(&self) -> usize {
        self.waiting.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Checks `password` against `stored`, or against the dummy hash when there is no user.
    pub async fn verify(
        &self,
        password: &Password,
        stored: Option<&str>,
    ) -> Result<Verified, HashError> {
        let stored = stored.filter(|hash| *hash != super::NO_PASSWORD);
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
        use std::sync::atomic::Ordering;
        self.waiting.fetch_add(1, Ordering::Relaxed);
        let permit = self.permits.acquire().await;
        self.waiting.fetch_sub(1, Ordering::Relaxed);
        let _permit = permit.map_err(|_| HashError::Closed)?;
        let span = tracing::Span::current();
        let (done, result) = oneshot::channel();
        self.pool.spawn(move || {
            let _ = done.send(span.in_scope(job));
        });
        result.await.map_err(|_| HashError::Lost)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::{
        password_hash::{PasswordHasher as _, SaltString},
        Algorithm, Argon2, Params, Version,
    };
    use rand::rngs::OsRng;

    fn password(s: &str) -> Password {
        Password::parse(s.to_owned()).unwrap()
    }

    async fn check(hasher: &PasswordHasher, attempt: &str, stored: Option<&str>) -> Verified {
        hasher.verify(&password(attempt), stored).await.unwrap()
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
            check(&hasher, "correct horse", Some(&hash)).await,
            Verified::Yes
        );
        assert_eq!(
            check(&hasher, "wrong horse", Some(&hash)).await,
            Verified::No
        );
    }

    #[tokio::test]
    async fn an_unknown_user_never_verifies_even_with_the_dummy_password() {
        let hasher = PasswordHasher::new().unwrap();
        assert_eq!(check(&hasher, "anything at all", None).await, Verified::No);
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

        match check(&hasher, "correct horse", Some(&weak)).await {
            Verified::YesRehashed(new) => assert!(new.contains("m=19456,t=2,p=1"), "{new}"),
            other => panic!("expected a rehash, got {other:?}"),
        }
        assert_eq!(
            check(&hasher, "wrong horse", Some(&weak)).await,
            Verified::No
        );
    }
}
