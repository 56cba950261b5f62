//! The Content-Security-Policy. Pages get a fresh nonce per response: Leptos puts it on every
//! script it writes (the hydration bootstrap, resolved resources), and only those scripts (and
//! what they load, `'strict-dynamic'`) run. Other responses get the same policy without one.

use axum::{
    extract::{Request, State},
    http::{header, HeaderValue, Method},
    middleware::Next,
    response::Response,
};
use base64::{engine::general_purpose::STANDARD, Engine};
use rand::{rngs::OsRng, RngCore};

use super::edge::is_html;

/// This page's nonce, from the middleware to the renderer (`leptos::nonce::Nonce`).
#[derive(Clone)]
pub struct CspNonce(pub String);

/// The policy's fixed parts for a site; `connect_to` adds the external vault's origin.
#[derive(Clone)]
pub struct Csp {
    connect_src: String,
    /// The policy of every response that is not a page, made once.
    without_nonce: HeaderValue,
}

impl Csp {
    pub fn new(vault_url: Option<&str>) -> Self {
        let vault = vault_url
            .and_then(|url| url::Url::parse(url).ok())
            .map(|url| format!(" {}", url.origin().ascii_serialization()))
            .unwrap_or_default();
        // Under `cargo leptos watch` the page also opens the live-reload WebSocket.
        let live_reload = if std::env::var_os("LEPTOS_WATCH").is_some() {
            " ws:"
        } else {
            ""
        };
        let mut csp = Self {
            connect_src: format!("'self'{vault}{live_reload}"),
            without_nonce: HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
        };
        // Origins are ASCII without control characters: always a valid header value.
        if let Ok(value) = HeaderValue::from_str(&csp.policy(None, None)) {
            csp.without_nonce = value;
        }
        csp
    }

    /// The policy; with a nonce, scripts carrying it may run (and load the WebAssembly).
    /// `form_target`: one more origin a form on the page may end up at (see `FORM_TARGET`).
    fn policy(&self, nonce: Option<&str>, form_target: Option<&str>) -> String {
        let scripts = match nonce {
            Some(nonce) => format!("'nonce-{nonce}' 'strict-dynamic' 'wasm-unsafe-eval'"),
            None => "'none'".to_owned(),
        };
        format!(
            "default-src 'self'; script-src {scripts}; style-src 'self'; connect-src {}; \
             frame-ancestors 'none'; base-uri 'none'; form-action 'self'{}; object-src 'none'",
            self.connect_src,
            form_target
                .map(|origin| format!(" {origin}"))
                .unwrap_or_default()
        )
    }
}

/// A page whose form ends at another origin names it in this (internal, removed) response
/// header: the consent page, whose **Allow**/**Deny** answer redirects to the app's registered
/// redirect URI. Chromium applies `form-action` to a form's redirects too.
pub const FORM_TARGET: &str = "x-badge-form-target";

/// Gives page requests a nonce and every response its policy.
pub async fn content_security_policy(
    State(csp): State<Csp>,
    mut request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    let may_be_page =
        request.method() == Method::GET && !path.starts_with("/api/") && !path.starts_with("/pkg/");
    let nonce = may_be_page.then(|| {
        let mut bytes = [0u8; 16];
        OsRng.fill_bytes(&mut bytes);
        STANDARD.encode(bytes)
    });
    if let Some(nonce) = &nonce {
        request.extensions_mut().insert(CspNonce(nonce.clone()));
    }
    let mut response = next.run(request).await;
    let form_target = response
        .headers_mut()
        .remove(FORM_TARGET)
        .and_then(|v| v.to_str().ok().map(str::to_owned))
        .filter(|origin| origin.starts_with("https://") || origin.starts_with("http://"));
    let value = match nonce.filter(|_| is_html(&response)) {
        // Base64 is ASCII: always a valid header value.
        Some(nonce) => HeaderValue::from_str(&csp.policy(Some(&nonce), form_target.as_deref()))
            .unwrap_or_else(|_| csp.without_nonce.clone()),
        None => csp.without_nonce.clone(),
    };
    response
        .headers_mut()
        .insert(header::CONTENT_SECURITY_POLICY, value);
    response
}
