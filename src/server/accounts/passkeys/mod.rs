//! Passkeys (WebAuthn, by webauthn-rs' passkey API: user verification required) as plain Rust:
//! add one to the signed-in account, sign in with one (discoverable: no email needed), list and
//! remove them. Each ceremony's state stays in the database (5 minutes, used once, for one
//! purpose), bound to the browser by the token its cookie holds. A sign-in goes through the
//! door as two factors; the signature counter and backup flags are kept up to date, and a
//! counter that goes backwards (a cloned authenticator) is refused and logged.

mod relying_party;
pub mod store;

use std::time::Duration;

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use serde::{de::DeserializeOwned, Serialize};
use webauthn_rs::prelude::{
    DiscoverableAuthentication, Passkey, PasskeyRegistration, PublicKeyCredential,
    RegisterPublicKeyCredential, Uuid, WebauthnError,
};
use webauthn_rs_proto::ResidentKeyRequirement;

pub use relying_party::RelyingParty;
use store::{NewPasskey, Purpose};

use super::{
    door::{Entry, Proof},
    sessions::ClientInfo,
    users, AccountError, Accounts,
};
use crate::{
    domain::{PasskeyName, SessionToken},
    server::clock::{secs, unix_now},
};

/// How long a ceremony (the browser asking the authenticator) may take.
pub const CEREMONY_TTL: Duration = Duration::from_secs(300);

/// A passkey just added.
#[derive(Debug)]
pub struct Registered {
    pub id: String,
    pub name: String,
}

/// Options for the browser (`navigator.credentials`), and the ceremony's token for its cookie.
pub struct Ceremony {
    pub options: serde_json::Value,
    pub token: SessionToken,
}

impl Accounts {
    /// The relying party, when this site has a name passkeys can be bound to.
    pub fn passkey_site(&self) -> Option<&RelyingParty> {
        self.passkeys.as_deref()
    }

    fn relying_party(&self) -> Result<&RelyingParty, AccountError> {
        self.passkey_site().ok_or(AccountError::PasskeysUnavailable)
    }

    /// Starts adding a passkey to the account: creation options that ask for a discoverable
    /// credential (sign-in needs no email) with user verification, excluding the account's
    /// passkeys (one authenticator is registered once).
    pub async fn passkey_registration_options(
        &self,
        user_id: &str,
        email: &str,
    ) -> Result<Ceremony, AccountError> {
        let rp = self.relying_party()?;
        let registered = store::credentials_of(&self.db, user_id)
            .await?
            .iter()
            .filter_map(|record| serde_json::from_str::<Passkey>(record).ok())
            .map(|passkey| passkey.cred_id().clone())
            .collect();
        let (mut options, state) = rp
            .webauthn
            .start_passkey_registration(user_handle(user_id)?, email, email, Some(registered))
            .map_err(|e| fault("starting a passkey registration", e))?;
        if let Some(selection) = options.public_key.authenticator_selection.as_mut() {
            selection.resident_key = Some(ResidentKeyRequirement::Required);
            selection.require_resident_key = true;
        }
        let token = self
            .start_ceremony(Purpose::Register, Some(user_id), &state)
            .await?;
        Ok(Ceremony {
            options: to_json(&options)?,
            token,
        })
    }

