//! Badge as an OpenID Provider, over HTTP: discovery, `/oauth2/authorize` (and the consent
//! decision), `/oauth2/end-session`, and what clients call from their servers: `/oauth2/token`,
//! `/oauth2/userinfo`, `/oauth2/introspect`, `/oauth2/revoke`. The service is `server::oauth`.

mod authorize;
mod client_auth;
mod discovery;
mod end_session;
mod introspect;
mod replies;
mod revoke;
mod token;
mod userinfo;

use axum::{
    routing::{get, post},
    Router,
};
use tower_http::limit::RequestBodyLimitLayer;

use crate::server::{http::form_guard::MAX_BODY_BYTES, state::AppState};

/// The routes that read the session cookie: the authorization request, the consent decision and
/// RP-initiated logout.
pub fn cookie_routes() -> Router<AppState> {
    Router::new()
        .route(
            "/oauth2/authorize",
            get(authorize::by_get).post(authorize::by_post),
        )
        .route("/oauth2/consent", post(authorize::decide))
        .route(
            "/oauth2/end-session",
            get(end_session::by_get).post(end_session::by_post),
        )
}

/// The routes clients call from their servers, without cookies: discovery, token, userinfo,
/// introspection, revocation.
pub fn cookieless_routes() -> Router<AppState> {
    Router::new()
        .route(
            "/.well-known/openid-configuration",
            get(discovery::configuration),
        )
        .route("/oauth2/token", post(token::exchange))
        .route("/oauth2/introspect", post(introspect::introspect))
        .route("/oauth2/revoke", post(revoke::revoke))
        .route(
            "/oauth2/userinfo",
            get(userinfo::by_get).post(userinfo::by_post),
        )
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
}
