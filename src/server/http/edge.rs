//! What every request passes through at the edge, in one middleware: the request id (a
//! caller's sane `x-request-id` is kept, else a new one), the request timeout (408), one
//! access-log line and the request metrics, the security headers every response carries
//! (`nosniff`, the referrer policy, HSTS on https), and `Connection: close` while draining.
//! Plus the header pages need (`Cache-Control: private, no-store` on HTML).
//!
//! One middleware rather than a layer each: every `from_fn` layer costs an allocation or two per
//! request, and the JSON API is meant to cost little more than verifying the badge.

use std::time::{Duration, Instant};

use axum::{
    extract::{MatchedPath, Request, State},
    http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use rand::RngCore;

use crate::server::serve::Draining;

pub static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
const LONGEST_REQUEST_ID: usize = 128;
/// Two years, as HSTS preload lists expect.
const HSTS: &str = "max-age=63072000; includeSubDomains";

/// What the edge needs to know.
#[derive(Clone)]
pub struct Edge {
    pub draining: Draining,
    /// The site is served over https: responses carry HSTS.
    pub https: bool,
    /// The longest a request may take, its body included (`REQUEST_TIMEOUT`).
    pub request_timeout: Duration,
}

/// Runs inside the router (axum applies `Router::layer` per route), so the matched route
/// template is known before the handler runs.
pub async fn edge(State(edge): State<Edge>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let route = request.extensions().get::<MatchedPath>().cloned();
    let static_file = request.uri().path().starts_with("/pkg/");
    let request_id = sane_request_id(request.headers()).unwrap_or_else(new_request_id);

    // tokio's timeout polls the request before its timer, so a request answered at once never
    // arms the timer (tower-http's TimeoutLayer arms it every time).
    let mut response = match tokio::time::timeout(edge.request_timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => StatusCode::REQUEST_TIMEOUT.into_response(),
    };

    let route = match &route {
        Some(route) => route.as_str(),
        None if static_file => "/pkg/*",
        // Unmatched paths stay out of labels: one value instead of one per path tried.
        None => "(other)",
    };
    log_request(&method, route, &response, started, &request_id);
    let headers = response.headers_mut();
    headers.insert(&REQUEST_ID, request_id);
    security_headers(headers, edge.https);
    if edge.draining.is_set() {
        // The client learns to reconnect (elsewhere) instead of sending another request into a
        // closing socket.
        headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

/// A handler's own value wins, except for HSTS, which is the site's.
fn security_headers(headers: &mut HeaderMap, https: bool) {
    headers
        .entry(header::X_CONTENT_TYPE_OPTIONS)
        .or_insert(HeaderValue::from_static("nosniff"));
    headers
        .entry(header::REFERRER_POLICY)
        .or_insert(HeaderValue::from_static("strict-origin-when-cross-origin"));
    if https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
}

/// A caller's `x-request-id` if it is short printable ASCII without spaces or quotes (it goes
/// into logs and back into headers); otherwise the caller gets a new one.
fn sane_request_id(headers: &HeaderMap) -> Option<HeaderValue> {
    let id = headers.get(&REQUEST_ID)?;
    let bytes = id.as_bytes();
    let sane = !bytes.is_empty()
        && bytes.len() <= LONGEST_REQUEST_ID
        && bytes
            .iter()
            .all(|b| b.is_ascii_graphic() && *b != b'"' && *b != b'\\');
    sane.then(|| id.clone())
}

/// A random UUID (v4) from the thread's CSPRNG: no system call per request.
fn new_request_id() -> HeaderValue {
    let mut bytes = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut bytes);
    let id = uuid::Builder::from_random_bytes(bytes).into_uuid();
    let mut text = [0u8; uuid::fmt::Hyphenated::LENGTH];
    HeaderValue::from_bytes(id.hyphenated().encode_lower(&mut text).as_bytes())
        .unwrap_or_else(|_| HeaderValue::from_static("-"))
}

/// One log line per request (method, route template, status, latency, request id; never a
/// query string, cookie or token) and the request metrics.
fn log_request(
    method: &axum::http::Method,
    route: &str,
    response: &Response,
    started: Instant,
    request_id: &HeaderValue,
) {
    let status = response.status().as_u16();
    let latency = started.elapsed();
    tracing::info!(
        target: "badge::access",
        %method,
        %route,
        status,
        latency_ms = latency.as_secs_f64() * 1000.0,
        request_id = request_id.to_str().unwrap_or("-"),
        "request"
    );
    crate::server::metrics::record_request(route, status, latency);
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
