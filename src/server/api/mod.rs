//! Plain Axum JSON routes, each module exposing `router()`, merged here, and their extractors.

#[cfg(feature = "bench")]
mod bench_ceiling;
mod extract;
mod health;
mod hello_world;
mod jwks;
mod token;

use axum::{
    http::{header, HeaderValue, Method},
    Router,
};
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::server::state::AppState;

pub fn router(state: &AppState) -> Router<AppState> {
    let mut badge_routes = Router::new()
        .merge(token::router())
        .merge(hello_world::router());
    // Without trusted origins there is nothing to allow: skip the layer (and its Vary headers).
    if !state.config.trusted_origins.is_empty() {
        badge_routes = badge_routes.layer(cors(&state.config.trusted_origins));
    }
    let router = Router::new()
        .merge(health::router())
        .merge(jwks::router())
        .merge(badge_routes);
    #[cfg(feature = "bench")]
    let router = router.merge(bench_ceiling::router());
    router
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
