//! The server functions behind mailed links: ask for a password reset, set a new password
//! from the link, verify the email from its link, and ask for a new verification mail.

use leptos::prelude::*;

use crate::error::AppError;

/// Where a plain form lands after asking for a reset link (the page says what happens next).
pub const RESET_REQUESTED_PATH: &str = "/forgot-password?notice=reset-sent";
/// Where a plain form lands after asking for a new verification link.
#[cfg(feature = "ssr")]
const VERIFICATION_SENT_PATH: &str = "/account?notice=verification-sent";
/// The notice of `/verify-email` once the address is verified.
pub const EMAIL_VERIFIED_NOTICE: &str = "email-verified";
/// Where a plain form lands once the address is verified.
#[cfg(feature = "ssr")]
const EMAIL_VERIFIED_PATH: &str = "/verify-email?notice=email-verified";
/// Where a new password leads: sign in again, with a notice.
pub const PASSWORD_RESET_PATH: &str = "/sign-in?notice=password-reset";

/// `POST /api/auth/request-password-reset`: the same answer, in about the same time, whether
/// or not an account has this email; the lookup and the mail happen after the answer.
#[server(prefix = "/api/auth", endpoint = "request-password-reset")]
pub async fn request_password_reset(#[server(default)] email: String) -> Result<(), AppError> {
    use crate::{domain::Email, server::http::server_fn::respond};

    respond(|call| async move {
        let email = Email::parse(&email)?;
        call.limit_mail(email.as_str()).await?;
        call.state.accounts.request_password_reset_later(email);
        call.after_plain_form(RESET_REQUESTED_PATH);
        Ok(())
    })
    .await
}

/// `POST /api/auth/reset-password`: sets the new password from a reset link and ends every
/// session of the account; 400 `invalid_token` for an unknown, used or expired link.
#[server(prefix = "/api/auth", endpoint = "reset-password")]
pub async fn reset_password(
    #[server(default)] token: String,
    #[server(default)] password: String,
) -> Result<(), AppError> {
    use crate::{
        domain::{Password, SessionToken},
        server::http::server_fn::respond,
    };

    respond(|call| async move {
        call.state.limits.check_ip(call.client.ip).await?;
        let token = SessionToken::parse(&token).ok_or(AppError::InvalidLink)?;
        let password = Password::parse(password)?;
        call.state
            .accounts
            .reset_password(&token, &password)
            .await?;
        // This browser's session (if any) ended with all the others.
        call.state.session_cookie.clear(&call.cookies);
        leptos_axum::redirect(PASSWORD_RESET_PATH);
        Ok(())
    })
    .await
}

/// `POST /api/auth/reset-link` (`token`): whether a reset link can still be used, without using
/// it; `/reset-password` asks when it opens, so a dead link is said before a password is typed.
#[server(prefix = "/api/auth", endpoint = "reset-link")]
pub async fn reset_link_is_live(#[server(default)] token: String) -> Result<bool, AppError> {
    use crate::{domain::SessionToken, server::http::server_fn::respond};

    respond(|call| async move {
        let Some(token) = SessionToken::parse(&token) else {
            return Ok(false);
        };
        Ok(call.state.accounts.reset_link_is_live(&token).await?)
    })
    .await
}

/// `POST /api/auth/verify-email`: uses a verification link (the button of the `/verify-email`
/// page posts it; opening the link alone verifies nothing).
#[server(prefix = "/api/auth", endpoint = "verify-email")]
pub async fn verify_email(#[server(default)] token: String) -> Result<(), AppError> {
    use crate::{domain::SessionToken, server::http::server_fn::respond};

    respond(|call| async move {
        call.state.limits.check_ip(call.client.ip).await?;
        let token = SessionToken::parse(&token).ok_or(AppError::InvalidLink)?;
        call.state.accounts.verify_email(&token).await?;
        call.after_plain_form(EMAIL_VERIFIED_PATH);
        Ok(())
    })
    .await
}

/// `POST /api/auth/send-verification-email`: a new verification mail for the signed-in
/// person; `false` (and no mail) when the email is already verified.
#[server(prefix = "/api/auth", endpoint = "send-verification-email")]
pub async fn send_verification_email() -> Result<bool, AppError> {
    use crate::server::http::server_fn::respond;

    respond(|call| async move {
        let caller = call.require_session().await?;
        call.limit_mail(&caller.user.email).await?;
        let sent = call.state.accounts.send_verification(&caller.user).await?;
        call.after_plain_form(VERIFICATION_SENT_PATH);
        Ok(sent)
    })
    .await
}
