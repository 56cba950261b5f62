//! `GET|POST /oauth2/authorize` and `POST /oauth2/consent`: who is asking (the client and its
//! redirect URI, checked first), is the person signed in recently enough (`prompt=login`,
//! `max_age`), did they allow this client these scopes (the consent page, remembered), then a
//! code back to the client. A signed-out person signs in by any way in, two-factor included, and
//! comes back here through `next`.

use axum::{
    body::Bytes,
    extract::{RawQuery, State},
    http::StatusCode,
    response::Response,
};
use tower_cookies::Cookies;

use super::replies::{back_to_client, found};
use crate::server::{
    accounts::sessions::ActiveSession,
    clock::unix_now,
    http::plain_page::plain_page,
    oauth::{
        authorization::{self, Params, Refusal, Request, LOGIN_AFTER},
        clients,
        codes::{self, Grant},
        consents,
    },
    state::AppState,
};

pub async fn by_get(
    State(state): State<AppState>,
    cookies: Cookies,
    RawQuery(query): RawQuery,
) -> Response {
    let query = query.unwrap_or_default();
    authorize(&state, &cookies, read(query.as_bytes())).await
}

/// OpenID Connect Core §3.1.2.1: the request may also come as a form post.
pub async fn by_post(State(state): State<AppState>, cookies: Cookies, body: Bytes) -> Response {
    authorize(&state, &cookies, read(&body)).await
}

fn read(encoded: &[u8]) -> (Params, Option<String>) {
    Params::from_pairs(form_urlencoded::parse(encoded))
}

async fn authorize(
    state: &AppState,
    cookies: &Cookies,
    (params, repeated): (Params, Option<String>),
) -> Response {
    let request = match checked(state, &params, repeated.as_deref()).await {
        Ok(request) => request,
        Err(answer) => return answer,
    };
    let Some(session) = signed_in(state, cookies).await else {
        return sign_in_first(&params, &request, state.badges.issuer());
    };
    let now = unix_now();
    let signed_in_at = session.created_at;
    let too_old = request.max_age.is_some_and(|age| now - signed_in_at > age)
        || request
            .login_after
            .is_some_and(|after| signed_in_at < after);
    if too_old || (request.prompt.login && request.login_after.is_none()) {
        return sign_in_first(&params, &request, state.badges.issuer());
    }
    let granted =
        match consents::granted(&state.db, &session.user.id, &request.client.client_id).await {
            Ok(granted) => granted,
            Err(error) => return server_error(&request, state.badges.issuer(), &error),
        };
    let consent_owed =
        !request.client.first_party && (request.prompt.consent || !request.scopes.within(granted));
    if consent_owed {
        if request.prompt.none {
            return refuse(
                &request,
                state.badges.issuer(),
                "consent_required",
                "the person has not allowed this app yet",
            );
        }
        return found(&format!("/oauth2/consent?{}", params.query_with(&[])));
    }
    issue_code(state, &request, &session).await
}

/// `POST /oauth2/consent` (the consent page's form: the request's parameters and `decision`).
pub async fn decide(State(state): State<AppState>, cookies: Cookies, body: Bytes) -> Response {
    let (mut params, repeated) = read(&body);
    let decision = params.take("decision");
    let request = match checked(&state, &params, repeated.as_deref()).await {
        Ok(request) => request,
        Err(answer) => return answer,
    };
    let Some(session) = signed_in(&state, &cookies).await else {
        return sign_in_first(&params, &request, state.badges.issuer());
    };
    if decision.as_deref() != Some("allow") {
        return refuse(
            &request,
            state.badges.issuer(),
            "access_denied",
            "the person did not allow this app",
        );
    }
    let user = &session.user.id;
    if let Err(error) =
        consents::grant(&state.db, user, &request.client.client_id, request.scopes).await
    {
        return server_error(&request, state.badges.issuer(), &error);
    }
    issue_code(&state, &request, &session).await
}

