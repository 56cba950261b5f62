//! Shared application state, handed to Axum handlers and (as context) to server functions.
//! Cloned for every request, so it is one `Arc`: a clone is a reference-count increment, not a
//! copy of the keys, options and pools inside.

use std::{ops::Deref, sync::Arc};

use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;

use crate::{
    auth::{
        password::PasswordHasher, rate_limit::RateLimits, session::SessionCookie, token::TokenKeys,
    },
    config::Config,
    db::Db,
};

#[derive(Clone)]
pub struct AppState(Arc<Shared>);

pub struct Shared {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub config: Config,
    pub hasher: PasswordHasher,
    pub limits: RateLimits,
    pub session_cookie: SessionCookie,
    pub tokens: TokenKeys,
}

impl AppState {
    pub fn new(shared: Shared) -> Self {
        Self(Arc::new(shared))
    }
}

impl Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// Leptos' file and error handlers read their options from the router state.
impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
