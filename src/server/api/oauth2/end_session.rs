//! `/oauth2/end-session` (OpenID Connect RP-Initiated Logout 1.0): an app sends the person here
//! to sign out of Badge. `id_token_hint` (an id_token Badge issued, expired or not) or
//! `client_id` names the app; `post_logout_redirect_uri` must be one it registered
//! (`--post-logout-uri`), or it is a page, never a redirect; `state` goes back with it. A
//! signed-in person confirms first (**Sign out** / **Stay signed in**): a link alone never signs
//! anyone out.

use axum::{
    body::Bytes,
    extract::{RawQuery, State},
    http::{HeaderName, HeaderValue, StatusCode},
    response::{Html, IntoResponse, Response},
};
use serde::Deserialize;
use tower_cookies::Cookies;
use url::Url;

use super::replies::{back_to_client, found};
use crate::server::{
    badge::KeyAlgorithm,
    http::{csp::FORM_TARGET, plain_page::plain_page},
    oauth::{
        authorization::Params,
        clients::{self, Client},
    },
    state::AppState,
};

/// What an id_token hint says (only what logout needs).
#[derive(Deserialize)]
struct Hint {
    sub: String,
    aud: String,
}

/// A checked logout request.
struct Logout {
    client: Option<Client>,
    /// Registered for `client`, checked.
    post_logout_uri: Option<String>,
    state: Option<String>,
    /// The person the app thought was signed in.
    hinted_user: Option<String>,
}

pub async fn by_get(
    State(state): State<AppState>,
    cookies: Cookies,
    RawQuery(query): RawQuery,
) -> Response {
    let (params, repeated) =
        Params::from_pairs(form_urlencoded::parse(query.unwrap_or_default().as_bytes()));
    let logout = match check(&state, &params, repeated).await {
        Ok(logout) => logout,
        Err(page) => return page,
    };
    match signed_in(&state, &cookies).await {
        Some(user_id) => confirmation(&logout, Some(&user_id) != logout.hinted_user.as_ref()),
        None => finish(&logout),
    }
}

/// The confirmation form's answer: `decision` is `sign-out` or `stay`.
pub async fn by_post(State(state): State<AppState>, cookies: Cookies, body: Bytes) -> Response {
    let (mut params, repeated) = Params::from_pairs(form_urlencoded::parse(&body));
    let decision = params.take("decision");
    let logout = match check(&state, &params, repeated).await {
        Ok(logout) => logout,
        Err(page) => return page,
    };
    if decision.as_deref() != Some("sign-out") {
        return found("/");
    }
    if let Some(token) = state.session_cookie.token(&cookies) {
        if let Err(error) = state.accounts.sign_out(&token).await {
            tracing::error!(?error, "ending the session at logout failed");
            return plain_page(
                StatusCode::SERVICE_UNAVAILABLE,
                "Try again",
                "Badge could not sign you out just now; try again in a moment.",
            );
        }
    }
    state.session_cookie.clear(&cookies);
    tracing::info!(
        client_id = logout.client.as_ref().map(|c| c.client_id.as_str()),
        "signed out at an app's request"
    );
    finish(&logout)
}

