//! Badge as an OpenID Provider, over HTTP: discovery, `/oauth2/authorize` (and the consent
//! decision), `/oauth2/token` and `/oauth2/userinfo`. The service is `server::oauth`.

mod authorize;
mod discovery;
mod replies;
mod token;
mod userinfo;

use axum::{
    routing::{get, post},
    Router,
};
use tower_http::limit::RequestBodyLimitLayer;

use crate::server::{http::form_guard::MAX_BODY_BYTES, state::AppState};

/// The routes that read the session cookie: the authorization request and the consent decision.
pub fn cookie_routes() -> Router<AppState> {
    Router::new()
        .route(
            "/oauth2/authorize",
            get(authorize::by_get).post(authorize::by_post),
        )
        .route("/oauth2/consent", post(authorize::decide))
}

/// The routes clients call from their servers, without cookies: discovery, token, userinfo.
pub fn cookieless_routes() -> Router<AppState> {
    Router::new()
        .route(
            "/.well-known/openid-configuration",
            get(discovery::configuration),
        )
        .route("/oauth2/token", post(token::exchange))
        .route(
            "/oauth2/userinfo",
            get(userinfo::by_get).post(userinfo::by_post),
        )
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
}
