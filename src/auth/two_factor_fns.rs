//! Two-factor authentication's server functions (`/api/auth/two-factor/*`): set it up, turn it
//! on with a first code, turn it off, renew the backup codes (each for the signed-in person,
//! the password confirming what changes it), and answer a sign-in's challenge.

use leptos::prelude::*;

use crate::{
    error::AppError,
    wire::{BackupCodes, TwoFactorOverview, TwoFactorSetup},
};

/// The account page, reloaded after each change (it shows the new state: the QR code to scan,
/// the backup codes once), with or without WebAssembly.
#[cfg(feature = "ssr")]
const ACCOUNT_PATH: &str = "/account";

/// `POST /api/auth/two-factor/status`: on or off, a set-up waiting for its code (key and QR
/// code), and backup codes made moments ago (shown this once: they are gone afterwards).
#[server(prefix = "/api/auth", endpoint = "two-factor/status")]
pub async fn two_factor_status() -> Result<TwoFactorOverview, AppError> {
    use crate::{
        server::{
            accounts::two_factor::{qr, TwoFactorState},
            http::server_fn::respond,
        },
        wire::PendingSetup,
    };

    respond(|call| async move {
        let caller = call.require_session().await?;
        let accounts = &call.state.accounts;
        let state = accounts
            .two_factor_state(&caller.user.id, &caller.user.email)
            .await?;
        let pending = match &state {
            TwoFactorState::Pending(setup) => Some(PendingSetup {
                setup_key: setup.setup_key.clone(),
                qr_svg: qr::svg_of(&setup.otpauth_url).unwrap_or_default(),
            }),
            _ => None,
        };
        Ok(TwoFactorOverview {
            on: state == TwoFactorState::On,
            pending,
            fresh_backup_codes: accounts.take_fresh_backup_codes(&caller.user.id).await?,
        })
    })
    .await
}

/// `POST /api/auth/two-factor/setup`: a new secret for the authenticator app; not on until a
/// first code turns it on. 401 `wrong_password`, 409 `two_factor_on`.
#[server(prefix = "/api/auth", endpoint = "two-factor/setup")]
pub async fn set_up_two_factor(
    #[server(default)] password: String,
) -> Result<TwoFactorSetup, AppError> {
    use crate::{domain::Password, server::http::server_fn::respond};

    respond(|call| async move {
        let caller = call.require_session().await?;
        let check = call
            .begin_password_check(&caller.user.email, Some(&caller))
            .await?;
        let password = Password::parse(password).map_err(|_| AppError::WrongPassword)?;
        let setup = call
            .state
            .accounts
            .set_up_two_factor(&caller.user.id, &caller.user.email, &password)
            .await?;
        call.state.limits.password_accepted(check).await;
        leptos_axum::redirect(ACCOUNT_PATH);
        Ok(TwoFactorSetup {
            secret: setup.setup_key,
            otpauth_url: setup.otpauth_url,
        })
    })
    .await
}

/// `POST /api/auth/two-factor/enable`: a code from the set-up turns it on; the backup codes
/// come back this once. 400 `invalid_code`.
#[server(prefix = "/api/auth", endpoint = "two-factor/enable")]
pub async fn enable_two_factor(#[server(default)] code: String) -> Result<BackupCodes, AppError> {
    use crate::server::http::server_fn::respond;

    respond(|call| async move {
        let caller = call.require_session().await?;
        let check = call.begin_code_check(&caller.user.id).await?;
        let backup_codes = call
            .state
            .accounts
            .enable_two_factor(&caller.user.id, &code)
            .await?;
        call.state.limits.password_accepted(check).await;
        leptos_axum::redirect(ACCOUNT_PATH);
        Ok(BackupCodes { backup_codes })
    })
    .await
}

/// `POST /api/auth/two-factor/disable`: off; the secret and the backup codes deleted.
#[server(prefix = "/api/auth", endpoint = "two-factor/disable")]
pub async fn disable_two_factor(#[server(default)] password: String) -> Result<(), AppError> {
    use crate::{domain::Password, server::http::server_fn::respond};

    respond(|call| async move {
        let caller = call.require_session().await?;
        let check = call
            .begin_password_check(&caller.user.email, Some(&caller))
            .await?;
        let password = Password::parse(password).map_err(|_| AppError::WrongPassword)?;
        call.state
            .accounts
            .disable_two_factor(&caller.user.id, &password)
            .await?;
        call.state.limits.password_accepted(check).await;
        leptos_axum::redirect(ACCOUNT_PATH);
        Ok(())
    })
    .await
}

/// `POST /api/auth/two-factor/backup-codes`: ten new backup codes; the old ones stop working.
#[server(prefix = "/api/auth", endpoint = "two-factor/backup-codes")]
pub async fn new_backup_codes(
    #[server(default)] password: String,
) -> Result<BackupCodes, AppError> {
    use crate::{domain::Password, server::http::server_fn::respond};

    respond(|call| async move {
        let caller = call.require_session().await?;
        let check = call
            .begin_password_check(&caller.user.email, Some(&caller))
            .await?;
        let password = Password::parse(password).map_err(|_| AppError::WrongPassword)?;
        let backup_codes = call
            .state
            .accounts
            .new_backup_codes(&caller.user.id, &password)
            .await?;
        call.state.limits.password_accepted(check).await;
        leptos_axum::redirect(ACCOUNT_PATH);
        Ok(BackupCodes { backup_codes })
    })
    .await
}

/// `POST /api/auth/two-factor/verify`: the second step of a sign-in, with the challenge cookie
/// and a TOTP or backup code: the session opens (then on to `next`). 401 `invalid_code`; 401
/// `challenge_expired` (none, expired, used, or 5 wrong codes on it).
#[server(prefix = "/api/auth", endpoint = "two-factor/verify")]
pub async fn verify_two_factor(
    #[server(default)] code: String,
    #[server(default)] next: String,
) -> Result<(), AppError> {
    use crate::{
        domain::local_path_or_root,
        server::{accounts::AccountError, http::server_fn::respond},
    };

    respond(|call| async move {
        let challenges = &call.state.challenge_cookie;
        let token = challenges
            .token(&call.cookies)
            .ok_or(AppError::ChallengeExpired)?;
        let accounts = &call.state.accounts;
        let owner = accounts
            .challenge_owner(&token)
            .await?
            .ok_or(AppError::ChallengeExpired)?;
        let check = call.begin_code_check(&owner).await?;
        match accounts.answer_challenge(&token, &code, &call.client).await {
            Ok(opened) => {
                call.state.limits.password_accepted(check).await;
                challenges.clear(&call.cookies);
                call.start_session(&opened, local_path_or_root(&next));
                Ok(())
            }
            Err(AccountError::InvalidCode) => Err(AppError::WrongCode.into()),
            Err(error) => Err(error.into()),
        }
    })
    .await
}
