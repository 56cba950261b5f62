//! The account server functions, at fixed endpoints so curl, mobile apps and tests can call
//! them too. Thin on purpose: parse input, call `auth::service`, set the cookie, map the error.
//! Missing fields default to empty strings so they get the same 400 as empty ones.

use leptos::prelude::*;

use crate::{auth::User, error::AppError};

/// `POST /api/auth/sign-up`: creates the account and signs it in.
#[server(prefix = "/api/auth", endpoint = "sign-up")]
pub async fn sign_up(
    #[server(default)] email: String,
    #[server(default)] password: String,
) -> Result<(), AppError> {
    use crate::{
        auth::{request::AuthRequest, service},
        domain::{Email, Password},
    };

    let request = AuthRequest::current()?;
    let state = &request.state;
    let result = async {
        state.limits.check_ip(request.client_ip)?;
        let email = Email::parse(&email)?;
        let password = Password::parse(password)?;
        let token = service::create_account(state, email, password, &request.client).await?;
        request.start_session(token);
        Ok(())
    }
    .await;
    request.finish(result)
}

/// `POST /api/auth/sign-in`: checks the password and opens a new session.
#[server(prefix = "/api/auth", endpoint = "sign-in")]
pub async fn sign_in(
    #[server(default)] email: String,
    #[server(default)] password: String,
) -> Result<(), AppError> {
    use crate::{
        auth::{request::AuthRequest, service},
        domain::{Email, Password},
    };

    let request = AuthRequest::current()?;
    let state = &request.state;
    let result = async {
        state.limits.check_ip(request.client_ip)?;
        let email = Email::parse(&email)?;
        state.limits.check_email(&email)?;
        // A password outside the policy cannot be right; answer as for any wrong password.
        let password = Password::parse(password).map_err(|_| AppError::InvalidCredentials)?;
        let token = service::sign_in(state, email, password, &request.client).await?;
        request.start_session(token);
        Ok(())
    }
    .await;
    request.finish(result)
}

/// `POST /api/auth/sign-out`: deletes the session and clears the cookie. Idempotent.
#[server(prefix = "/api/auth", endpoint = "sign-out")]
pub async fn sign_out() -> Result<(), AppError> {
    use crate::auth::{request::AuthRequest, service};

    let request = AuthRequest::current()?;
    let state = &request.state;
    let result = async {
        if let Some(token) = state.session_cookie.token(&request.cookies) {
            service::sign_out(state, &token).await?;
        }
        state.session_cookie.clear(&request.cookies);
        leptos_axum::redirect("/");
        Ok(())
    }
    .await;
    request.finish(result)
}

/// `POST /api/auth/session`: the signed-in user, or `null`. A stale cookie is cleared.
#[server(prefix = "/api/auth", endpoint = "session")]
pub async fn current_user() -> Result<Option<User>, AppError> {
    use crate::auth::{request::AuthRequest, service};

    let request = AuthRequest::current()?;
    let result = service::user_from_cookie(&request.state, &request.cookies).await;
    request.finish(result)
}
