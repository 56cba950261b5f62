//! What an auth server function needs from its request (state, cookie jar, client), and
//! `respond`, which runs its body and answers the outcome the way each caller needs.

use std::future::Future;

use axum::http::{header, request::Parts, StatusCode};
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;
use tower_cookies::Cookies;

use super::client::client_info;
use crate::{
    error::AppError,
    server::{
        accounts::{
            door::OpenedSession,
            sessions::{ActiveSession, ClientInfo},
        },
        error::Error,
        limits::{Browser, PasswordCheck},
        state::AppState,
    },
};

/// The request behind a server function call.
pub struct AuthCall {
    pub state: AppState,
    pub cookies: Cookies,
    pub client: ClientInfo,
    /// A browser without WebAssembly posting the form itself, asking for a page back.
    plain_form: bool,
}

impl AuthCall {
    /// Hands a session the door opened to the browser (cookie) and sends it on to `next` (a
    /// local path): a redirect for a plain form, a client-side navigation for the hydrated app.
    /// The only way a server function sets the session cookie.
    pub fn start_session(&self, opened: &OpenedSession, next: &str) {
        set_session_cookie(&self.state, &self.cookies, opened);
        leptos_axum::redirect(next);
    }

    /// The user signed in by the request's cookie, if any.
    pub async fn signed_in_user(&self) -> Result<Option<crate::wire::SignedIn>, Error> {
        self.state
            .session_cookie
            .signed_in_user(&self.state.accounts, &self.cookies)
            .await
    }

    /// The caller's session; without one, the call is refused with 401.
    pub async fn require_session(&self) -> Result<ActiveSession, Error> {
        self.state
            .session_cookie
            .signed_in(&self.state.accounts, &self.cookies)
            .await?
            .ok_or(Error::Client(AppError::NoSession))
    }

    /// Sends a browser without WebAssembly to `path` afterwards (the hydrated app stays where
    /// it is and shows the outcome itself). Without this, a plain form returns to its page.
    pub fn after_plain_form(&self, path: &str) {
        if self.plain_form {
            leptos_axum::redirect(path);
        }
    }

    /// Starts a password check on the account with `email` (see `server::limits`): counted
    /// per IP, and per account unless this is the owner's own browser (the caller's `session`
    /// of that account, or a device cookie earned for `email`), which has a budget of its own.
    /// Tell the limits when the password was right: `password_accepted`.
    pub async fn begin_password_check(
        &self,
        email: &str,
        session: Option<&ActiveSession>,
    ) -> Result<PasswordCheck, Error> {
        self.state.limits.check_ip(self.client.ip).await?;
        let trusted = match session {
            Some(session) => Some(format!("session {}", session.session_id)),
            None => self
                .state
                .device_cookie
                .device_for(&self.cookies, email)
                .map(|device| format!("device {device}")),
        };
        let browser = trusted
            .as_deref()
            .map_or(Browser::Unknown, Browser::Trusted);
        Ok(self
            .state
            .limits
            .begin_password_check(email, self.client.ip, browser)
            .await?)
    }

    /// Counts a two-factor code for the account `user_id` (per IP, and wrong codes per account
    /// in the shared store); tell the limits when it was right (`password_accepted`).
    pub async fn begin_code_check(&self, user_id: &str) -> Result<PasswordCheck, Error> {
        self.state.limits.check_ip(self.client.ip).await?;
        Ok(self.state.limits.begin_code_check(user_id).await?)
    }

    /// The password of a check was right: it does not count against the account's ceiling,
    /// and this browser becomes one the owner of `email` signed in on.
    pub async fn password_accepted(&self, check: PasswordCheck, email: &str) {
        self.state.limits.password_accepted(check).await;
        self.state.device_cookie.remember(&self.cookies, email);
    }

    /// Counts a mail to `email` (a reset or verification link) against the per-IP limit and
    /// the mail budgets, which no password check touches.
    pub async fn limit_mail(&self, email: &str) -> Result<(), Error> {
        self.state.limits.check_ip(self.client.ip).await?;
        self.state.limits.check_mail(email).await?;
        Ok(())
    }
}

/// Sets the session cookie for a session the door opened: `start_session`'s, and the one other
/// way in that is not a server function (an external provider's callback, a navigation).
pub fn set_session_cookie(state: &AppState, cookies: &Cookies, opened: &OpenedSession) {
    state.session_cookie.set(cookies, opened.token());
}

/// Runs a server function's `body` with its request, then answers: on success its value; on
/// failure the error's status (and `Retry-After`) for API callers, or, for a plain HTML form
/// post, Leptos' redirect back to the form with the error in the URL (a status set here would
/// replace that redirect and the browser would show a bare error page). Faults are logged once,
/// by `Error::into_answer`.
pub async fn respond<T, F>(body: impl FnOnce(AuthCall) -> F) -> Result<T, AppError>
where
    F: Future<Output = Result<T, Error>>,
{
    let call = current_call().map_err(Error::into_answer)?;
    let plain_form = call.plain_form;
    body(call).await.map_err(|error| {
        let answer = error.into_answer();
        if !plain_form {
            set_status(&answer);
        }
        answer
    })
}

/// Reads the request context Leptos provides to server functions.
fn current_call() -> Result<AuthCall, Error> {
    let (Some(state), Some(parts)) = (use_context::<AppState>(), use_context::<Parts>()) else {
        return Err(Error::internal(anyhow::anyhow!(
            "server function called without AppState or request parts in context"
        )));
    };
    let cookies = parts
        .extensions
        .get::<Cookies>()
        .cloned()
        .ok_or_else(|| Error::internal(anyhow::anyhow!("CookieManagerLayer is missing")))?;
    let client = client_info(&parts, state.config.trust_proxy);
    let plain_form = parts
        .headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    Ok(AuthCall {
        state,
        cookies,
        client,
        plain_form,
    })
}

fn set_status(error: &AppError) {
    let Some(response) = use_context::<ResponseOptions>() else {
        return;
    };
    response.set_status(
        StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
    );
    if let Some(retry_after) = error.retry_after() {
        response.insert_header(header::RETRY_AFTER, retry_after);
    }
}
