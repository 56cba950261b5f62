//! `AuthRequest`: what an auth server function needs from the current request (state, cookie
//! jar, client), and how its errors are answered.

use std::net::{IpAddr, SocketAddr};

use axum::{
    extract::ConnectInfo,
    http::{header, request::Parts, HeaderValue, StatusCode},
};
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;
use tower_cookies::Cookies;

use crate::{auth::session::ClientInfo, error::AppError, state::AppState};

pub struct AuthRequest {
    pub state: AppState,
    pub cookies: Cookies,
    pub client_ip: IpAddr,
    pub client: ClientInfo,
    /// A plain HTML form post (no WebAssembly): errors travel in the redirect, not the status.
    plain_form: bool,
}

impl AuthRequest {
    /// Reads the request context Leptos provides to server functions.
    pub fn current() -> Result<Self, AppError> {
        let (Some(state), Some(parts)) = (use_context::<AppState>(), use_context::<Parts>()) else {
            tracing::error!("server function called without AppState or request parts in context");
            return Err(AppError::Internal);
        };
        let Some(cookies) = parts.extensions.get::<Cookies>().cloned() else {
            tracing::error!("CookieManagerLayer is missing");
            return Err(AppError::Internal);
        };
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        let client_ip = client_ip(&parts, peer, state.config.trust_proxy);
        let user_agent = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|ua| ua.chars().take(512).collect());
        let plain_form = parts
            .headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"));
        Ok(Self {
            state,
            cookies,
            client_ip,
            client: ClientInfo {
                ip: Some(client_ip.to_string()),
                user_agent,
            },
            plain_form,
        })
    }

    /// Hands the new session to the browser (cookie) and sends it home: a redirect for a plain
    /// form, a client-side navigation for the hydrated app.
    pub fn start_session(&self, token: String) {
        self.state.session_cookie.set(&self.cookies, token);
        leptos_axum::redirect("/");
    }

    /// Gives an error its HTTP status (and `Retry-After`) for API callers. Plain form posts keep
    /// Leptos' redirect back to the form with the error in the URL, because a status set here
    /// would replace that redirect and the browser would show a bare error page.
    pub fn finish<T>(&self, result: Result<T, AppError>) -> Result<T, AppError> {
        if let Err(error) = &result {
            if !self.plain_form {
                if let Some(response) = use_context::<ResponseOptions>() {
                    response.set_status(
                        StatusCode::from_u16(error.status())
                            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                    );
                    if let AppError::RateLimited { retry_after_secs } = error {
                        response.insert_header(
                            header::RETRY_AFTER,
                            HeaderValue::from(*retry_after_secs),
                        );
                    }
                }
            }
        }
        result
    }
}

/// The socket peer, or with `TRUST_PROXY=true` the right-most `X-Forwarded-For` entry: the one
/// your own proxy appended (entries to its left are whatever the client claimed).
fn client_ip(parts: &Parts, peer: Option<IpAddr>, trust_proxy: bool) -> IpAddr {
    let forwarded = || {
        parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|ip| ip.trim().parse::<IpAddr>().ok())
            .next_back()
    };
    trust_proxy
        .then(forwarded)
        .flatten()
        .or(peer)
        .unwrap_or(IpAddr::from([0, 0, 0, 0]))
}
