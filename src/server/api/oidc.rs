//! "Continue with …" in the browser: `GET /api/auth/oidc/{id}/start?next=…` (sign in),
//! `GET /api/auth/oidc/{id}/connect` (the account page's **Connect**) and the provider's
//! `GET /api/auth/oidc/{id}/callback`. Plain navigations, so they work without WebAssembly.
//! The round trip is bound to the browser by the HttpOnly `badge_oidc` cookie; every failure
//! lands on `/sign-in` (or `/account` when connecting) with a code the page words
//! (`wire::provider_problem`), never a 500 and never a half-made account.

use axum::{
    extract::{Path, Query, State},
    http::request::Parts,
    response::{IntoResponse, Redirect, Response},
    routing::get,
    Router,
};
use serde::Deserialize;
use tower_cookies::Cookies;

use crate::{
    domain::{local_path_or_root, SessionToken},
    server::{
        accounts::{door::Entry, external::Identity, AccountError},
        clock::{secs, unix_now},
        http::{client::client_info, server_fn::set_session_cookie},
        oidc::{
            round_trips::{self, RoundTrip},
            ROUND_TRIP_TTL,
        },
        state::AppState,
    },
    wire::ProviderProblem,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/auth/oidc/{id}/start", get(start_sign_in))
        .route("/api/auth/oidc/{id}/connect", get(start_connect))
        .route("/api/auth/oidc/{id}/callback", get(callback))
}

#[derive(Deserialize)]
struct StartQuery {
    next: Option<String>,
}

async fn start_sign_in(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<StartQuery>,
    cookies: Cookies,
    parts: Parts,
) -> Response {
    let next = local_path_or_root(query.next.as_deref().unwrap_or("/")).to_owned();
    start(&state, &id, None, next, &cookies, &parts).await
}

async fn start_connect(
    State(state): State<AppState>,
    Path(id): Path<String>,
    cookies: Cookies,
    parts: Parts,
) -> Response {
    let Ok(Some(session)) = state
        .session_cookie
        .signed_in(&state.accounts, &cookies)
        .await
    else {
        return fail(false, ProviderProblem::SignInFirst);
    };
    let user = Some(session.user.id);
    start(&state, &id, user, ACCOUNT.into(), &cookies, &parts).await
}

const ACCOUNT: &str = "/account";

/// Sends the browser to the provider, with the round trip stored and its cookie set.
async fn start(
    state: &AppState,
    id: &str,
    user_id: Option<String>,
    next: String,
    cookies: &Cookies,
    parts: &Parts,
) -> Response {
    let connecting = user_id.is_some();
    let client = client_info(parts, state.config.trust_proxy);
    if state.limits.check_ip(client.ip).await.is_err() {
        return fail(connecting, ProviderProblem::TooMany);
    }
    let begun = match state.providers.begin(id).await {
        Ok(begun) => begun,
        Err(error) => {
            tracing::warn!(provider = id, %error, "a provider round trip could not start");
            return fail(connecting, ProviderProblem::Unavailable);
        }
    };
    let token = SessionToken::generate();
    let trip = RoundTrip {
        provider: id.to_owned(),
        state: begun.state,
        nonce: begun.nonce,
        pkce_verifier: begun.pkce_verifier,
        user_id,
        next,
        expires_at: unix_now().saturating_add(secs(ROUND_TRIP_TTL)),
    };
    if let Err(error) = round_trips::insert(&state.db, &token.hash(), &trip).await {
        tracing::error!(%error, "storing a provider round trip failed");
        return fail(connecting, ProviderProblem::ProviderError);
    }
    state.oidc_cookie.set(cookies, &token);
    Redirect::to(begun.url.as_str()).into_response()
}

#[derive(Deserialize)]
struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

