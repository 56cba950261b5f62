//! What every response passes through at the edge: the request id (a caller's sane
//! `x-request-id` is kept, else a new one), one access-log line and the request metrics per
//! request, `Connection: close` while draining, and the headers pages need (`Cache-Control:
//! private, no-store` on HTML, HSTS on https).

use std::time::Instant;

use axum::{
    extract::{MatchedPath, Request, State},
    http::{header, HeaderName, HeaderValue},
    middleware::Next,
    response::Response,
};

use crate::server::serve::Draining;

pub static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
const LONGEST_REQUEST_ID: usize = 128;

/// Drops a caller's `x-request-id` unless it is short printable ASCII without spaces, so a new
/// one is made instead (it goes into logs and back into headers).
pub async fn sanitize_request_id(mut request: Request, next: Next) -> Response {
    let sane = request.headers().get(&REQUEST_ID).is_some_and(|id| {
        let id = id.as_bytes();
        !id.is_empty()
            && id.len() <= LONGEST_REQUEST_ID
            && id
                .iter()
                .all(|b| b.is_ascii_graphic() && *b != b'"' && *b != b'\\')
    });
    if !sane {
        request.headers_mut().remove(&REQUEST_ID);
    }
    next.run(request).await
}

/// Copies the matched route template into the response, for the access log outside the router.
pub async fn tag_route(request: Request, next: Next) -> Response {
    let route = request.extensions().get::<MatchedPath>().cloned();
    let mut response = next.run(request).await;
    if let Some(route) = route {
        response.extensions_mut().insert(route);
    }
    response
}

/// One log line per request (method, route template, status, latency, request id; never a
/// query string, cookie or token) and the request metrics.
pub async fn access_log(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let static_file = request.uri().path().starts_with("/pkg/");
    // A `HeaderValue` clone shares its bytes: nothing is copied per request.
    let request_id = request.headers().get(&REQUEST_ID).cloned();
    let response = next.run(request).await;
    let route = match response.extensions().get::<MatchedPath>() {
        Some(route) => route.as_str(),
        None if static_file => "/pkg/*",
        // Unmatched paths stay out of labels: one value instead of one per path tried.
        None => "(other)",
    };
    let status = response.status().as_u16();
    let latency = started.elapsed();
    tracing::info!(
        target: "badge::access",
        %method,
        %route,
        status,
        latency_ms = latency.as_secs_f64() * 1000.0,
        request_id = request_id
            .as_ref()
            .and_then(|id| id.to_str().ok())
            .unwrap_or("-"),
        "request"
    );
    crate::server::metrics::record_request(route, status, latency);
    response
}

/// While draining, every response closes its connection: the client learns to reconnect
/// (elsewhere) instead of sending another request into a closing socket.
pub async fn close_when_draining(
    State(draining): State<Draining>,
    request: Request,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    if draining.is_set() {
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

/// Pages may show a user: never stored by a shared cache or the browser's back-forward cache.
pub async fn page_cache_control(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    if is_html(&response) {
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-store"),
        );
    }
    response
}

/// True for an HTML page.
pub fn is_html(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}
