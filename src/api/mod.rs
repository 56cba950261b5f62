//! Plain Axum JSON routes, each module exposing `router()`.

mod health;

use axum::Router;

use crate::state::AppState;

/// All JSON routes, merged in one place.
pub fn router() -> Router<AppState> {
    Router::new().merge(health::router())
}
