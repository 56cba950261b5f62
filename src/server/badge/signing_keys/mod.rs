//! Signing keys (EdDSA for badges, RS256 for Badge as an OpenID Provider): stored in the
//! database (private halves sealed), held in memory as a `KeyRing` that every instance re-reads
//! at least every 30 seconds, and at once (at most once a second) when a token names a key it
//! does not know. Each algorithm has its own life cycle; the operator's commands are in
//! `operator.rs`.

pub mod life_cycle;
mod material;
mod operator;
pub mod store;

pub use material::KeyAlgorithm;
pub use operator::{reseal_stored_keys, revoke, rotate};

use std::{
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, RwLock,
    },
    time::{Duration, Instant},
};

use tokio::sync::Mutex;

use jsonwebtoken::{jwk::JwkSet, DecodingKey, EncodingKey};

use crate::server::sealing::{self, Sealer};
use crate::server::{clock::unix_now, db::Db};
use life_cycle::{KeyState, Step, Timings};
use store::{KeyRow, StoreError};

/// How often each instance re-reads the key set and applies what the life cycle asks for.
pub const REFRESH_INTERVAL: Duration = Duration::from_secs(30);
/// A badge with an unknown `kid` triggers a re-read at most this often.
const UNKNOWN_KID_REFRESH: Duration = Duration::from_secs(1);

#[derive(Debug, thiserror::Error)]
pub enum KeyRingError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(
        "AUTH_SECRET: the signing key {0} was sealed under a secret that is neither AUTH_SECRET \
         nor in AUTH_SECRET_PREVIOUS; add the old secret to AUTH_SECRET_PREVIOUS, or remove the \
         key with `badge keys revoke {0}`"
    )]
    Unreadable(String),
}

impl From<sqlx::Error> for KeyRingError {
    fn from(error: sqlx::Error) -> Self {
        Self::Store(error.into())
    }
}

/// One stored key, ready to verify (and, until it retires, to sign).
struct LoadedKey {
    algorithm: KeyAlgorithm,
    row: KeyRow,
    decoding: DecodingKey,
    encoding: Option<EncodingKey>,
}

/// The key set as last read from the database.
#[derive(Default)]
pub struct KeySet {
    keys: Vec<LoadedKey>,
}

impl KeySet {
    /// The `algorithm` key that signs at `now`, with its id.
    pub fn signer(&self, algorithm: KeyAlgorithm, now: i64) -> Option<(&str, &EncodingKey)> {
        // The same rule as `life_cycle::active`, without copying the set on every mint.
        let key = self
            .keys
            .iter()
            .filter(|k| k.algorithm == algorithm)
            .filter(|k| KeyState::at(k.row.activates_at, k.row.retires_at, now) == KeyState::Active)
            .max_by_key(|k| k.row.generation)?;
        Some((key.row.kid.as_str(), key.encoding.as_ref()?))
    }

    /// The `algorithm` key that verifies tokens naming `kid` (next, active or retired).
    pub fn verifier(&self, kid: &str, algorithm: KeyAlgorithm) -> Option<&DecodingKey> {
        self.keys
            .iter()
            .find(|k| k.row.kid == kid && k.algorithm == algorithm)
            .map(|k| &k.decoding)
    }

    /// Every published key, public members only.
    pub fn jwks(&self) -> JwkSet {
        JwkSet {
            keys: self
                .keys
                .iter()
                .filter_map(|k| k.algorithm.public_jwk(&k.row.kid, &k.row.public_key))
                .collect(),
        }
    }
}

pub struct KeyRing {
    db: Db,
    sealer: Sealer,
    timings: Timings,
    /// The algorithms this deployment signs with; keys of others stay stored but unused.
    algorithms: Vec<KeyAlgorithm>,
    current: RwLock<Arc<KeySet>>,
    /// When the set was last read; held while reading, so concurrent readers coalesce.
    last_refresh: Mutex<Instant>,
    /// How many times the set was read from the database (the throttle test reads it; the
    /// metrics of issue 14 will too).
    reads: AtomicU64,
}

impl KeyRing {
    /// At start-up: reseals keys sealed under a previous secret, makes sure a key of each of
    /// `algorithms` signs, and loads the set.
    pub async fn open(
        db: Db,
        secret: &[u8],
        previous: &[&[u8]],
        timings: Timings,
        algorithms: Vec<KeyAlgorithm>,
    ) -> Result<Self, KeyRingError> {
        let ring = Self {
            db,
            sealer: Sealer::new(secret, sealing::SIGNING_KEYS),
            timings,
            algorithms,
            current: RwLock::new(Arc::default()),
            last_refresh: Mutex::new(Instant::now()),
            reads: AtomicU64::new(0),
        };
        reseal_stored_keys(&ring.db, secret, previous, &ring.algorithms).await?;
        ring.apply_due().await?;
        ring.refresh().await?;
        Ok(ring)
    }

    /// Applies what the life cycle asks for now. A change another process made first is not an
    /// error: the state is read again and the plan made anew.
    pub async fn apply_due(&self) -> Result<(), KeyRingError> {
        for algorithm in &self.algorithms {
            self.apply_due_for(*algorithm).await?;
        }
        Ok(())
    }

