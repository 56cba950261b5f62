//! What a signed-in person does on their account page: see their sessions, end one or all the
//! others, change their password, delete their account. Every operation is scoped to the user
//! the caller's own session belongs to; the two that need the password verify it through the
//! same hashing pool as sign-in (so they cost a guesser as much).

use super::{
    device,
    email_tokens::{self, Purpose},
    passwords::Verified,
    sessions::{self, ActiveSession},
    users, AccountError, Accounts,
};
use crate::{domain::Password, server::oauth::grants, wire::SessionInfo};

impl Accounts {
    /// The user's sessions, the caller's own marked `current`.
    pub async fn list_sessions(
        &self,
        caller: &ActiveSession,
    ) -> Result<Vec<SessionInfo>, AccountError> {
        let listed = sessions::list_for_user(&self.db, &caller.user.id).await?;
        Ok(listed
            .into_iter()
            .map(|s| SessionInfo {
                current: s.id == caller.session_id,
                device: device::describe(s.user_agent.as_deref()),
                id: s.id,
                created_at: s.created_at,
                last_seen_at: s.last_seen_at,
                ip: s.ip,
                user_agent: s.user_agent,
            })
            .collect())
    }

    /// Ends one of the user's sessions. Another user's session id is "not found", and nothing
    /// is deleted.
    pub async fn revoke_session(
        &self,
        caller: &ActiveSession,
        session_id: &str,
    ) -> Result<(), AccountError> {
        if !sessions::delete_by_id(&self.db, &caller.user.id, session_id).await? {
            return Err(AccountError::SessionNotFound);
        }
        tracing::info!(user_id = %caller.user.id, "session revoked");
        Ok(())
    }

    /// Ends every session of the user but the caller's, and every app's refresh tokens (and
    /// access tokens not bound to the caller's session); returns how many sessions ended.
    pub async fn revoke_other_sessions(&self, caller: &ActiveSession) -> Result<u64, AccountError> {
        let mut tx = self.db.begin().await?;
        let ended = sessions::delete_others(&mut *tx, &caller.user.id, &caller.session_id).await?;
        grants::revoke_for_user(&mut tx, &caller.user.id, Some(&caller.session_id)).await?;
        tx.commit().await?;
        tracing::info!(user_id = %caller.user.id, ended, "other sessions revoked");
        Ok(ended)
    }

    /// Replaces the password (hashed with the current parameters), ends every other session and
    /// the apps' refresh tokens, and cancels the reset links in flight, in one transaction:
    /// whoever knew the old password, or holds a link asked for with it, is out once this returns. If the password changed
    /// while `current` was being checked (a reset), nothing changes: `WrongPassword`.
    pub async fn change_password(
        &self,
        caller: &ActiveSession,
        current: &Password,
        new: &Password,
    ) -> Result<(), AccountError> {
        let verified = self.confirm_password(&caller.user.id, current).await?;
        let new_hash = self.hasher.hash(new).await?;
        let mut tx = self.db.begin().await?;
        if !users::hold_credential(&mut *tx, &caller.user.id, &verified, &new_hash).await? {
            return Err(AccountError::WrongPassword);
        }
        let ended = sessions::delete_others(&mut *tx, &caller.user.id, &caller.session_id).await?;
        grants::revoke_for_user(&mut tx, &caller.user.id, Some(&caller.session_id)).await?;
        email_tokens::delete_for_user(&mut *tx, &caller.user.id, Some(Purpose::ResetPassword))
            .await?;
        tx.commit().await?;
        tracing::info!(user_id = %caller.user.id, ended, "password changed");
        Ok(())
    }

    /// Deletes the user and everything that belongs to them, in one transaction. The email is
    /// free to sign up again afterwards.
    pub async fn delete_account(
        &self,
        caller: &ActiveSession,
        password: &Password,
    ) -> Result<(), AccountError> {
        let verified = self.confirm_password(&caller.user.id, password).await?;
        let mut tx = self.db.begin().await?;
        if !users::hold_credential(&mut *tx, &caller.user.id, &verified, &verified).await? {
            return Err(AccountError::WrongPassword);
        }
        sessions::delete_all(&mut *tx, &caller.user.id).await?;
        grants::revoke_for_user(&mut tx, &caller.user.id, None).await?;
        email_tokens::delete_for_user(&mut *tx, &caller.user.id, None).await?;
        users::delete(&mut *tx, &caller.user.id).await?;
        tx.commit().await?;
        tracing::info!(user_id = %caller.user.id, "account deleted");
        Ok(())
    }

    /// Checks the user's password; returns the hash it matched (for `hold_credential`). A
    /// user who vanished meanwhile fails the same way as a wrong password.
    pub(super) async fn confirm_password(
        &self,
        user_id: &str,
        password: &Password,
    ) -> Result<String, AccountError> {
        let found = users::find_by_id(&self.db, user_id).await?;
        let stored_hash = found.as_ref().map(|row| row.password_hash.as_str());
        match (self.hasher.verify(password, stored_hash).await?, found) {
            (Verified::Yes | Verified::YesRehashed(_), Some(row)) => Ok(row.password_hash),
            _ => Err(AccountError::WrongPassword),
        }
    }
}
