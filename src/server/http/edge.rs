//! What every request passes through at the edge, in one layer: the request id (a
//! caller's sane `x-request-id` is kept, else a new one), the request timeout (408), one
//! access-log line and the request metrics, the security headers every response carries
//! (`nosniff`, the referrer policy, HSTS on https), and `Connection: close` while draining.
//! Plus the header pages need (`Cache-Control: private, no-store` on HTML).
//!
//! One hand-written layer rather than a `from_fn` middleware per concern: `from_fn` clones and
//! boxes the service behind it and boxes its own future on every request (callgrind: 2,900 of
//! a hello-world's 82,600 instructions), and the JSON API is meant to cost little more than
//! verifying the badge.

use std::{
    convert::Infallible,
    future::Future,
    pin::Pin,
    task::{ready, Context, Poll},
    time::{Duration, Instant},
};

use axum::{
    extract::{MatchedPath, Request},
    http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use pin_project_lite::pin_project;
use rand::RngCore;
use tokio::time::Timeout;
use tower::{Layer, Service};

use crate::server::{serve::Draining, telemetry::access};

pub static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
const LONGEST_REQUEST_ID: usize = 128;
/// Two years, as HSTS preload lists expect.
const HSTS: &str = "max-age=63072000; includeSubDomains";

/// What the edge needs to know; also the layer that applies it. Used inside the router
/// (axum applies `Router::layer` per route), so the matched route template is known before the
/// handler runs.
#[derive(Clone)]
pub struct Edge {
    pub draining: Draining,
    /// The site is served over https: responses carry HSTS.
    pub https: bool,
    /// The longest a request may take, its body included (`REQUEST_TIMEOUT`).
    pub request_timeout: Duration,
}

impl<S> Layer<S> for Edge {
    type Service = EdgeService<S>;

    fn layer(&self, inner: S) -> EdgeService<S> {
        EdgeService {
            inner,
            edge: self.clone(),
        }
    }
}

#[derive(Clone)]
pub struct EdgeService<S> {
    inner: S,
    edge: Edge,
}

impl<S> Service<Request> for EdgeService<S>
where
    S: Service<Request, Error = Infallible>,
    S::Response: IntoResponse,
{
    type Response = Response;
    type Error = Infallible;
    type Future = EdgeFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let seen = Seen {
            started: Instant::now(),
            method: request.method().clone(),
            route: request.extensions().get::<MatchedPath>().cloned(),
            static_file: request.uri().path().starts_with("/pkg/"),
            request_id: sane_request_id(request.headers()).unwrap_or_else(new_request_id),
            https: self.edge.https,
            draining: self.edge.draining.clone(),
        };
        EdgeFuture {
            // tokio's timeout polls the request before its timer, so a request answered at
            // once never arms the timer (tower-http's TimeoutLayer arms it every time).
            response: tokio::time::timeout(self.edge.request_timeout, self.inner.call(request)),
            seen: Some(seen),
        }
    }
}

pin_project! {
    /// The request's own future, then the edge's work on its response.
    pub struct EdgeFuture<F> {
        #[pin]
        response: Timeout<F>,
        seen: Option<Seen>,
    }
}

impl<F, R> Future for EdgeFuture<F>
where
    F: Future<Output = Result<R, Infallible>>,
    R: IntoResponse,
{
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let response = match ready!(this.response.poll(cx)) {
            Ok(Ok(response)) => response.into_response(),
            Ok(Err(never)) => match never {},
            Err(_) => StatusCode::REQUEST_TIMEOUT.into_response(),
        };
        let seen = this
            .seen
            .take()
            .expect("an edge future is not polled after it completed");
        Poll::Ready(Ok(seen.answer(response)))
    }
}

/// What the edge noted of a request before passing it on.
struct Seen {
    started: Instant,
    method: Method,
    route: Option<MatchedPath>,
    static_file: bool,
    request_id: HeaderValue,
    https: bool,
    draining: Draining,
}

impl Seen {
    /// Logs the request and adds the edge's headers to its response.
    fn answer(self, mut response: Response) -> Response {
        let route = match &self.route {
            Some(route) => route.as_str(),
            None if self.static_file => "/pkg/*",
            // Unmatched paths stay out of labels: one value instead of one per path tried.
            None => "(other)",
        };
        log_request(
            &self.method,
            route,
            &response,
            self.started,
            &self.request_id,
        );
        let headers = response.headers_mut();
        headers.insert(&REQUEST_ID, self.request_id);
        security_headers(headers, self.https);
        if self.draining.is_set() {
            // The client learns to reconnect (elsewhere) instead of sending another request
            // into a closing socket.
            headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        response
    }
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
    method: &Method,
    route: &str,
    response: &Response,
    started: Instant,
    request_id: &HeaderValue,
) {
    let status = response.status().as_u16();
    let latency = started.elapsed();
    access::log(&access::Request {
        method: method.as_str(),
        route,
        status,
        latency,
        request_id: request_id.to_str().unwrap_or("-"),
    });
    crate::server::metrics::record_request(route, status, latency);
}

/// What every page answer needs. Pages may show a user: never stored by a shared cache or the
/// browser's back-forward cache. And a page that redirects (`<Redirect>`, e.g. `/account`
/// signed out) is a 302 whatever the client accepts: leptos_axum sets the status only for
/// `Accept: text/html` and otherwise answers 200 with a `Location` (meant for its own server
/// function client), which curl's `*/*` got as an empty page.
pub async fn page_responses(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let mut response = next.run(request).await;
    if !is_html(&response) {
        return response;
    }
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    let redirects = response.status() == StatusCode::OK
        && (method == Method::GET || method == Method::HEAD)
        && response.headers().contains_key(header::LOCATION);
    if redirects {
        *response.status_mut() = StatusCode::FOUND;
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
