//! Two-factor authentication (TOTP, RFC 6238, and backup codes) as plain Rust: set it up, turn
//! it on with a first code, turn it off, renew the backup codes, and answer the challenge a
//! right password leaves when it is on. The secret is sealed at rest like the signing keys;
//! backup codes are stored as HMACs; a time step is accepted once per user (one conditioned
//! UPDATE), and a challenge opens at most one session (deleted in the transaction that opens it).

mod backup_codes;
pub mod qr;
pub mod store;
pub mod totp;

use std::time::Duration;

use super::{
    door::{OpenedSession, Proof},
    sessions::ClientInfo,
    AccountError, Accounts,
};
use crate::{
    domain::{Password, SessionToken},
    server::{
        clock::{secs, unix_now},
        sealing::{self, derived_key, Sealer},
    },
};

/// How long a sign-in's second step may take.
pub const CHALLENGE_TTL: Duration = Duration::from_secs(300);
/// Wrong codes that end a challenge.
pub const MAX_FAILURES: i64 = 5;
/// How long a set-up waiting for its first code may be shown again (a page without WebAssembly
/// reloads between the steps).
const PENDING_SHOWN_FOR: Duration = Duration::from_secs(600);
/// The issuer authenticator apps show beside the account.
const ISSUER: &str = "Badge";

/// The keys two-factor authentication needs, derived from `AUTH_SECRET` (and the previous
/// secrets, so a sealed TOTP secret survives a secret change).
pub struct TwoFactorKeys {
    sealers: Vec<Sealer>,
    backup_code_key: [u8; 32],
}

impl TwoFactorKeys {
    pub fn new(secret: &[u8], previous: &[&[u8]]) -> Self {
        Self {
            sealers: std::iter::once(secret)
                .chain(previous.iter().copied())
                .map(|secret| Sealer::new(secret, sealing::TOTP_SECRETS))
                .collect(),
            backup_code_key: derived_key(secret, sealing::BACKUP_CODES),
        }
    }

    fn open(&self, user_id: &str, sealed: &str) -> Option<Vec<u8>> {
        self.sealers.iter().find_map(|s| s.open(user_id, sealed))
    }
}

/// Where the account stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TwoFactorState {
    Off,
    /// Set up moments ago, waiting for its first code: the key to show again.
    Pending(Setup),
    On,
}

/// What the authenticator app needs: the key as text and the `otpauth://` URL (the QR code).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setup {
    pub setup_key: String,
    pub otpauth_url: String,
}

impl Accounts {
    /// Where the user's two-factor authentication stands.
    pub async fn two_factor_state(
        &self,
        user_id: &str,
        email: &str,
    ) -> Result<TwoFactorState, AccountError> {
        let Some(row) = store::find(&self.db, user_id).await? else {
            return Ok(TwoFactorState::Off);
        };
        if row.enabled_at.is_some() {
            return Ok(TwoFactorState::On);
        }
        let recent = unix_now().saturating_sub(row.created_at) < secs(PENDING_SHOWN_FOR);
        match (
            recent,
            self.two_factor_keys.open(user_id, &row.sealed_secret),
        ) {
            (true, Some(secret)) => Ok(TwoFactorState::Pending(setup_of(&secret, email)?)),
            _ => Ok(TwoFactorState::Off),
        }
    }

    /// Starts setting up two-factor authentication (the password confirms it): a new secret,
    /// not on until `enable_two_factor` gets a code from it.
    pub async fn set_up_two_factor(
        &self,
        user_id: &str,
        email: &str,
        password: &Password,
    ) -> Result<Setup, AccountError> {
        self.confirm_password(user_id, password).await?;
        let secret = totp::new_secret();
        let sealed = self.two_factor_keys.sealers[0]
            .seal(user_id, &secret)
            .map_err(|_| AccountError::Sealing)?;
        if !store::start_setup(&self.db, user_id, &sealed).await? {
            return Err(AccountError::TwoFactorOn);
        }
        tracing::info!(user_id, "two-factor set-up started");
        setup_of(&secret, email)
    }

