//! Passkeys' server functions (`/api/auth/passkey/*`, `/api/auth/passkeys`): add one to the
//! signed-in account (options, then the browser's answer), sign in with one (options, then the
//! answer), list and remove them. Each ceremony's token travels in the `badge_passkey` cookie;
//! options and answers are WebAuthn's JSON, as the browser's `navigator.credentials` speaks it.

use leptos::prelude::*;

use crate::{
    error::AppError,
    wire::{PasskeyInfo, PasskeyRegistered, SignInAnswer},
};

/// `POST /api/auth/passkey/register-options`: the `PublicKeyCredentialCreationOptions` for a
/// new passkey of the signed-in person (`{"publicKey": …}`). 401 signed out.
#[server(prefix = "/api/auth", endpoint = "passkey/register-options")]
pub async fn passkey_register_options() -> Result<serde_json::Value, AppError> {
    use crate::server::http::server_fn::respond;

    respond(|call| async move {
        let caller = call.require_session().await?;
        call.state.limits.check_passkey(call.client.ip).await?;
        let ceremony = call
            .state
            .accounts
            .passkey_registration_options(&caller.user.id, &caller.user.email)
            .await?;
        call.state
            .passkey_cookie
            .set(&call.cookies, &ceremony.token);
        Ok(ceremony.options)
    })
    .await
}

/// `POST /api/auth/passkey/register` (`credential`: the browser's answer as JSON, `name`):
/// stores the passkey; `{"id", "name"}`. 400 `invalid_passkey`.
#[server(prefix = "/api/auth", endpoint = "passkey/register")]
pub async fn register_passkey(
    #[server(default)] credential: String,
    #[server(default)] name: String,
) -> Result<PasskeyRegistered, AppError> {
    use crate::{
        domain::PasskeyName,
        server::{accounts::AccountError, http::server_fn::respond},
    };

    respond(|call| async move {
        let caller = call.require_session().await?;
        call.state.limits.check_passkey(call.client.ip).await?;
        let name = PasskeyName::parse(&name)?;
        let cookie = &call.state.passkey_cookie;
        let token = cookie
            .token(&call.cookies)
            .ok_or(AccountError::InvalidPasskey)?;
        cookie.clear(&call.cookies);
        let registered = call
            .state
            .accounts
            .register_passkey(&caller.user.id, &token, &credential, name, &call.client)
            .await?;
        Ok(PasskeyRegistered {
            id: registered.id,
            name: registered.name,
        })
    })
    .await
}

/// `POST /api/auth/passkey/sign-in-options`: request options for a discoverable credential (no
/// email needed). 429 when asked too often.
#[server(prefix = "/api/auth", endpoint = "passkey/sign-in-options")]
pub async fn passkey_sign_in_options() -> Result<serde_json::Value, AppError> {
    use crate::server::http::server_fn::respond;

    respond(|call| async move {
        call.state.limits.check_passkey(call.client.ip).await?;
        let ceremony = call.state.accounts.passkey_sign_in_options().await?;
        call.state
            .passkey_cookie
            .set(&call.cookies, &ceremony.token);
        Ok(ceremony.options)
    })
    .await
}

/// `POST /api/auth/passkey/sign-in` (`credential`, optional `next`): the session opens (amr
/// `["hwk","user","mfa"]`), then on to `next`; `null`. 401 `invalid_passkey`.
#[server(prefix = "/api/auth", endpoint = "passkey/sign-in")]
pub async fn sign_in_with_passkey(
    #[server(default)] credential: String,
    #[server(default)] next: String,
) -> Result<Option<SignInAnswer>, AppError> {
    use crate::{
        domain::local_path_or_root,
        server::{
            accounts::{door::Entry, AccountError},
            http::server_fn::respond,
        },
    };

    respond(|call| async move {
        call.state.limits.check_passkey(call.client.ip).await?;
        let cookie = &call.state.passkey_cookie;
        let token = cookie
            .token(&call.cookies)
            .ok_or(AccountError::PasskeyRefused)?;
        cookie.clear(&call.cookies);
        let entry = call
            .state
            .accounts
            .sign_in_with_passkey(&token, &credential, &call.client)
            .await?;
        let next = local_path_or_root(&next);
        match entry {
            Entry::Opened(opened) => {
                call.start_session(&opened, next);
                Ok(None)
            }
            // A passkey is two factors, so the door owes nothing more today; should that
            // change, the person is asked like after a password.
            Entry::SecondFactorOwed(challenge) => {
                call.state.challenge_cookie.set(&call.cookies, &challenge);
                leptos_axum::redirect(&super::server_fns::two_factor_page(next));
                Ok(Some(SignInAnswer {
                    two_factor_required: true,
                }))
            }
        }
    })
    .await
}

/// `POST /api/auth/passkeys`: the signed-in person's passkeys, oldest first.
#[server(prefix = "/api/auth", endpoint = "passkeys")]
pub async fn list_passkeys() -> Result<Vec<PasskeyInfo>, AppError> {
    use crate::server::http::server_fn::respond;

    respond(|call| async move {
        let caller = call.require_session().await?;
        let listed = call.state.accounts.passkeys(&caller.user.id).await?;
        Ok(listed
            .into_iter()
            .map(|passkey| PasskeyInfo {
                id: passkey.id,
                name: passkey.name,
                created_at: passkey.created_at,
                last_used_at: passkey.last_used_at,
            })
            .collect())
    })
    .await
}

/// `POST /api/auth/passkey/remove` (`id`): the passkey signs nobody in any more; back to the
/// account page. 404 when it is not one of the caller's.
#[server(prefix = "/api/auth", endpoint = "passkey/remove")]
pub async fn remove_passkey(#[server(default)] id: String) -> Result<(), AppError> {
    use crate::server::http::server_fn::respond;

    respond(|call| async move {
        let caller = call.require_session().await?;
        call.state
            .accounts
            .remove_passkey(&caller.user.id, &id)
            .await?;
        leptos_axum::redirect("/account");
        Ok(())
    })
    .await
}
