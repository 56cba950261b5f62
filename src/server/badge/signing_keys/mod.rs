//! EdDSA signing keys: stored in the database (private halves sealed), held in memory as a
//! `KeyRing` that every instance re-reads at least every 30 seconds, and at once (at most once a
//! second) when a badge names a key it does not know.

pub mod life_cycle;
mod material;
pub mod store;

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
    /// The key that signs at `now`, with its id.
    pub fn signer(&self, now: i64) -> Option<(&str, &EncodingKey)> {
        // The same rule as `life_cycle::active`, without copying the set on every mint.
        let key = self
            .keys
            .iter()
            .filter(|k| KeyState::at(k.row.activates_at, k.row.retires_at, now) == KeyState::Active)
            .max_by_key(|k| k.row.generation)?;
        Some((key.row.kid.as_str(), key.encoding.as_ref()?))
    }

    /// The key that verifies badges naming `kid` (next, active or retired).
    pub fn verifier(&self, kid: &str) -> Option<&DecodingKey> {
        self.keys
            .iter()
            .find(|k| k.row.kid == kid)
            .map(|k| &k.decoding)
    }

    /// Every published key, public members only.
    pub fn jwks(&self) -> JwkSet {
        JwkSet {
            keys: self
                .keys
                .iter()
                .map(|k| material::public_jwk(&k.row.kid, &k.row.public_key))
                .collect(),
        }
    }
}

/// Keys sealed under a previous secret are sealed again under the current one, so changing
/// `AUTH_SECRET` never makes a stored key unreadable. Runs at every start, in either mode.
pub async fn reseal_stored_keys(
    db: &Db,
    secret: &[u8],
    previous: &[&[u8]],
) -> Result<(), KeyRingError> {
    let current = Sealer::new(secret, sealing::SIGNING_KEYS);
    let previous: Vec<Sealer> = previous
        .iter()
        .map(|s| Sealer::new(s, sealing::SIGNING_KEYS))
        .collect();
    for row in store::all(db).await? {
        if current.open(&row.kid, &row.sealed_private_key).is_some() {
            continue;
        }
        let private = previous
            .iter()
            .find_map(|sealer| sealer.open(&row.kid, &row.sealed_private_key))
            .ok_or_else(|| KeyRingError::Unreadable(row.kid.clone()))?;
        let resealed = current.seal(&row.kid, &private).map_err(StoreError::from)?;
        store::reseal(db, &row.kid, &row.sealed_private_key, &resealed).await?;
        tracing::info!(kid = %row.kid, "signing key sealed again under the current AUTH_SECRET");
    }
    Ok(())
}

pub struct KeyRing {
    db: Db,
    sealer: Sealer,
    timings: Timings,
    current: RwLock<Arc<KeySet>>,
    /// When the set was last read; held while reading, so concurrent readers coalesce.
    last_refresh: Mutex<Instant>,
    /// How many times the set was read from the database (the throttle test reads it; the
    /// metrics of issue 14 will too).
    reads: AtomicU64,
}

impl KeyRing {
    /// At start-up: reseals keys sealed under a previous secret, makes sure a key signs, and
    /// loads the set.
    pub async fn open(
        db: Db,
        secret: &[u8],
        previous: &[&[u8]],
        timings: Timings,
    ) -> Result<Self, KeyRingError> {
        let ring = Self {
            db,
            sealer: Sealer::new(secret, sealing::SIGNING_KEYS),
            timings,
            current: RwLock::new(Arc::default()),
            last_refresh: Mutex::new(Instant::now()),
            reads: AtomicU64::new(0),
        };
        reseal_stored_keys(&ring.db, secret, previous).await?;
        ring.apply_due().await?;
        ring.refresh().await?;
        Ok(ring)
    }

    /// Applies what the life cycle asks for now. A change another process made first is not an
    /// error: the state is read again and the plan made anew.
    pub async fn apply_due(&self) -> Result<(), KeyRingError> {
        for _attempt in 0..3 {
            let rows = store::all(&self.db).await?;
            let times: Vec<_> = rows.iter().map(KeyRow::times).collect();
            let now = unix_now();
            let newest = rows.last().map_or(0, |r| r.generation);
            let mut lost_race = false;
            for step in life_cycle::due(&times, now, self.timings) {
                let done = match &step {
                    Step::CreateActive => {
                        store::create(&self.db, &self.sealer, newest + 1, now, now).await
                    }
                    Step::CreateNext { activates_at } => {
                        store::create(&self.db, &self.sealer, newest + 1, *activates_at, now).await
                    }
                    Step::Delete { kid } => store::delete(&self.db, kid)
                        .await
                        .map(|()| kid.clone())
                        .map_err(StoreError::from),
                };
                match done {
                    Ok(kid) => tracing::info!(?step, %kid, "signing keys changed"),
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
                let Some(seed) = self.genuine_seed(&row) else {
                    tracing::error!(
                        kid = %row.kid,
                        "a signing_keys row is not a key this deployment made (its kid is not \
                         its thumbprint, or its private half does not open under AUTH_SECRET or \
                         match its public half): ignored; someone with write access to the \
                         database may have planted it"
                    );
                    return None;
                };
                let decoding = material::decoding_key(&row.public_key)?;
                let may_sign = KeyState::of(&row.times(), now) != KeyState::Retired;
                let encoding = may_sign.then(|| material::encoding_key(&seed)).flatten();
                Some(LoadedKey {
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

    /// The private seed of a row this deployment made: its kid is the thumbprint of its public
    /// half, and its sealed private half opens under the current secret and yields that public
    /// half. Database write access alone cannot make such a row, so it cannot plant a key that
    /// badges would be verified with.
    fn genuine_seed(&self, row: &KeyRow) -> Option<Vec<u8>> {
        if material::thumbprint(&row.public_key) != row.kid {
            return None;
        }
        let seed = self.sealer.open(&row.kid, &row.sealed_private_key)?;
        (material::public_key_of(&seed)? == row.public_key).then_some(seed)
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

/// `badge keys rotate`: a new key signs from now on (the published next key if there is one);
/// the old one retires and stays published. Returns the new signing key's id.
pub async fn rotate(db: &Db, secret: &[u8]) -> Result<String, KeyRingError> {
    let sealer = Sealer::new(secret, sealing::SIGNING_KEYS);
    let mut outcome = Err(StoreError::LostRace);
    for _attempt in 0..3 {
        let newest = store::all(db).await?.last().map_or(0, |r| r.generation);
        outcome = store::rotate_now(db, &sealer, newest, unix_now()).await;
        if !matches!(outcome, Err(StoreError::LostRace)) {
            break;
        }
    }
    Ok(outcome?)
}

/// `badge keys revoke KID`: removed from the JWKS and refused at once (every instance follows
/// within `REFRESH_INTERVAL`); if it was signing, a new key takes over.
pub async fn revoke(db: &Db, secret: &[u8], kid: &str) -> Result<(), KeyRingError> {
    Ok(store::revoke(
        db,
        &Sealer::new(secret, sealing::SIGNING_KEYS),
        kid,
        unix_now(),
    )
    .await?)
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
        Arc::new(KeyRing::open(db, &[7; 32], &[], timings).await.unwrap())
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