    /// Turns two-factor authentication on with a first code from the set-up; returns the
    /// backup codes, shown this once.
    pub async fn enable_two_factor(
        &self,
        user_id: &str,
        code: &str,
    ) -> Result<Vec<String>, AccountError> {
        let row = store::find(&self.db, user_id).await?;
        let step = row
            .filter(|row| row.enabled_at.is_none())
            .and_then(|row| self.two_factor_keys.open(user_id, &row.sealed_secret))
            .and_then(|secret| totp::matching_step(&secret, code, unix_seconds()))
            .ok_or(AccountError::InvalidCode)?;
        let codes = backup_codes::new_set();
        let mut tx = self.db.begin().await?;
        if !store::enable(&mut *tx, user_id, step_value(step)).await? {
            return Err(AccountError::InvalidCode);
        }
        store::replace_backup_codes(&mut tx, user_id, &self.stored_codes(user_id, &codes)).await?;
        self.keep_for_reveal(&mut tx, user_id, &codes).await?;
        tx.commit().await?;
        two_factor_outcome("enabled");
        tracing::info!(user_id, "two-factor authentication turned on");
        Ok(codes)
    }

    /// Turns two-factor authentication off (the password confirms it): secret, backup codes
    /// and open challenges deleted.
    pub async fn disable_two_factor(
        &self,
        user_id: &str,
        password: &Password,
    ) -> Result<(), AccountError> {
        self.confirm_password(user_id, password).await?;
        self.reset_two_factor(user_id).await?;
        Ok(())
    }

    /// The operator's recovery (`badge users reset-two-factor`) and `disable_two_factor`'s
    /// work: everything two-factor of the user deleted; false when there was nothing.
    pub async fn reset_two_factor(&self, user_id: &str) -> Result<bool, AccountError> {
        let mut tx = self.db.begin().await?;
        let had = store::delete_all(&mut tx, user_id).await?;
        tx.commit().await?;
        two_factor_outcome("disabled");
        tracing::info!(user_id, "two-factor authentication turned off");
        Ok(had)
    }

    /// New backup codes (the password confirms it); the old ones stop working.
    pub async fn new_backup_codes(
        &self,
        user_id: &str,
        password: &Password,
    ) -> Result<Vec<String>, AccountError> {
        self.confirm_password(user_id, password).await?;
        let on = store::find(&self.db, user_id)
            .await?
            .is_some_and(|row| row.enabled_at.is_some());
        if !on {
            return Err(AccountError::TwoFactorOff);
        }
        let codes = backup_codes::new_set();
        let mut tx = self.db.begin().await?;
        store::replace_backup_codes(&mut tx, user_id, &self.stored_codes(user_id, &codes)).await?;
        self.keep_for_reveal(&mut tx, user_id, &codes).await?;
        tx.commit().await?;
        tracing::info!(user_id, "new backup codes");
        Ok(codes)
    }

    /// The user a challenge belongs to, if it can still be answered (for the per-account limit
    /// on wrong codes, counted before the code is checked).
    pub async fn challenge_owner(
        &self,
        token: &SessionToken,
    ) -> Result<Option<String>, AccountError> {
        let challenge = store::find_challenge(&self.db, &token.hash()).await?;
        Ok(challenge
            .filter(|c| c.expires_at > unix_now() && c.failures < MAX_FAILURES)
            .map(|c| c.user_id))
    }

    /// Answers a sign-in's challenge with a TOTP code or a backup code: the session opens and
    /// the challenge is gone. A wrong code counts against the challenge (5 end it) and leaves it
    /// answerable; of two answers at once, one opens a session and the other finds the
    /// challenge gone.
    pub async fn answer_challenge(
        &self,
        token: &SessionToken,
        code: &str,
        client: &ClientInfo,
    ) -> Result<OpenedSession, AccountError> {
        let hash = token.hash();
        let mut tx = self.db.begin().await?;
        // First statement, a write: holds the challenge until this transaction ends.
        let Some(challenge) = store::consume_challenge(&mut *tx, &hash).await? else {
            return Err(AccountError::ChallengeExpired);
        };
        if challenge.expires_at <= unix_now() || challenge.failures >= MAX_FAILURES {
            tx.commit().await?;
            return Err(AccountError::ChallengeExpired);
        }
        let user_id = challenge.user_id;
        if !self.accept_code(&mut tx, &user_id, code).await? {
            // Undo the deletion: the challenge stays, with one more failure.
            tx.rollback().await?;
            let failures = store::count_failure(&self.db, &hash).await?;
            two_factor_outcome("wrong_code");
            tracing::info!(user_id, failures, "wrong two-factor code");
            return Err(AccountError::InvalidCode);
        }
        let proof = Proof::with_code_after(&challenge.first_factor);
        let opened = self.open_session(&mut tx, &user_id, proof, client).await?;
        tx.commit().await?;
        two_factor_outcome("success");
        tracing::info!(user_id, "signed in with a second factor");
        Ok(opened)
    }