/// The request checked against its client, or the answer to give instead.
async fn checked(
    state: &AppState,
    params: &Params,
    repeated: Option<&str>,
) -> Result<Request, Response> {
    let client = match params.get("client_id") {
        Some(id) => clients::find(&state.db, id).await.map_err(|error| {
            tracing::error!(%error, "reading the OAuth client failed");
            plain_page(
                StatusCode::SERVICE_UNAVAILABLE,
                "Try again",
                "Badge could not read the app's registration; try again in a moment.",
            )
        })?,
        None => None,
    };
    authorization::check(params, repeated, client).map_err(|refusal| match refusal {
        Refusal::Page(message) => plain_page(
            StatusCode::BAD_REQUEST,
            "This sign-in request is not valid",
            &message,
        ),
        Refusal::Redirect {
            redirect_uri,
            state: client_state,
            error,
        } => back_to_client(
            &redirect_uri,
            &[
                ("error", Some(error.error)),
                ("error_description", Some(&error.description)),
                ("state", client_state.as_deref()),
                ("iss", Some(state.badges.issuer())),
            ],
        ),
    })
}

async fn signed_in(state: &AppState, cookies: &Cookies) -> Option<ActiveSession> {
    match state
        .session_cookie
        .signed_in(&state.accounts, cookies)
        .await
    {
        Ok(session) => session,
        Err(error) => {
            tracing::warn!(?error, "reading the session for an authorization failed");
            None
        }
    }
}

/// To the sign-in page, then back to this request; `prompt=login` becomes "signed in after
/// now", so coming back does not ask again. With `prompt=none`, `login_required` instead.
fn sign_in_first(params: &Params, request: &Request, issuer: &str) -> Response {
    if request.prompt.none {
        return refuse(
            request,
            issuer,
            "login_required",
            "the person is not signed in (recently enough)",
        );
    }
    let now = unix_now().to_string();
    let login_after = request.prompt.login.then_some(now.as_str());
    let prompt: Vec<&str> = params
        .get("prompt")
        .unwrap_or_default()
        .split(' ')
        .filter(|value| !value.is_empty() && *value != "login")
        .collect();
    let prompt = prompt.join(" ");
    let mut changes = vec![("prompt", Some(prompt.as_str()).filter(|p| !p.is_empty()))];
    if login_after.is_some() {
        changes.push((LOGIN_AFTER, login_after));
    }
    let back = format!("/oauth2/authorize?{}", params.query_with(&changes));
    let next: String = form_urlencoded::byte_serialize(back.as_bytes()).collect();
    found(&format!("/sign-in?next={next}"))
}

async fn issue_code(state: &AppState, request: &Request, session: &ActiveSession) -> Response {
    let scope = request.scopes.to_string();
    let grant = Grant {
        client_id: &request.client.client_id,
        user_id: &session.user.id,
        session_id: &session.session_id,
        redirect_uri: &request.redirect_uri,
        scope: &scope,
        nonce: request.nonce.as_deref(),
        code_challenge: request.code_challenge.as_deref(),
        auth_time: session.created_at,
        amr: &session.amr,
    };
    match codes::issue(&state.db, &grant, state.config.oauth_code_ttl).await {
        Ok(code) => {
            metrics::counter!("badge_oauth_codes_issued_total").increment(1);
            back_to_client(
                &request.redirect_uri,
                &[
                    ("code", Some(&code)),
                    ("state", request.state.as_deref()),
                    ("iss", Some(state.badges.issuer())),
                ],
            )
        }
        Err(error) => server_error(request, state.badges.issuer(), &error),
    }
}

/// An error for the client (RFC 9207: with `iss`, as discovery promises).
fn refuse(request: &Request, issuer: &str, error: &str, description: &str) -> Response {
    back_to_client(
        &request.redirect_uri,
        &[
            ("error", Some(error)),
            ("error_description", Some(description)),
            ("state", request.state.as_deref()),
            ("iss", Some(issuer)),
        ],
    )
}

fn server_error(request: &Request, issuer: &str, error: &sqlx::Error) -> Response {
    tracing::error!(%error, client_id = %request.client.client_id, "an authorization failed");
    refuse(
        request,
        issuer,
        "server_error",
        "Badge could not complete the request; try again",
    )
}
