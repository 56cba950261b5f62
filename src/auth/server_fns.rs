//! `/api/auth/*`: fixed endpoints, so curl, mobile apps and tests can call them too.
//! Missing fields default to empty strings so they get the same 400 as empty ones.

use leptos::prelude::*;

use crate::{
    error::AppError,
    wire::{SignInAnswer, SignedIn},
};

/// Where sign-up leads when the email must be verified before the first sign-in.
pub const VERIFY_FIRST_PATH: &str = "/sign-in?notice=verify-email";

/// `POST /api/auth/sign-up`: creates the account, sends its verification mail and signs it in
/// (with `REQUIRE_EMAIL_VERIFICATION`, sends the browser to sign in once verified instead).
#[server(prefix = "/api/auth", endpoint = "sign-up")]
pub async fn sign_up(
    #[server(default)] email: String,
    #[server(default)] password: String,
) -> Result<(), AppError> {
    use crate::{
        domain::{Email, Password},
        server::http::server_fn::respond,
    };

    respond(|call| async move {
        call.state.limits.check_ip(call.client.ip).await?;
        let email = Email::parse(&email)?;
        let password = Password::parse(password)?;
        let accounts = &call.state.accounts;
        let token = accounts
            .create_account(&email, &password, &call.client)
            .await?;
        call.state
            .device_cookie
            .remember(&call.cookies, email.as_str());
        // The next page says the verification mail went out, and in development (no
        // SMTP_URL) that it is a file and where. A new account lands on the home page.
        const WELCOME_PATH: &str = "/?notice=welcome";
        const WELCOME_MAIL_FILE_PATH: &str = "/?notice=welcome-mail-file";
        const VERIFY_FIRST_MAIL_FILE_PATH: &str = "/sign-in?notice=verify-email-file";
        let as_file = call.state.config.mail.smtp_url().is_none();
        match (token, as_file) {
            (Some(token), false) => call.start_session(&token, WELCOME_PATH),
            (Some(token), true) => call.start_session(&token, WELCOME_MAIL_FILE_PATH),
            (None, false) => leptos_axum::redirect(VERIFY_FIRST_PATH),
            (None, true) => leptos_axum::redirect(VERIFY_FIRST_MAIL_FILE_PATH),
        }
        Ok(())
    })
    .await
}

/// Where a right password leads when a second factor is owed (`next` is kept).
pub const TWO_FACTOR_PATH: &str = "/sign-in/two-factor";

/// `POST /api/auth/sign-in`: checks the password and opens a new session, then goes to `next`
/// when it is a path on this site (the page that sent the person to sign in), else to `/`.
/// With two-factor on: no session; `{"two_factor_required": true}`, the challenge cookie, and
/// on to `/sign-in/two-factor` (keeping `next`).
#[server(prefix = "/api/auth", endpoint = "sign-in")]
pub async fn sign_in(
    #[server(default)] email: String,
    #[server(default)] password: String,
    #[server(default)] next: String,
) -> Result<Option<SignInAnswer>, AppError> {
    use crate::{
        domain::{local_path_or_root, Email, Password},
        server::{
            accounts::{door::Entry, AccountError},
            http::server_fn::respond,
        },
    };

    respond(|call| async move {
        let email = Email::parse(&email)?;
        let check = call.begin_password_check(email.as_str(), None).await?;
        // A password outside the policy cannot be right; answer as for any wrong password.
        let password = Password::parse(password).map_err(|_| AppError::InvalidCredentials)?;
        let accounts = &call.state.accounts;
        match accounts.sign_in(&email, &password, &call.client).await {
            Ok(Entry::Opened(opened)) => {
                call.password_accepted(check, email.as_str()).await;
                call.start_session(&opened, local_path_or_root(&next));
                Ok(None)
            }
            Ok(Entry::SecondFactorOwed(challenge)) => {
                call.password_accepted(check, email.as_str()).await;
                call.state.challenge_cookie.set(&call.cookies, &challenge);
                leptos_axum::redirect(&two_factor_page(local_path_or_root(&next)));
                Ok(Some(SignInAnswer {
                    two_factor_required: true,
                }))
            }
            Err(AccountError::EmailNotVerified) => {
                // The right password: a fresh link helps the owner, within the mail budget.
                call.password_accepted(check, email.as_str()).await;
                if call.limit_mail(email.as_str()).await.is_ok() {
                    accounts.resend_verification(&email).await?;
                }
                Err(AccountError::EmailNotVerified.into())
            }
            Err(error) => Err(error.into()),
        }
    })
    .await
}

/// `POST /api/auth/sign-out`: deletes the session and clears the cookie. Idempotent.
#[server(prefix = "/api/auth", endpoint = "sign-out")]
pub async fn sign_out() -> Result<(), AppError> {
    use crate::server::http::server_fn::respond;

    respond(|call| async move {
        let cookie = &call.state.session_cookie;
        if let Some(token) = cookie.token(&call.cookies) {
            call.state.accounts.sign_out(&token).await?;
        }
        cookie.clear(&call.cookies);
        leptos_axum::redirect("/");
        Ok(())
    })
    .await
}

/// `POST /api/auth/session`: the signed-in user with how they signed in (`amr`), or `null`. A
/// stale cookie is cleared.
#[server(prefix = "/api/auth", endpoint = "session")]
pub async fn current_user() -> Result<Option<SignedIn>, AppError> {
    use crate::server::http::server_fn::respond;

    respond(|call| async move { call.signed_in_user().await }).await
}

/// The second step's page, keeping where the person was going.
#[cfg(feature = "ssr")]
pub fn two_factor_page(next: &str) -> String {
    if next == "/" {
        return TWO_FACTOR_PATH.to_owned();
    }
    let next: String = form_urlencoded::byte_serialize(next.as_bytes()).collect();
    format!("{TWO_FACTOR_PATH}?next={next}")
}
