//! The account page's server functions (`/api/auth/sessions`, `revoke-session`,
//! `revoke-other-sessions`, `change-password`, `delete-account`). Each acts only for the
//! caller's own session (401 without one); the two that take a password count against the
//! per-IP limit and a budget of the caller's session, so they cannot be used to guess it, and
//! strangers failing at sign-in cannot keep the owner from them.

use leptos::prelude::*;

use crate::{error::AppError, wire::SessionInfo};

/// The account page, where a browser without WebAssembly returns after revoking sessions.
#[cfg(feature = "ssr")]
const ACCOUNT_PATH: &str = "/account";

/// Where a browser without WebAssembly lands after changing its password: the account page,
/// with a notice it knows (never text from the URL).
pub const PASSWORD_CHANGED_PATH: &str = "/account?notice=password-changed";

/// `POST /api/auth/sessions`: the caller's sessions, their own marked `current`.
#[server(prefix = "/api/auth", endpoint = "sessions")]
pub async fn list_sessions() -> Result<Vec<SessionInfo>, AppError> {
    use crate::server::http::server_fn::respond;

    respond(|call| async move {
        let caller = call.require_session().await?;
        Ok(call.state.accounts.list_sessions(&caller).await?)
    })
    .await
}

/// `POST /api/auth/revoke-session`: ends one of the caller's sessions (404 for any other id).
/// Revoking the caller's own session signs this browser out.
#[server(prefix = "/api/auth", endpoint = "revoke-session")]
pub async fn revoke_session(#[server(default)] id: String) -> Result<(), AppError> {
    use crate::server::http::server_fn::respond;

    respond(|call| async move {
        let caller = call.require_session().await?;
        call.state.accounts.revoke_session(&caller, &id).await?;
        if id == caller.session_id {
            call.state.session_cookie.clear(&call.cookies);
            leptos_axum::redirect("/");
        } else {
            call.after_plain_form(ACCOUNT_PATH);
        }
        Ok(())
    })
    .await
}

/// `POST /api/auth/revoke-other-sessions`: ends every session of the caller's but this one.
#[server(prefix = "/api/auth", endpoint = "revoke-other-sessions")]
pub async fn revoke_other_sessions() -> Result<(), AppError> {
    use crate::server::http::server_fn::respond;

    respond(|call| async move {
        let caller = call.require_session().await?;
        call.state.accounts.revoke_other_sessions(&caller).await?;
        call.after_plain_form(ACCOUNT_PATH);
        Ok(())
    })
    .await
}

/// `POST /api/auth/change-password`: 401 for a wrong current password, 400 for a new one
/// outside the policy; on success every other session has ended.
#[server(prefix = "/api/auth", endpoint = "change-password")]
pub async fn change_password(
    #[server(default)] current_password: String,
    #[server(default)] new_password: String,
) -> Result<(), AppError> {
    use crate::{
        domain::{Field, Password},
        server::http::server_fn::respond,
    };

    respond(|call| async move {
        let caller = call.require_session().await?;
        let new_password =
            Password::parse(new_password).map_err(|e| AppError::about(Field::NewPassword, e))?;
        let check = call
            .begin_password_check(&caller.user.email, Some(&caller))
            .await?;
        // A current password outside the policy cannot be right.
        let current_password =
            Password::parse(current_password).map_err(|_| AppError::WrongPassword)?;
        call.state
            .accounts
            .change_password(&caller, &current_password, &new_password)
            .await?;
        call.password_accepted(check, &caller.user.email).await;
        call.after_plain_form(PASSWORD_CHANGED_PATH);
        Ok(())
    })
    .await
}

/// `POST /api/auth/delete-account`: with the password, deletes the user and all their
/// sessions, and clears this browser's cookie.
#[server(prefix = "/api/auth", endpoint = "delete-account")]
pub async fn delete_account(#[server(default)] password: String) -> Result<(), AppError> {
    use crate::{domain::Password, server::http::server_fn::respond};

    respond(|call| async move {
        let caller = call.require_session().await?;
        let check = call
            .begin_password_check(&caller.user.email, Some(&caller))
            .await?;
        let password = Password::parse(password).map_err(|_| AppError::WrongPassword)?;
        call.state
            .accounts
            .delete_account(&caller, &password)
            .await?;
        call.state.limits.password_accepted(check).await;
        call.state.session_cookie.clear(&call.cookies);
        leptos_axum::redirect("/");
        Ok(())
    })
    .await
}