/// The request checked: the app, its registered post-logout URI, the hint's signature.
async fn check(
    state: &AppState,
    params: &Params,
    repeated: Option<String>,
) -> Result<Logout, Response> {
    let refused = |message: &str| {
        plain_page(
            StatusCode::BAD_REQUEST,
            "This sign-out request is not valid",
            message,
        )
    };
    if let Some(name) = repeated {
        return Err(refused(&format!("The parameter {name} is repeated.")));
    }
    let hint = match params.get("id_token_hint") {
        Some(token) => Some(
            state
                .badges
                .verify_signed_even_expired::<Hint>(token, KeyAlgorithm::Rs256, "JWT")
                .await
                .map_err(|_| refused("The id_token_hint is not an id_token Badge issued."))?,
        ),
        None => None,
    };
    let client_id = match (
        hint.as_ref().map(|h| h.aud.as_str()),
        params.get("client_id"),
    ) {
        (Some(from_hint), Some(named)) if from_hint != named => {
            return Err(refused(
                "The client_id is not the app the id_token_hint was issued to.",
            ))
        }
        (from_hint, named) => from_hint.or(named),
    };
    let client = match client_id {
        Some(id) => Some(
            clients::find(&state.db, id)
                .await
                .map_err(|error| {
                    tracing::error!(%error, "reading the OAuth client failed");
                    plain_page(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "Try again",
                        "Badge could not read the app's registration; try again in a moment.",
                    )
                })?
                .ok_or_else(|| {
                    refused("The app that sent you here is not registered with Badge.")
                })?,
        ),
        None => None,
    };
    let post_logout_uri = match (params.get("post_logout_redirect_uri"), &client) {
        (None, _) => None,
        (Some(_), None) => {
            return Err(refused(
                "A post_logout_redirect_uri needs the app named (id_token_hint or client_id).",
            ))
        }
        (Some(uri), Some(client)) if client.post_logout_uris.iter().any(|r| r == uri) => {
            Some(uri.to_owned())
        }
        (Some(_), Some(_)) => {
            return Err(refused(
                "The address to return to after signing out is not registered for this app.",
            ))
        }
    };
    Ok(Logout {
        client,
        post_logout_uri,
        state: params.get("state").map(str::to_owned),
        hinted_user: hint.map(|h| h.sub),
    })
}

async fn signed_in(state: &AppState, cookies: &Cookies) -> Option<String> {
    match state
        .session_cookie
        .signed_in(&state.accounts, cookies)
        .await
    {
        Ok(session) => session.map(|s| s.user.id),
        Err(error) => {
            tracing::warn!(?error, "reading the session at logout failed");
            None
        }
    }
}

/// Back to the app's registered post-logout URI with `state`, or Badge's own word.
fn finish(logout: &Logout) -> Response {
    match &logout.post_logout_uri {
        Some(uri) => back_to_client(uri, &[("state", logout.state.as_deref())]),
        None => plain_page(
            StatusCode::OK,
            "You are signed out",
            "You are signed out of Badge. You can close this page.",
        ),
    }
}

/// "Sign out of Badge?" with the request carried in hidden fields.
fn confirmation(logout: &Logout, someone_else: bool) -> Response {
    let escape = |text: &str| html_escape::encode_double_quoted_attribute(text).into_owned();
    let asking = logout.client.as_ref().map_or_else(
        || "You asked to sign out of Badge.".to_owned(),
        |client| format!("{} asks to sign you out of Badge.", escape(&client.name)),
    );
    let note = if someone_else {
        "<p>The app may have had another account in mind; you are signed in here as someone \
         else.</p>"
    } else {
        ""
    };
    let mut hidden = String::new();
    let fields = [
        (
            "client_id",
            logout.client.as_ref().map(|c| c.client_id.as_str()),
        ),
        (
            "post_logout_redirect_uri",
            logout.post_logout_uri.as_deref(),
        ),
        ("state", logout.state.as_deref()),
    ];
    for (name, value) in fields {
        if let Some(value) = value {
            hidden.push_str(&format!(
                "<input type=\"hidden\" name=\"{name}\" value=\"{}\">",
                escape(value)
            ));
        }
    }
    let page = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <link rel=\"stylesheet\" href=\"/pkg/badge.css\">\
         <title>Sign out of Badge? · Badge</title></head>\
         <body><main class=\"content\"><section class=\"card\">\
         <h1>Sign out of Badge?</h1><p>{asking}</p>{note}\
         <form method=\"post\" action=\"/oauth2/end-session\" class=\"stack\">{hidden}\
         <div class=\"actions\">\
         <button type=\"submit\" name=\"decision\" value=\"sign-out\">Sign out</button>\
         <button type=\"submit\" name=\"decision\" value=\"stay\" class=\"secondary\">Stay \
         signed in</button></div></form></section></main></body></html>"
    );
    let mut response = (StatusCode::OK, Html(page)).into_response();
    // The answer redirects to the app's registered URI: the form-action must allow it.
    let origin = logout
        .post_logout_uri
        .as_deref()
        .and_then(|uri| Url::parse(uri).ok())
        .map(|url| url.origin().ascii_serialization())
        .and_then(|origin| HeaderValue::from_str(&origin).ok());
    if let Some(origin) = origin {
        response
            .headers_mut()
            .insert(HeaderName::from_static(FORM_TARGET), origin);
    }
    response
}
