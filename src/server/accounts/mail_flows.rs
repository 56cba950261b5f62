//! The account operations that go through a mailed link: verifying the email, and resetting a
//! forgotten password. Each mail is queued in the outbox in the same transaction as the token
//! it carries, so a committed token always has its mail, and a rolled-back one never does.

use std::time::Duration;

use sqlx::AnyConnection;

use super::{
    email_tokens::{self, Purpose, UsedLink},
    sessions, users, AccountError, Accounts,
};
use crate::{
    domain::{Email, Password, SessionToken},
    server::{clock::unix_now, oauth::grants},
    wire::User,
};

/// How long a verification link lives.
const VERIFICATION_TTL: Duration = Duration::from_secs(24 * 3600);

impl Accounts {
    /// Queues a verification mail to `email` (inside the caller's transaction).
    pub(super) async fn queue_verification(
        &self,
        conn: &mut AnyConnection,
        user_id: &str,
        email: &str,
    ) -> Result<(), AccountError> {
        let token = email_tokens::create(
            &mut *conn,
            Purpose::VerifyEmail,
            user_id,
            email,
            VERIFICATION_TTL,
        )
        .await?;
        let mail = self.mail.composer.verify_email(email, token.expose())?;
        self.mail.enqueue(&mut *conn, &mail).await?;
        Ok(())
    }

    /// A fresh verification mail to the account with `email`, if it has one that is not
    /// verified yet (a sign-in refused for that reason asks for it).
    pub async fn resend_verification(&self, email: &Email) -> Result<(), AccountError> {
        if let Some(found) = users::find_by_email(&self.db, email).await? {
            self.send_verification(&found.user).await?;
        }
        Ok(())
    }

    /// A fresh verification mail for a signed-in person; false (and no mail) when the email is
    /// already verified.
    pub async fn send_verification(&self, user: &User) -> Result<bool, AccountError> {
        if user.email_verified {
            return Ok(false);
        }
        let mut tx = self.db.begin().await?;
        self.queue_verification(&mut tx, &user.id, &user.email)
            .await?;
        tx.commit().await?;
        self.mail.wake_delivery();
        tracing::info!(user_id = %user.id, "verification mail queued");
        Ok(true)
    }

    /// Uses a verification link: the address it was sent to is verified.
    pub async fn verify_email(&self, token: &SessionToken) -> Result<(), AccountError> {
        let mut tx = self.db.begin().await?;
        let link = consume_live(&mut tx, Purpose::VerifyEmail, token).await;
        // An expired link is deleted either way.
        let link = match link {
            Ok(link) => link,
            Err(error) => {
                tx.commit().await?;
                return Err(error);
            }
        };
        users::mark_email_verified(&mut *tx, &link.user_id, &link.email).await?;
        tx.commit().await?;
        tracing::info!(user_id = %link.user_id, "email verified");
        Ok(())
    }

    /// Handles a reset request off the request path, so the answer cannot tell whether an
    /// account has this email. At most `RESET_REQUESTS_IN_FLIGHT` at once: when the database is
    /// slow, more requests are dropped with a warning rather than piling up in memory.
    pub fn request_password_reset_later(&self, email: Email) {
        let Ok(permit) = self.reset_requests.clone().try_acquire_owned() else {
            metrics::counter!("badge_reset_requests_dropped_total").increment(1);
            tracing::warn!("too many password reset requests in flight: this one is dropped");
            return;
        };
        let accounts = self.clone();
        tokio::spawn(async move {
            // No answer waits for it: the log is where a failure shows.
            if let Err(error) = accounts.request_password_reset(&email).await {
                tracing::error!(%error, "a password reset request failed");
            }
            drop(permit);
        });
    }

    /// Queues a reset mail when an account has this email; otherwise does nothing.
    pub async fn request_password_reset(&self, email: &Email) -> Result<(), AccountError> {
        let Some(found) = users::find_by_email(&self.db, email).await? else {
            tracing::info!("password reset asked for an email without an account");
            return Ok(());
        };
        let user = found.user;
        let ttl = self.mail.composer.reset_ttl();
        let mut tx = self.db.begin().await?;
        let token =
            email_tokens::create(&mut *tx, Purpose::ResetPassword, &user.id, &user.email, ttl)
                .await?;
        let mail = self
            .mail
            .composer
            .reset_password(&user.email, token.expose())?;
        self.mail.enqueue(&mut *tx, &mail).await?;
        tx.commit().await?;
        self.mail.wake_delivery();
        tracing::info!(user_id = %user.id, "password reset mail queued");
        Ok(())
    }

    /// True when a reset link can still be used (the page says so before a password is typed).
    pub async fn reset_link_is_live(&self, token: &SessionToken) -> Result<bool, AccountError> {
        Ok(email_tokens::is_live(&self.db, Purpose::ResetPassword, token).await?)
    }

    /// Uses a reset link: sets the new password and ends every session of the user (whoever
    /// knew the old password is out). Opening the link proves the mailbox, so the email
    /// counts as verified too.
    pub async fn reset_password(
        &self,
        token: &SessionToken,
        new: &Password,
    ) -> Result<(), AccountError> {
        // Refuse a dead link before the expensive hash; the transaction below decides.
        if !email_tokens::is_live(&self.db, Purpose::ResetPassword, token).await? {
            return Err(AccountError::InvalidLink);
        }
        let new_hash = self.hasher.hash(new).await?;
        let mut tx = self.db.begin().await?;
        let link = consume_live(&mut tx, Purpose::ResetPassword, token).await?;
        users::set_password_hash(&mut *tx, &link.user_id, &new_hash).await?;
        let ended = sessions::delete_all(&mut *tx, &link.user_id).await?;
        grants::revoke_for_user(&mut tx, &link.user_id, None).await?;
        email_tokens::delete_for_user(&mut *tx, &link.user_id, Some(Purpose::ResetPassword))
            .await?;
        users::mark_email_verified(&mut *tx, &link.user_id, &link.email).await?;
        tx.commit().await?;
        tracing::info!(user_id = %link.user_id, ended, "password reset");
        Ok(())
    }
}

/// Deletes the link and returns it if it had not expired.
async fn consume_live(
    conn: &mut AnyConnection,
    purpose: Purpose,
    token: &SessionToken,
) -> Result<UsedLink, AccountError> {
    match email_tokens::consume(conn, purpose, token).await? {
        Some(link) if link.expires_at > unix_now() => Ok(link),
        _ => Err(AccountError::InvalidLink),
    }
}