    /// Whether `code` is a TOTP code of a step not used before, or an unused backup code, of
    /// the user; accepting it uses it (inside the caller's transaction).
    async fn accept_code(
        &self,
        conn: &mut sqlx::AnyConnection,
        user_id: &str,
        code: &str,
    ) -> Result<bool, AccountError> {
        if let Some(backup) = backup_codes::normalise(code) {
            let stored =
                backup_codes::stored_form(&self.two_factor_keys.backup_code_key, user_id, &backup);
            return Ok(store::use_backup_code(&mut *conn, user_id, &stored).await?);
        }
        let Some(row) = store::find(&mut *conn, user_id).await? else {
            return Ok(false);
        };
        let step = self
            .two_factor_keys
            .open(user_id, &row.sealed_secret)
            .and_then(|secret| totp::matching_step(&secret, code, unix_seconds()));
        match step {
            Some(step) if step_value(step) > row.last_step => {
                Ok(store::accept_step(&mut *conn, user_id, step_value(step)).await?)
            }
            _ => Ok(false),
        }
    }

    /// The door's question: is a second factor owed after `proof`? Then a challenge is stored
    /// (inside the caller's transaction) and its token returned.
    pub(super) async fn second_factor_owed(
        &self,
        conn: &mut sqlx::AnyConnection,
        user_id: &str,
        proof: Proof,
    ) -> sqlx::Result<Option<SessionToken>> {
        if proof.is_multi_factor() {
            return Ok(None);
        }
        let on = store::find(&mut *conn, user_id)
            .await?
            .is_some_and(|row| row.enabled_at.is_some());
        if !on {
            return Ok(None);
        }
        let token = SessionToken::generate();
        let expires_at = unix_now().saturating_add(secs(CHALLENGE_TTL));
        let first_factor = proof.amr().first().copied().unwrap_or("pwd");
        store::create_challenge(&mut *conn, &token.hash(), user_id, first_factor, expires_at)
            .await?;
        two_factor_outcome("challenged");
        Ok(Some(token))
    }

    /// The backup codes the account page shows once (then they are gone), if any are waiting.
    pub async fn take_fresh_backup_codes(
        &self,
        user_id: &str,
    ) -> Result<Option<Vec<String>>, AccountError> {
        let Some(sealed) = store::take_reveal(&self.db, user_id).await? else {
            return Ok(None);
        };
        let codes = self
            .two_factor_keys
            .open(&reveal_id(user_id), &sealed)
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .map(|text| text.split(' ').map(str::to_owned).collect());
        Ok(codes)
    }

    /// Keeps `codes` sealed for ten minutes, for the account page to show once (a page load
    /// sits between making them and seeing them).
    async fn keep_for_reveal(
        &self,
        conn: &mut sqlx::AnyConnection,
        user_id: &str,
        codes: &[String],
    ) -> Result<(), AccountError> {
        let sealed = self.two_factor_keys.sealers[0]
            .seal(&reveal_id(user_id), codes.join(" ").as_bytes())
            .map_err(|_| AccountError::Sealing)?;
        let expires_at = unix_now().saturating_add(secs(PENDING_SHOWN_FOR));
        store::keep_for_reveal(&mut *conn, user_id, &sealed, expires_at).await?;
        Ok(())
    }

    fn stored_codes(&self, user_id: &str, codes: &[String]) -> Vec<String> {
        codes
            .iter()
            .filter_map(|code| backup_codes::normalise(code))
            .map(|code| {
                backup_codes::stored_form(&self.two_factor_keys.backup_code_key, user_id, &code)
            })
            .collect()
    }
}

/// The associated data of kept backup codes (never the same as a TOTP secret's).
fn reveal_id(user_id: &str) -> String {
    format!("backup-codes {user_id}")
}

fn setup_of(secret: &[u8], email: &str) -> Result<Setup, AccountError> {
    let (setup_key, otpauth_url) =
        totp::setup_key_and_url(secret, email, ISSUER).ok_or(AccountError::Sealing)?;
    Ok(Setup {
        setup_key,
        otpauth_url,
    })
}

fn unix_seconds() -> u64 {
    u64::try_from(unix_now()).unwrap_or(0)
}

/// A step as stored (steps since 1970 fit an i64 for billions of years).
fn step_value(step: u64) -> i64 {
    i64::try_from(step).unwrap_or(i64::MAX)
}

fn two_factor_outcome(outcome: &'static str) {
    metrics::counter!("badge_two_factor_total", "outcome" => outcome).increment(1);
}
