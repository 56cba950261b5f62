//! The router: the JSON routes, the pages, the static files, and the layers requests pass
//! through. In each `ServiceBuilder` the first layer is the first a request meets.
//!
//! Two groups: the site (pages, server functions, `/api/token`, static files), which reads
//! cookies and so gets the cookie, origin, form and CSP layers; and the cookieless API (the
//! bearer vault, JWKS, health), which needs none of them and stays close to the cost of
//! verifying a badge. Both share the edge: request id, access log, timeouts, security headers.
//! The body limit sits with the site, whose routes read bodies; the cookieless API reads none.

use std::sync::LazyLock;

use axum::{middleware, Router};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use tower::ServiceBuilder;
use tower_cookies::CookieManagerLayer;
use tower_http::limit::RequestBodyLimitLayer;

use crate::{
    app::{shell, App},
    server::{
        api,
        http::{
            csp::{content_security_policy, Csp, CspNonce},
            edge,
            form_guard::{check_auth_form, MAX_BODY_BYTES},
            origin::require_trusted_origin,
            passkey_place::passkey_place,
        },
        serve::Draining,
        state::AppState,
    },
    wire::{PublicOrigin, VaultUrl},
};

pub fn router(state: AppState, draining: Draining) -> Router {
    let edge_settings = edge::Edge {
        draining,
        https: state.config.is_https(),
        request_timeout: state.config.operations.request_timeout,
    };
    site_routes(&state)
        .merge(api::cookieless_routes(&state))
        .layer(edge_settings)
        .with_state(state)
}

/// Pages, server functions, `/api/token` and the static files (the fallback), behind the
/// layers for what carries cookies or renders HTML.
fn site_routes(state: &AppState) -> Router<AppState> {
    let csp = Csp::new(state.config.vault_url.as_deref());
    Router::new()
        .merge(api::cookie_routes(state))
        .leptos_routes_with_context(
            state,
            page_routes(),
            {
                let state = state.clone();
                let vault = VaultUrl(state.config.vault_url.clone());
                move || {
                    provide_context(state.clone());
                    provide_context(vault.clone());
                    provide_page_nonce();
                    provide_context(passkey_place(&state));
                    provide_context(state.providers.buttons());
                    provide_context(PublicOrigin(state.config.public_origin()));
                }
            },
            {
                let options = state.leptos_options.clone();
                move || shell(options.clone())
            },
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        // One `ServiceBuilder`: axum boxes the service once per `Router::layer` call, so a stack
        // applied in one call costs one box per request instead of one per layer.
        .layer(
            ServiceBuilder::new()
                .layer(middleware::from_fn(edge::page_responses))
                .layer(middleware::from_fn_with_state(csp, content_security_policy))
                .layer(CookieManagerLayer::new())
                .layer(middleware::from_fn_with_state(
                    state.clone(),
                    require_trusted_origin,
                ))
                .layer(middleware::from_fn(check_auth_form))
                .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES)),
        )
}

/// The pages' routes, listed once per process. Listing runs the app with every page resource
/// parked, process-wide (leptos#4773): done again for a second instance, it would hang the
/// pages the first one is rendering at that moment.
fn page_routes() -> Vec<AxumRouteListing> {
    static ROUTES: LazyLock<Vec<AxumRouteListing>> = LazyLock::new(|| generate_route_list(App));
    ROUTES.clone()
}

/// Hands the page's CSP nonce (made by `csp::content_security_policy`) to Leptos, which puts it
/// on every script it writes.
fn provide_page_nonce() {
    // Borrowed: `use_context` would clone the whole request head for one extension.
    let nonce = leptos::reactive::owner::with_context::<axum::http::request::Parts, _>(|parts| {
        parts.extensions.get::<CspNonce>().cloned()
    })
    .flatten();
    if let Some(CspNonce(nonce)) = nonce {
        provide_context(leptos::nonce::Nonce::from_value(nonce));
    }
}
