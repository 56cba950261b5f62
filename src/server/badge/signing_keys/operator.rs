//! What acts on the stored keys outside the ring's own life cycle: resealing under a new
//! `AUTH_SECRET` at start-up, and the operator's `badge keys rotate|revoke`.

use super::{
    material::KeyAlgorithm,
    store::{self, StoreError},
    KeyRingError,
};
use crate::server::{
    clock::unix_now,
    db::Db,
    sealing::{self, Sealer},
};

/// Keys sealed under a previous secret are sealed again under the current one, so changing
/// `AUTH_SECRET` never makes a stored key unreadable. Runs at every start. A key of an algorithm
/// in `in_use` that no secret opens stops the start; any other is only a warning (it is unused).
pub async fn reseal_stored_keys(
    db: &Db,
    secret: &[u8],
    previous: &[&[u8]],
    in_use: &[KeyAlgorithm],
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
        let Some(private) = previous
            .iter()
            .find_map(|sealer| sealer.open(&row.kid, &row.sealed_private_key))
        else {
            let unreadable = KeyRingError::Unreadable(row.kid.clone());
            if row.key_algorithm().is_some_and(|a| in_use.contains(&a)) {
                return Err(unreadable);
            }
            tracing::warn!(error = %unreadable, algorithm = %row.algorithm, "an unused signing key");
            continue;
        };
        let resealed = current.seal(&row.kid, &private).map_err(StoreError::from)?;
        store::reseal(db, &row.kid, &row.sealed_private_key, &resealed).await?;
        tracing::info!(kid = %row.kid, "signing key sealed again under the current AUTH_SECRET");
    }
    Ok(())
}

/// `badge keys rotate`: for each algorithm, a new key signs from now on (the published next key
/// if there is one); the old one retires and stays published. Returns each new signing key.
pub async fn rotate(
    db: &Db,
    secret: &[u8],
    algorithms: &[KeyAlgorithm],
) -> Result<Vec<(KeyAlgorithm, String)>, KeyRingError> {
    let sealer = Sealer::new(secret, sealing::SIGNING_KEYS);
    let mut rotated = Vec::new();
    for &algorithm in algorithms {
        let mut outcome = Err(StoreError::LostRace);
        for _attempt in 0..3 {
            let newest = store::all(db)
                .await?
                .iter()
                .filter(|row| row.key_algorithm() == Some(algorithm))
                .map(|row| row.generation)
                .max()
                .unwrap_or(0);
            outcome = store::rotate_now(db, &sealer, algorithm, newest, unix_now()).await;
            if !matches!(outcome, Err(StoreError::LostRace)) {
                break;
            }
        }
        rotated.push((algorithm, outcome?));
    }
    Ok(rotated)
}

/// `badge keys revoke KID`: removed from the JWKS and refused at once (every instance follows
/// within `REFRESH_INTERVAL`); if it was signing, a new key of its algorithm takes over.
pub async fn revoke(db: &Db, secret: &[u8], kid: &str) -> Result<(), KeyRingError> {
    Ok(store::revoke(
        db,
        &Sealer::new(secret, sealing::SIGNING_KEYS),
        kid,
        unix_now(),
    )
    .await?)
}
