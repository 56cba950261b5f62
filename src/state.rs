//! Shared application state, handed to Axum handlers and (as context) to server functions.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;

use crate::{
    auth::{
        password::PasswordHasher, rate_limit::RateLimits, session::SessionCookie, token::TokenKeys,
    },
    config::Config,
    db::Db,
};

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub config: Arc<Config>,
    pub hasher: PasswordHasher,
    pub limits: Arc<RateLimits>,
    pub session_cookie: SessionCookie,
    pub tokens: TokenKeys,
}
