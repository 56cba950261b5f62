//! Cross-site request forgery guard: a state-changing request that carries cookies, or any
//! request to `/api/auth/*`, must come from the site itself or a `TRUSTED_ORIGINS` entry.

use axum::{
    extract::{Request, State},
    http::{header, HeaderMap, Method},
    middleware::Next,
    response::{IntoResponse, Response},
};

use crate::{
    error::AppError,
    server::{config::Config, state::AppState},
};

pub async fn require_trusted_origin(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if needs_check(&request) && !is_trusted(request.headers(), &state.config) {
        tracing::warn!(
            path = request.uri().path(),
            origin = ?request.headers().get(header::ORIGIN),
            "refused a request from an untrusted origin"
        );
        // The same JSON as a server function's error, so the browser shows a readable message.
        return AppError::ForbiddenOrigin.into_response();
    }
    next.run(request).await
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

/// Origin when sent (browsers send it on every POST), else the Referer's origin.
fn is_trusted(headers: &HeaderMap, config: &Config) -> bool {
    let origin = match headers.get(header::ORIGIN) {
        Some(origin) => origin
            .to_str()
            .ok()
            .map(|o| o.trim_end_matches('/').to_owned()),
        None => headers
            .get(header::REFERER)
            .and_then(|r| r.to_str().ok())
            .and_then(|r| url::Url::parse(r).ok())
            .map(|u| u.origin().ascii_serialization()),
    };
    // Opaque origins serialise as "null" and never match.
    origin.is_some_and(|o| o == config.site_origin() || config.trusted_origins.contains(&o))
}
