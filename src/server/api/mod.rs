//! Plain Axum JSON routes, each module exposing `router()`, merged here, and their extractors.

#[cfg(feature = "bench")]
mod bench_ceiling;
mod extract;
mod health;
mod hello_world;
mod jwks;
mod oauth2;
pub mod oidc;
mod token;

use axum::{
    http::{header, HeaderValue, Method},
    Router,
};
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::server::state::AppState;

/// The routes that read the session cookie (`/api/token`): they sit behind the site's cookie and
/// origin checks.
pub fn cookie_routes(state: &AppState) -> Router<AppState> {
    with_cors(token::router(), state)
        .merge(oidc::router())
        .merge(oauth2::cookie_routes())
}

/// The routes that never read a cookie: the bearer-badge vault, the key set, the health check.
/// They skip the layers only pages and cookie routes need.
pub fn cookieless_routes(state: &AppState) -> Router<AppState> {
    let router = Router::new()
        .merge(health::router())
        .merge(jwks::router())
        .merge(oauth2::cookieless_routes())
        .merge(with_cors(hello_world::router(), state));
    #[cfg(feature = "bench")]
    let router = router.merge(bench_ceiling::router());
    router
}

/// Without trusted origins there is nothing to allow: no layer (and no Vary headers).
fn with_cors(routes: Router<AppState>, state: &AppState) -> Router<AppState> {
    if state.config.trusted_origins.is_empty() {
        routes
    } else {
        routes.layer(cors(&state.config.trusted_origins))
    }
}

/// Cross-origin access to the badge routes for `TRUSTED_ORIGINS` only (never `*`), with
/// credentials so a trusted front end on another origin can fetch `/api/token`.
fn cors(trusted_origins: &[String]) -> CorsLayer {
    let origins: Vec<HeaderValue> = trusted_origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([Method::GET])
        .allow_headers([header::AUTHORIZATION])
        .allow_credentials(true)
}
