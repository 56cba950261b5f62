//! Badge: the front door (sign-up, sign-in, sessions) and the vault (a JWT-guarded API) in one
//! binary. Where code runs is visible from the folders: `server/` runs only on the server
//! (feature `ssr`, gated here once); everything else is shared with the browser build.

pub mod api_client;
pub mod app;
pub mod auth;
pub mod components;
pub mod domain;
pub mod error;
pub mod pages;
pub mod wire;

#[cfg(feature = "ssr")]
pub mod server;

/// Browser entry point: hydrates the islands of the server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    components::hydration::hydrate_page();
}
