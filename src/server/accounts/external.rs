//! Who someone signing in through an external provider is (DESIGN "Continue with an external
//! OpenID Connect provider"), and connecting or disconnecting providers from the account page.
//!
//! - A known (provider, subject) is that user, whatever email the provider says today.
//! - Otherwise only an email the provider vouches for (`email_verified`) counts: no local
//!   account → a new one (email verified, no password yet); a local account with that email →
//!   linked only when its email is verified too. An account someone registered with another
//!   person's address and never verified is not handed to the provider's user, nor the
//!   reverse (the pre-registration takeover, better-auth GHSA-g38m-r43w-p2q7).
//! - Sessions open through the door, as `fed`: a second factor that is on is still asked.

use sqlx::{Any, Executor};

use super::{
    door::{Entry, Proof},
    passwords::NO_PASSWORD,
    sessions::ClientInfo,
    users, AccountError, Accounts,
};
use crate::{domain::Email, server::clock::unix_now, wire::User};

/// Who a provider says the person is.
#[derive(Clone, Debug)]
pub struct Identity {
    pub provider: String,
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: bool,
}

/// A provider connected to an account, for the account page.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Connected {
    pub provider: String,
    pub email: Option<String>,
}

impl Accounts {
    /// Lets in the person `identity` names, by the rules above.
    pub async fn sign_in_with_provider(
        &self,
        identity: &Identity,
        client: &ClientInfo,
    ) -> Result<Entry, AccountError> {
        let mut tx = self.db.begin().await?;
        // First statement, a write: SQLite takes its write lock here, so what is read next cannot
        // go stale before this transaction writes (a read first would fail to upgrade when
        // another connection wrote meanwhile, SQLITE_BUSY_SNAPSHOT).
        let known = update_email(&mut *tx, identity).await?;
        let user_id = match owner_of(&mut *tx, identity).await?.filter(|_| known) {
            Some(user_id) => user_id,
            None => self.claim_by_email(&mut tx, identity).await?,
        };
        if self.verification_required && !email_verified(&mut *tx, &user_id).await? {
            return Err(AccountError::EmailNotVerified);
        }
        let entry = self
            .enter(&mut tx, &user_id, Proof::Federated, client)
            .await?;
        tx.commit().await?;
        tracing::info!(user_id, provider = %identity.provider, "signed in through a provider");
        Ok(entry)
    }

    /// No account knows this subject: a provider-verified email finds or makes one.
    async fn claim_by_email(
        &self,
        conn: &mut sqlx::AnyConnection,
        identity: &Identity,
    ) -> Result<String, AccountError> {
        let email = identity
            .email
            .as_deref()
            .filter(|_| identity.email_verified)
            .and_then(|email| Email::parse(email).ok())
            .ok_or(AccountError::ProviderEmailUnverified)?;
        let found: Option<(String, Option<i64>)> =
            sqlx::query_as("SELECT id, email_verified_at FROM users WHERE email = $1")
                .bind(email.as_str())
                .fetch_optional(&mut *conn)
                .await?;
        let user_id = match found {
            Some((user_id, Some(_))) => user_id,
            Some(_) => return Err(AccountError::LocalEmailUnverified),
            None => {
                let user = User {
                    id: uuid::Uuid::new_v4().to_string(),
                    email: email.as_str().to_owned(),
                    email_verified: true,
                };
                users::insert_verified_without_password(&mut *conn, &user).await?;
                tracing::info!(user_id = %user.id, provider = %identity.provider, "account created through a provider");
                user.id
            }
        };
        link(&mut *conn, &user_id, identity).await?;
        Ok(user_id)
    }

    /// Connects the provider account `identity` to the signed-in user `user_id`.
    pub async fn connect_provider(
        &self,
        user_id: &str,
        identity: &Identity,
    ) -> Result<(), AccountError> {
        // One statement: the unique keys decide, also when two connects race.
        match link(&self.db, user_id, identity).await {
            Ok(()) => {
                tracing::info!(user_id, provider = %identity.provider, "provider connected");
                Ok(())
            }
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                match owner_of(&self.db, identity).await? {
                    Some(owner) if owner == user_id => Ok(()),
                    Some(_) => Err(AccountError::IdentityTaken),
                    None => Err(AccountError::ProviderConnectedAlready),
                }
            }
            Err(error) => Err(error.into()),
        }
    }

    /// Disconnects the provider from the user, unless it is their last way in (no password, no
    /// passkey, no other provider).
    pub async fn disconnect_provider(
        &self,
        user_id: &str,
        provider: &str,
    ) -> Result<(), AccountError> {
        let mut tx = self.db.begin().await?;
        // First statement, a write: holds the user's links while the others are counted.
        let removed =
            sqlx::query("DELETE FROM external_identities WHERE user_id = $1 AND provider = $2")
                .bind(user_id)
                .bind(provider)
                .execute(&mut *tx)
                .await?;
        if removed.rows_affected() == 0 {
            return Err(AccountError::ProviderNotConnected);
        }
        let (others,): (i64,) = sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM external_identities WHERE user_id = $1) \
                  + (SELECT COUNT(*) FROM passkeys WHERE user_id = $1) \
                  + (SELECT COUNT(*) FROM users WHERE id = $1 AND password_hash <> $2)",
        )
        .bind(user_id)
        .bind(NO_PASSWORD)
        .fetch_one(&mut *tx)
        .await?;
        if others == 0 {
            return Err(AccountError::LastWayIn);
        }
        tx.commit().await?;
        tracing::info!(user_id, provider, "provider disconnected");
        Ok(())
    }

    /// The providers connected to the user.
    pub async fn connected_providers(&self, user_id: &str) -> Result<Vec<Connected>, AccountError> {
        Ok(sqlx::query_as(
            "SELECT provider, email FROM external_identities WHERE user_id = $1 ORDER BY provider",
        )
        .bind(user_id)
        .fetch_all(&self.db)
        .await?)
    }
}

async fn owner_of<'c>(
    executor: impl Executor<'c, Database = Any>,
    identity: &Identity,
) -> sqlx::Result<Option<String>> {
    let found: Option<(String,)> = sqlx::query_as(
        "SELECT user_id FROM external_identities WHERE provider = $1 AND subject = $2",
    )
    .bind(&identity.provider)
    .bind(&identity.subject)
    .fetch_optional(executor)
    .await?;
    Ok(found.map(|(user_id,)| user_id))
}

async fn link<'c>(
    executor: impl Executor<'c, Database = Any>,
    user_id: &str,
    identity: &Identity,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO external_identities (provider, subject, user_id, email, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&identity.provider)
    .bind(&identity.subject)
    .bind(user_id)
    .bind(&identity.email)
    .bind(unix_now())
    .execute(executor)
    .await?;
    Ok(())
}

/// Keeps the email shown on the account page as the provider says it today (the link is the
/// subject, never the email); true when the subject is linked to an account.
async fn update_email<'c>(
    executor: impl Executor<'c, Database = Any>,
    identity: &Identity,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE external_identities SET email = $1 WHERE provider = $2 AND subject = $3",
    )
    .bind(&identity.email)
    .bind(&identity.provider)
    .bind(&identity.subject)
    .execute(executor)
    .await?;
    Ok(done.rows_affected() > 0)
}

async fn email_verified<'c>(
    executor: impl Executor<'c, Database = Any>,
    user_id: &str,
) -> sqlx::Result<bool> {
    let found: Option<(Option<i64>,)> =
        sqlx::query_as("SELECT email_verified_at FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(executor)
            .await?;
    Ok(found.is_some_and(|(at,)| at.is_some()))
}
