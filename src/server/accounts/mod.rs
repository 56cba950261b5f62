//! Accounts and sessions as plain Rust: create an account, sign in, find the user behind a
//! session token, sign out (here), and the account page's operations (`self_service`). No HTTP
//! here (cookies, statuses and rate limits belong to the callers in `server::http` and
//! `crate::auth`), so the rules read like the spec.

mod device;
pub mod door;
pub mod email_tokens;
pub mod external;
mod mail_flows;
pub mod passkeys;
pub mod passwords;
mod self_service;
pub mod sessions;
pub mod two_factor;
pub mod users;

use std::sync::Arc;

use tokio::sync::Semaphore;

use crate::{
    domain::{Email, Password, SessionToken},
    server::{
        db::{Db, HousekeepingDb},
        mail::{MailError, MailQueue},
    },
    wire::User,
};
use door::{Entry, OpenedSession, Proof};
use passkeys::RelyingParty;
use passwords::{HashError, PasswordHasher, Verified};
use sessions::{ActiveSession, ClientInfo, Lifetime};
use two_factor::TwoFactorKeys;

/// Reset requests being looked up at once, off the request path; more are dropped (logged).
const RESET_REQUESTS_IN_FLIGHT: usize = 64;

/// Why an account operation failed.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("an account with this email already exists")]
    EmailTaken,
    #[error("invalid email or password")]
    InvalidCredentials,
    /// The password a signed-in person confirmed with is wrong.
    #[error("wrong password")]
    WrongPassword,
    /// No session of this user has that id.
    #[error("no such session")]
    SessionNotFound,
    /// A mailed link that is unknown, used or expired.
    #[error("invalid or expired link")]
    InvalidLink,
    /// `REQUIRE_EMAIL_VERIFICATION` and the email is not verified (the password was right).
    #[error("email not verified")]
    EmailNotVerified,
    /// Two-factor authentication is on already.
    #[error("two-factor authentication is on")]
    TwoFactorOn,
    /// Two-factor authentication is off.
    #[error("two-factor authentication is off")]
    TwoFactorOff,
    /// A TOTP or backup code that is wrong, used, or for no set-up.
    #[error("invalid code")]
    InvalidCode,
    /// The sign-in's challenge is missing, expired, used or ended by wrong codes.
    #[error("challenge expired")]
    ChallengeExpired,
    /// Passkeys need a site with a name (not an IP address).
    #[error("passkeys are not available on this site")]
    PasskeysUnavailable,
    /// A new passkey's answer was not accepted.
    #[error("invalid passkey")]
    InvalidPasskey,
    /// A passkey sign-in failed.
    #[error("passkey refused")]
    PasskeyRefused,
    /// No passkey of this user has that id.
    #[error("no such passkey")]
    PasskeyNotFound,
    /// An external provider's email is missing or not verified by it (and no account knows the
    /// provider's subject): it neither makes nor links an account.
    #[error("the provider did not verify the email")]
    ProviderEmailUnverified,
    /// A local account has the provider's email but never verified it: not linked.
    #[error("the local account's email is not verified")]
    LocalEmailUnverified,
    /// The provider account is connected to another user.
    #[error("the provider account belongs to another user")]
    IdentityTaken,
    /// The user has another account of this provider connected.
    #[error("another account of this provider is connected")]
    ProviderConnectedAlready,
    /// The provider is not connected to the user.
    #[error("provider not connected")]
    ProviderNotConnected,
    /// Disconnecting it would leave no way to sign in.
    #[error("the last way in")]
    LastWayIn,
    /// Reading or writing WebAuthn state failed (a fault of ours, not of the input).
    #[error("passkey: {0}")]
    Passkey(String),
    /// Sealing a secret, or building its set-up, failed.
    #[error("sealing a two-factor secret failed")]
    Sealing,
    #[error("mail: {0}")]
    Mail(#[from] MailError),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("password hashing: {0}")]
    Hashing(#[from] HashError),
}

/// The account operations, holding exactly what they need.
#[derive(Clone)]
pub struct Accounts {
    db: Db,
    hasher: PasswordHasher,
    sessions: Lifetime,
    mail: MailQueue,
    /// `REQUIRE_EMAIL_VERIFICATION`: no session until the email is verified.
    verification_required: bool,
    /// Bounds the reset requests handled in the background (`request_password_reset_later`).
    reset_requests: Arc<Semaphore>,
    two_factor_keys: Arc<TwoFactorKeys>,
    /// `None` when the site has no name passkeys could be bound to.
    passkeys: Option<Arc<RelyingParty>>,
}

impl Accounts {
    pub fn new(
        db: Db,
        hasher: PasswordHasher,
        sessions: Lifetime,
        mail: MailQueue,
        verification_required: bool,
        two_factor_keys: TwoFactorKeys,
        passkeys: Option<RelyingParty>,
    ) -> Self {
        Self {
            db,
            hasher,
            sessions,
            mail,
            verification_required,
            reset_requests: Arc::new(Semaphore::new(RESET_REQUESTS_IN_FLIGHT)),
            two_factor_keys: Arc::new(two_factor_keys),
            passkeys: passkeys.map(Arc::new),
        }
    }

    /// Creates the account, queues its verification mail, and opens its first session (unless
    /// verification is required first: then `None`). A taken email is refused, also when two
    /// sign-ups race: the unique constraint decides.
    #[tracing::instrument(skip_all, fields(email = %email))]
    pub async fn create_account(
        &self,
        email: &Email,
        password: &Password,
        client: &ClientInfo,
    ) -> Result<Option<OpenedSession>, AccountError> {
        // Cheap early answer for the common case; the insert below is what guarantees uniqueness.
        if users::find_by_email(&self.db, email).await?.is_some() {
            sign_up_outcome("email_taken");
            return Err(AccountError::EmailTaken);
        }
        let password_hash = self.hasher.hash(password).await?;
        let user = User {
            id: uuid::Uuid::new_v4().to_string(),
            email: email.as_str().to_owned(),
            email_verified: false,
        };

        let mut tx = self.db.begin().await?;
        match users::insert(&mut *tx, &user, &password_hash).await {
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                sign_up_outcome("email_taken");
                return Err(AccountError::EmailTaken);
            }
            other => other?,
        }
        self.queue_verification(&mut tx, &user.id, &user.email)
            .await?;
        let token = if self.verification_required {
            None
        } else {
            // A new account has no second factor: the door opens its session.
            Some(
                self.open_session(&mut tx, &user.id, Proof::Password, client)
                    .await?,
            )
        };
        tx.commit().await?;
        self.mail.wake_delivery();

        sign_up_outcome("created");
        tracing::info!(user_id = %user.id, "account created");
        Ok(token)
    }

    /// Checks the password and lets the person in through the door: a fresh session (never
    /// reusing one: no session fixation), or a challenge when two-factor authentication is on.
    /// An unknown email and a wrong password fail alike after the same work.
    /// The session opens only if the password checked is still the account's when it is
    /// stored: a reset or change that commits while the check runs wins (`hold_credential`).
    /// Unverified with `REQUIRE_EMAIL_VERIFICATION`: `EmailNotVerified` (the caller may send a
    /// fresh link, `resend_verification`, within its mail budget).
    #[tracing::instrument(skip_all, fields(email = %email))]
    pub async fn sign_in(
        &self,
        email: &Email,
        password: &Password,
        client: &ClientInfo,
    ) -> Result<Entry, AccountError> {
        let found = users::find_by_email(&self.db, email).await?;
        let stored_hash = found.as_ref().map(|row| row.password_hash.as_str());
        let verified = self.hasher.verify(password, stored_hash).await?;
        let (row, rehashed) = match (found, verified) {
            (Some(row), Verified::Yes) => (row, None),
            (Some(row), Verified::YesRehashed(new_hash)) => (row, Some(new_hash)),
            _ => return Err(sign_in_failed()),
        };
        if self.verification_required && !row.user.email_verified {
            sign_in_outcome("email_not_verified");
            return Err(AccountError::EmailNotVerified);
        }
        let user_id = &row.user.id;
        let mut tx = self.db.begin().await?;
        let replacement = rehashed.as_deref().unwrap_or(&row.password_hash);
        if !users::hold_credential(&mut *tx, user_id, &row.password_hash, replacement).await? {
            // The password changed while this one was being checked: it opens nothing now.
            tracing::info!(user_id = %user_id, "the password changed during the sign-in");
            return Err(sign_in_failed());
        }
        let entry = self
            .enter(&mut tx, user_id, Proof::Password, client)
            .await?;
        tx.commit().await?;
        if rehashed.is_some() {
            tracing::info!(user_id = %user_id, "password rehashed with current parameters");
        }
        if let Entry::Opened(_) = entry {
            sign_in_outcome("success");
            tracing::info!(user_id = %user_id, "signed in");
        } else {
            sign_in_outcome("second_factor_owed");
            tracing::info!(user_id = %user_id, "password right; a second factor is owed");
        }
        Ok(entry)
    }

    /// The user behind `token`, if its session exists and has not expired.
    pub async fn session(
        &self,
        token: &SessionToken,
    ) -> Result<Option<ActiveSession>, AccountError> {
        Ok(sessions::lookup(&self.db, token, self.sessions).await?)
    }

    /// Deletes the session; an unknown token is fine (sign-out is idempotent).
    pub async fn sign_out(&self, token: &SessionToken) -> Result<(), AccountError> {
        sessions::delete(&self.db, token).await?;
        tracing::info!("signed out");
        Ok(())
    }

    /// Password checks waiting for a hashing thread (a metric).
    pub fn hash_queue_length(&self) -> usize {
        self.hasher.queue_length()
    }

    /// Gives sessions made before sessions had ids one of their own (start-up, after migrating).
    pub async fn assign_missing_session_ids(&self) -> Result<u64, AccountError> {
        Ok(sessions::assign_missing_ids(&self.db).await?)
    }

    /// Deletes expired sessions and mailed links; returns how many sessions.
    pub async fn prune_expired_sessions(&self) -> Result<u64, AccountError> {
        let mut housekeeping = HousekeepingDb::open(&self.db).await?;
        email_tokens::prune_expired(&mut housekeeping).await?;
        two_factor::store::prune_expired(&mut housekeeping).await?;
        passkeys::store::prune_expired(&mut housekeeping).await?;
        crate::server::oidc::round_trips::prune_expired(&mut housekeeping).await?;
        Ok(sessions::prune_expired(&mut housekeeping).await?)
    }
}

fn sign_in_failed() -> AccountError {
    sign_in_outcome("invalid_credentials");
    tracing::info!("sign-in failed");
    AccountError::InvalidCredentials
}

fn sign_in_outcome(outcome: &'static str) {
    metrics::counter!("badge_sign_ins_total", "outcome" => outcome).increment(1);
}

fn sign_up_outcome(outcome: &'static str) {
    metrics::counter!("badge_sign_ups_total", "outcome" => outcome).increment(1);
}