    /// Finishes adding a passkey with the browser's answer (`credential`, its JSON) to the
    /// ceremony `token` started by this user. Unnamed, it is named after the device.
    pub async fn register_passkey(
        &self,
        user_id: &str,
        token: &SessionToken,
        credential: &str,
        name: Option<PasskeyName>,
        client: &ClientInfo,
    ) -> Result<Registered, AccountError> {
        let rp = self.relying_party()?;
        let state: PasskeyRegistration = self
            .take_ceremony(token, Purpose::Register, Some(user_id))
            .await?
            .ok_or_else(|| {
                registration_refused("no such ceremony (expired, used, or not yours)")
            })?;
        let answer: RegisterPublicKeyCredential = serde_json::from_str(credential)
            .map_err(|_| registration_refused("unreadable credential"))?;
        let passkey = rp
            .webauthn
            .finish_passkey_registration(&answer, &state)
            .map_err(|e| registration_refused(&e.to_string()))?;
        let name = name.unwrap_or_else(|| {
            PasskeyName::fallback(&super::device::describe(client.user_agent.as_deref()))
        });
        let id = Uuid::new_v4().to_string();
        let stored = NewPasskey {
            id: &id,
            user_id,
            credential_id: &URL_SAFE_NO_PAD.encode(passkey.cred_id()),
            name: name.as_str(),
            credential: &serde_json::to_string(&passkey)
                .map_err(|e| fault("storing a passkey", e))?,
        };
        if !store::insert(&self.db, &stored, unix_now()).await? {
            return Err(registration_refused("credential registered already"));
        }
        passkey_outcome("registered");
        tracing::info!(user_id, passkey_id = %id, "passkey added");
        Ok(Registered {
            id,
            name: name.as_str().to_owned(),
        })
    }

    /// Starts a passkey sign-in: request options for a discoverable credential (no email, no
    /// list of credentials: the authenticator offers the person's own).
    pub async fn passkey_sign_in_options(&self) -> Result<Ceremony, AccountError> {
        let rp = self.relying_party()?;
        let (mut options, state) = rp
            .webauthn
            .start_discoverable_authentication()
            .map_err(|e| fault("starting a passkey sign-in", e))?;
        // The browser chooses: a click asks at once, the Email field's autofill asks with
        // `mediation: "conditional"`.
        options.mediation = None;
        let token = self.start_ceremony(Purpose::SignIn, None, &state).await?;
        Ok(Ceremony {
            options: to_json(&options)?,
            token,
        })
    }

    /// Signs in with the browser's answer (`credential`) to the sign-in ceremony `token`: the
    /// passkey must be registered to the account its user handle names, and the signature
    /// right, with user verification, for this site's origin and RP ID. Through the door as two
    /// factors; the passkey's counter and backup flags are stored with the session, and only if
    /// no other sign-in used (or removal removed) the passkey meanwhile.
    pub async fn sign_in_with_passkey(
        &self,
        token: &SessionToken,
        credential: &str,
        client: &ClientInfo,
    ) -> Result<Entry, AccountError> {
        let rp = self.relying_party()?;
        let state: DiscoverableAuthentication = self
            .take_ceremony(token, Purpose::SignIn, None)
            .await?
            .ok_or_else(|| sign_in_refused("no such ceremony (expired, used, or another kind)"))?;
        let answer: PublicKeyCredential = serde_json::from_str(credential)
            .map_err(|_| sign_in_refused("unreadable credential"))?;
        let (handle, credential_id) = rp
            .webauthn
            .identify_discoverable_authentication(&answer)
            .map_err(|e| sign_in_refused(&e.to_string()))?;
        let stored = store::find_by_credential_id(&self.db, &URL_SAFE_NO_PAD.encode(credential_id))
            .await?
            .ok_or_else(|| sign_in_refused("unknown or removed passkey"))?;
        let user_id = stored.user_id.as_str();
        if user_handle(user_id)? != handle {
            return Err(sign_in_refused("the user handle names another account"));
        }
        let mut passkey: Passkey = serde_json::from_str(&stored.credential)
            .map_err(|e| fault("reading a stored passkey", e))?;
        let result = rp
            .webauthn
            .finish_discoverable_authentication_v2(&answer, state, &passkey)
            .map_err(|e| match e {
                WebauthnError::CredentialPossibleCompromise => {
                    passkey_outcome("cloned");
                    tracing::warn!(
                        user_id,
                        passkey_id = %stored.id,
                        "refused a passkey whose signature counter went backwards: the \
                         authenticator may have been cloned"
                    );
                    AccountError::PasskeyRefused
                }
                other => sign_in_refused(&other.to_string()),
            })?;
        passkey.update_credential(&result);
        let updated = serde_json::to_string(&passkey).map_err(|e| fault("storing a passkey", e))?;
        if self.verification_required {
            let verified = users::find_by_id(&self.db, user_id)
                .await?
                .is_some_and(|row| row.user.email_verified);
            if !verified {
                return Err(AccountError::EmailNotVerified);
            }
        }
        let mut tx = self.db.begin().await?;
        // First statement, a write: holds the passkey until the session is stored.
        if !store::record_use(&mut *tx, &stored.id, &stored.credential, &updated).await? {
            return Err(sign_in_refused(
                "removed or used by another sign-in meanwhile",
            ));
        }
        let entry = self.enter(&mut tx, user_id, Proof::Passkey, client).await?;
        tx.commit().await?;
        passkey_outcome("signed_in");
        tracing::info!(user_id, passkey_id = %stored.id, "signed in with a passkey");
        Ok(entry)
    }