async fn callback(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<CallbackQuery>,
    cookies: Cookies,
    parts: Parts,
) -> Response {
    let cookie = &state.oidc_cookie;
    let Some(token) = cookie.token(&cookies) else {
        return fail(false, ProviderProblem::Expired);
    };
    cookie.clear(&cookies);
    let trip = match round_trips::take(&state.db, &token.hash()).await {
        Ok(Some(trip)) if trip.expires_at > unix_now() && trip.provider == id => trip,
        Ok(_) => return fail(false, ProviderProblem::Expired),
        Err(error) => {
            tracing::error!(%error, "reading a provider round trip failed");
            return fail(false, ProviderProblem::ProviderError);
        }
    };
    let connecting = trip.user_id.is_some();
    if let Some(error) = query.error.as_deref() {
        tracing::info!(provider = %id, error = %error.chars().take(64).collect::<String>(), "the provider refused or was cancelled");
        let problem = if error == "access_denied" {
            ProviderProblem::Cancelled
        } else {
            ProviderProblem::ProviderError
        };
        return fail(connecting, problem);
    }
    if query.state.as_deref() != Some(trip.state.as_str()) {
        tracing::warn!(provider = %id, "a provider callback's state did not match its round trip");
        return fail(connecting, ProviderProblem::StateMismatch);
    }
    let Some(code) = query.code else {
        return fail(connecting, ProviderProblem::ProviderError);
    };
    let identity = match state
        .providers
        .finish(&id, code, trip.nonce, trip.pkce_verifier)
        .await
    {
        Ok(identity) => identity,
        Err(error) => {
            tracing::warn!(provider = %id, %error, "a provider round trip failed");
            return fail(connecting, ProviderProblem::ProviderError);
        }
    };
    match trip.user_id {
        Some(user_id) => connect(&state, &cookies, &user_id, &identity).await,
        None => sign_in(&state, &cookies, &parts, &identity, &trip.next).await,
    }
}

async fn sign_in(
    state: &AppState,
    cookies: &Cookies,
    parts: &Parts,
    identity: &Identity,
    next: &str,
) -> Response {
    let client = client_info(parts, state.config.trust_proxy);
    match state
        .accounts
        .sign_in_with_provider(identity, &client)
        .await
    {
        Ok(Entry::Opened(opened)) => {
            outcome("signed_in");
            set_session_cookie(state, cookies, &opened);
            Redirect::to(local_path_or_root(next)).into_response()
        }
        Ok(Entry::SecondFactorOwed(challenge)) => {
            outcome("second_factor_owed");
            state.challenge_cookie.set(cookies, &challenge);
            Redirect::to(&crate::auth::two_factor_page(local_path_or_root(next))).into_response()
        }
        Err(error) => fail(false, problem_of(&error)),
    }
}

async fn connect(
    state: &AppState,
    cookies: &Cookies,
    user_id: &str,
    identity: &Identity,
) -> Response {
    // The person who started connecting must still be the one signed in here.
    let signed_in = state
        .session_cookie
        .signed_in(&state.accounts, cookies)
        .await;
    if !matches!(signed_in, Ok(Some(ref session)) if session.user.id == user_id) {
        return fail(true, ProviderProblem::SignInFirst);
    }
    match state.accounts.connect_provider(user_id, identity).await {
        Ok(()) => {
            outcome("connected");
            Redirect::to("/account?notice=provider-connected#connected-title").into_response()
        }
        Err(error) => fail(true, problem_of(&error)),
    }
}

fn problem_of(error: &AccountError) -> ProviderProblem {
    match error {
        AccountError::ProviderEmailUnverified => ProviderProblem::EmailUnverified,
        AccountError::LocalEmailUnverified => ProviderProblem::LinkRefused,
        AccountError::IdentityTaken => ProviderProblem::IdentityTaken,
        AccountError::ProviderConnectedAlready => ProviderProblem::ConnectedAlready,
        AccountError::EmailNotVerified => ProviderProblem::VerifyEmail,
        other => {
            tracing::error!(error = %other, "a provider sign-in failed on our side");
            ProviderProblem::ProviderError
        }
    }
}

/// Back to the sign-in page (or the account page, when connecting) with the problem's code.
fn fail(connecting: bool, problem: ProviderProblem) -> Response {
    outcome(problem.code());
    let page = if connecting { ACCOUNT } else { "/sign-in" };
    Redirect::to(&format!("{page}?provider_problem={}", problem.code())).into_response()
}

fn outcome(outcome: &'static str) {
    metrics::counter!("badge_external_sign_ins_total", "outcome" => outcome).increment(1);
}
