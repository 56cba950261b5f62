//! Application state, handed to Axum handlers and (as context) to server functions. Cloned for
//! every request, so it is one `Arc`: a clone is a reference-count increment, not a copy of the
//! keys, options and pools inside.

use std::{ops::Deref, sync::Arc};

use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;

use crate::server::{
    accounts::Accounts,
    badge::BadgeKeys,
    config::Config,
    db::Db,
    http::{
        challenge_cookie::ChallengeCookie, device_cookie::DeviceCookie,
        session_cookie::SessionCookie,
    },
    limits::Limits,
    oidc::Providers,
};

#[derive(Clone)]
pub struct AppState(Arc<AppServices>);

/// Everything a request may need: settings, the database, and the services built on them.
pub struct AppServices {
    pub leptos_options: LeptosOptions,
    pub config: Config,
    pub db: Db,
    pub accounts: Accounts,
    pub limits: Limits,
    pub session_cookie: SessionCookie,
    pub device_cookie: DeviceCookie,
    pub challenge_cookie: ChallengeCookie,
    pub passkey_cookie: ChallengeCookie,
    pub oidc_cookie: ChallengeCookie,
    /// External sign-in providers ("Continue with …").
    pub providers: Providers,
    pub badges: BadgeKeys,
}

impl AppState {
    pub fn new(services: AppServices) -> Self {
        Self(Arc::new(services))
    }
}

impl Deref for AppState {
    type Target = AppServices;

    fn deref(&self) -> &AppServices {
        &self.0
    }
}

/// Leptos' file and error handlers read their options from the router state.
impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