    /// The user's passkeys, oldest first.
    pub async fn passkeys(&self, user_id: &str) -> Result<Vec<store::ListedPasskey>, AccountError> {
        Ok(store::list(&self.db, user_id).await?)
    }

    /// Removes one of the user's passkeys: it signs nobody in any more.
    pub async fn remove_passkey(&self, user_id: &str, id: &str) -> Result<(), AccountError> {
        if !store::delete(&self.db, user_id, id).await? {
            return Err(AccountError::PasskeyNotFound);
        }
        passkey_outcome("removed");
        tracing::info!(user_id, passkey_id = id, "passkey removed");
        Ok(())
    }

    async fn start_ceremony(
        &self,
        purpose: Purpose,
        user_id: Option<&str>,
        state: &impl Serialize,
    ) -> Result<SessionToken, AccountError> {
        let state = serde_json::to_string(state).map_err(|e| fault("keeping a ceremony", e))?;
        let token = SessionToken::generate();
        let expires_at = unix_now().saturating_add(secs(CEREMONY_TTL));
        store::start_ceremony(
            &self.db,
            &token.hash(),
            purpose,
            user_id,
            &state,
            expires_at,
        )
        .await?;
        Ok(token)
    }

    async fn take_ceremony<T: DeserializeOwned>(
        &self,
        token: &SessionToken,
        purpose: Purpose,
        user_id: Option<&str>,
    ) -> Result<Option<T>, AccountError> {
        let state = store::take_ceremony(&self.db, &token.hash(), purpose, user_id).await?;
        state
            .map(|state| serde_json::from_str(&state).map_err(|e| fault("reading a ceremony", e)))
            .transpose()
    }
}

/// The WebAuthn user handle of an account: its id (a random UUID, nothing personal).
fn user_handle(user_id: &str) -> Result<Uuid, AccountError> {
    Uuid::parse_str(user_id).map_err(|e| fault("making a user handle", e))
}

fn to_json(options: &impl Serialize) -> Result<serde_json::Value, AccountError> {
    serde_json::to_value(options).map_err(|e| fault("writing passkey options", e))
}

fn fault(doing: &'static str, error: impl std::fmt::Display) -> AccountError {
    AccountError::Passkey(format!("{doing}: {error}"))
}

fn registration_refused(why: &str) -> AccountError {
    passkey_outcome("registration_refused");
    tracing::info!(why, "a passkey was not added");
    AccountError::InvalidPasskey
}

fn sign_in_refused(why: &str) -> AccountError {
    passkey_outcome("refused");
    tracing::info!(why, "a passkey sign-in was refused");
    AccountError::PasskeyRefused
}

fn passkey_outcome(outcome: &'static str) {
    metrics::counter!("badge_passkeys_total", "outcome" => outcome).increment(1);
}
