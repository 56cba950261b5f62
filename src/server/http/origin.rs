//! Cross-site request forgery guard: a state-changing request that carries cookies, or any
//! request to `/api/auth/*`, must come from the site itself (any of its names) or a
//! `TRUSTED_ORIGINS` entry. A refusal says what came, what was expected and what would allow it.

use axum::{
    extract::{Request, State},
    http::{header, HeaderMap, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};

use super::plain_page::plain_page;
use crate::{error::AppError, server::state::AppState};

/// An `Origin` is a scheme, a host and a port; anything longer is cut in messages and logs.
const MAX_SHOWN_ORIGIN_CHARS: usize = 200;

pub async fn require_trusted_origin(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if !needs_check(&request) {
        return next.run(request).await;
    }
    let origin = request_origin(request.headers());
    if origin
        .as_deref()
        .is_some_and(|o| state.config.is_allowed_origin(o))
    {
        return next.run(request).await;
    }
    let origin = origin.map(|o| o.chars().take(MAX_SHOWN_ORIGIN_CHARS).collect::<String>());
    let expected = state.config.site_origin();
    tracing::warn!(
        path = request.uri().path(),
        origin = origin.as_deref().unwrap_or("(none)"),
        expected = %expected,
        "refused a request from an untrusted origin; set SITE_URL to the site's public URL or \
         add the origin to TRUSTED_ORIGINS"
    );
    let refused = AppError::ForbiddenOrigin { origin, expected };
    if wants_a_page(request.headers()) {
        plain_page(
            StatusCode::FORBIDDEN,
            "Request refused",
            &refused.to_string(),
        )
    } else {
        // The same JSON as a server function's error, so the hydrated app shows the message.
        refused.into_response()
    }
}

fn needs_check(request: &Request) -> bool {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    !safe
        && (request.uri().path().starts_with("/api/auth/")
            || request.headers().contains_key(header::COOKIE))
}

/// Origin when sent (browsers send it on every POST), else the Referer's origin. Opaque
/// origins serialise as "null" and never match.
fn request_origin(headers: &HeaderMap) -> Option<String> {
    match headers.get(header::ORIGIN) {
        Some(origin) => origin
            .to_str()
            .ok()
            .map(|o| o.trim_end_matches('/').to_owned()),
        None => headers
            .get(header::REFERER)
            .and_then(|r| r.to_str().ok())
            .and_then(|r| url::Url::parse(r).ok())
            .map(|u| u.origin().ascii_serialization()),
    }
}

/// A plain HTML form post (no WebAssembly) asks for a page, not JSON.
fn wants_a_page(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}