    async fn apply_due_for(&self, algorithm: KeyAlgorithm) -> Result<(), KeyRingError> {
        for _attempt in 0..3 {
            let rows: Vec<KeyRow> = store::all(&self.db)
                .await?
                .into_iter()
                .filter(|row| row.key_algorithm() == Some(algorithm))
                .collect();
            let times: Vec<_> = rows.iter().map(KeyRow::times).collect();
            let now = unix_now();
            let newest = rows.last().map_or(0, |r| r.generation);
            let mut lost_race = false;
            for step in life_cycle::due(&times, now, self.timings) {
                let create = |activates_at| {
                    store::create(
                        &self.db,
                        &self.sealer,
                        algorithm,
                        newest + 1,
                        activates_at,
                        now,
                    )
                };
                let done = match &step {
                    Step::CreateActive => create(now).await,
                    Step::CreateNext { activates_at } => create(*activates_at).await,
                    Step::Delete { kid } => store::delete(&self.db, kid)
                        .await
                        .map(|()| kid.clone())
                        .map_err(StoreError::from),
                };
                match done {
                    Ok(kid) => {
                        tracing::info!(?step, %kid, algorithm = algorithm.name(), "signing keys changed");
                    }
                    Err(StoreError::LostRace) => lost_race = true,
                    Err(e) => return Err(e.into()),
                }
            }
            if !lost_race {
                return Ok(());
            }
        }
        Ok(())
    }

    /// Reads the key set from the database.
    pub async fn refresh(&self) -> Result<(), KeyRingError> {
        let mut last = self.last_refresh.lock().await;
        self.load().await?;
        *last = Instant::now();
        Ok(())
    }

    async fn load(&self) -> Result<(), KeyRingError> {
        self.reads.fetch_add(1, Ordering::Relaxed);
        let now = unix_now();
        let keys = store::all(&self.db)
            .await?
            .into_iter()
            .filter_map(|row| {
                let algorithm = row
                    .key_algorithm()
                    .filter(|algorithm| self.algorithms.contains(algorithm))?;
                let Some(private) = self.genuine_private_half(algorithm, &row) else {
                    tracing::error!(
                        kid = %row.kid,
                        "a signing_keys row is not a key this deployment made (its kid is not \
                         its thumbprint, or its private half does not open under AUTH_SECRET or \
                         match its public half): ignored; someone with write access to the \
                         database may have planted it"
                    );
                    return None;
                };
                let decoding = algorithm.decoding_key(&row.public_key)?;
                let may_sign = KeyState::of(&row.times(), now) != KeyState::Retired;
                let encoding = may_sign.then(|| algorithm.encoding_key(&private)).flatten();
                Some(LoadedKey {
                    algorithm,
                    row,
                    decoding,
                    encoding,
                })
            })
            .collect();
        let set = Arc::new(KeySet { keys });
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = set;
        Ok(())
    }

    /// The private half of a row this deployment made: its kid is the thumbprint of its public
    /// half, and its sealed private half opens under the current secret and yields that public
    /// half. Database write access alone cannot make such a row, so it cannot plant a key that
    /// tokens would be verified with.
    fn genuine_private_half(&self, algorithm: KeyAlgorithm, row: &KeyRow) -> Option<Vec<u8>> {
        if algorithm.thumbprint(&row.public_key)? != row.kid {
            return None;
        }
        let private = self.sealer.open(&row.kid, &row.sealed_private_key)?;
        (algorithm.public_key_of(&private)? == row.public_key).then_some(private)
    }

    /// Re-reads the set for a badge naming an unknown key, `asked_at` when the badge came in.
    /// At most one read a second: a caller waits out the rest of the second, and callers that
    /// waited for a read that began after they asked use that one (a flood of made-up `kid`s
    /// must not become a flood of queries).
    pub async fn refresh_for_unknown_kid(&self, asked_at: Instant) {
        let mut last = self.last_refresh.lock().await;
        if *last > asked_at {
            return;
        }
        tokio::time::sleep(UNKNOWN_KID_REFRESH.saturating_sub(last.elapsed())).await;
        match self.load().await {
            Ok(()) => *last = Instant::now(),
            Err(e) => tracing::warn!(error = %e, "re-reading the signing keys failed"),
        }
    }

    /// The set as last read.
    pub fn snapshot(&self) -> Arc<KeySet> {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Forever: apply the life cycle and re-read the set, every `REFRESH_INTERVAL`.
    pub async fn maintain(self: Arc<Self>) {
        let mut every = tokio::time::interval(REFRESH_INTERVAL);
        loop {
            every.tick().await;
            if let Err(e) = self.apply_due().await {
                tracing::warn!(error = %e, "applying the signing-key life cycle failed");
            }
            if let Err(e) = self.refresh().await {
                tracing::warn!(error = %e, "re-reading the signing keys failed");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn ring(dir: &tempfile::TempDir) -> Arc<KeyRing> {
        let url = format!("sqlite://{}/keys.db", dir.path().display());
        let db = crate::server::db::connect(&url, Some(2)).await.unwrap();
        let timings = Timings {
            rotation: None,
            badge_ttl: Duration::from_secs(900),
        };
        Arc::new(
            KeyRing::open(db, &[7; 32], &[], timings, vec![KeyAlgorithm::EdDsa])
                .await
                .unwrap(),
        )
    }

    #[tokio::test]
    async fn a_flood_of_unknown_kids_reads_the_keys_at_most_once_a_second() {
        let dir = tempfile::tempdir().unwrap();
        let ring = ring(&dir).await;
        let started = Instant::now();

        for wave in 1..=2u64 {
            let asked_at = Instant::now();
            let callers: Vec<_> = (0..50)
                .map(|_| {
                    let ring = ring.clone();
                    tokio::spawn(async move { ring.refresh_for_unknown_kid(asked_at).await })
                })
                .collect();
            for caller in callers {
                caller.await.unwrap();
            }

            // One read at start-up, then one per wave, each a second after the one before.
            assert_eq!(ring.reads.load(Ordering::Relaxed), 1 + wave);
            assert!(started.elapsed() >= UNKNOWN_KID_REFRESH * u32::try_from(wave).unwrap());
        }
    }
}
