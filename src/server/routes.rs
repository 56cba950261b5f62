//! The router: the JSON routes, the pages, the static files, and the layers every request passes
//! through. Read from the bottom up: the last layer added is the first a request meets.

use axum::{
    http::{header, HeaderValue, StatusCode},
    middleware, Router,
};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_cookies::CookieManagerLayer;
use tower_http::{
    limit::RequestBodyLimitLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    set_header::SetResponseHeaderLayer,
    timeout::TimeoutLayer,
};

use crate::{
    app::{shell, App},
    server::{
        api,
        http::{
            csp::{content_security_policy, Csp, CspNonce},
            edge::{self, REQUEST_ID},
            form_guard::{check_auth_form, MAX_BODY_BYTES},
            origin::require_trusted_origin,
        },
        serve::Draining,
        state::AppState,
    },
    wire::VaultUrl,
};

/// Two years, as HSTS preload lists expect.
const HSTS: &str = "max-age=63072000; includeSubDomains";

pub fn router(state: AppState, draining: Draining) -> Router {
    let routes = generate_route_list(App);
    let csp = Csp::new(state.config.vault_url.as_deref());
    let mut router = Router::new()
        .merge(api::router(&state))
        .leptos_routes_with_context(
            &state,
            routes,
            {
                let state = state.clone();
                let vault = VaultUrl(state.config.vault_url.clone());
                move || {
                    provide_context(state.clone());
                    provide_context(vault.clone());
                    provide_page_nonce();
                }
            },
            {
                let options = state.leptos_options.clone();
                move || shell(options.clone())
            },
        )
        .route_layer(middleware::from_fn(edge::tag_route))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(middleware::from_fn(check_auth_form))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            require_trusted_origin,
        ))
        .layer(CookieManagerLayer::new())
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            state.config.operations.request_timeout,
        ))
        .layer(middleware::from_fn_with_state(csp, content_security_policy))
        .layer(middleware::from_fn(edge::page_cache_control))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ));
    if state.config.is_https() {
        router = router.layer(SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        ));
    }
    router
        .layer(middleware::from_fn_with_state(
            draining,
            edge::close_when_draining,
        ))
        .layer(middleware::from_fn(edge::access_log))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID.clone()))
        .layer(SetRequestIdLayer::new(REQUEST_ID.clone(), MakeRequestUuid))
        .layer(middleware::from_fn(edge::sanitize_request_id))
        .with_state(state)
}

/// Hands the page's CSP nonce (made by `csp::content_security_policy`) to Leptos, which puts it
/// on every script it writes.
fn provide_page_nonce() {
    let nonce = use_context::<axum::http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<CspNonce>().cloned());
    if let Some(CspNonce(nonce)) = nonce {
        provide_context(leptos::nonce::Nonce::from_value(nonce));
    }
}
