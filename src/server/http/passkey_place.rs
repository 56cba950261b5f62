//! Where passkeys work, for the page being rendered: without `SITE_URL` passkeys are bound to
//! `localhost` (browsers refuse IP addresses), so a page opened at `127.0.0.1` or `[::1]` says
//! to open `http://localhost:PORT` instead. With `SITE_URL`, the site's own name is the place
//! (a proxy may rewrite `Host`, so it is not consulted).

use axum::http::{header::HOST, request::Parts, uri::Authority};

use crate::{server::state::AppState, wire::PasskeyPlace};

pub fn passkey_place(state: &AppState) -> PasskeyPlace {
    let Some(rp) = state.accounts.passkey_site() else {
        return PasskeyPlace::Unavailable;
    };
    if state.config.site_aliases.is_empty() {
        return PasskeyPlace::Here;
    }
    let host = leptos::reactive::owner::with_context::<Parts, _>(|parts| {
        parts
            .headers
            .get(HOST)
            .and_then(|host| host.to_str().ok())
            .and_then(|host| host.parse::<Authority>().ok())
            .map(|authority| authority.host().to_ascii_lowercase())
    })
    .flatten();
    if host.as_deref() == Some(rp.id()) {
        PasskeyPlace::Here
    } else {
        PasskeyPlace::Elsewhere(rp.origin().to_owned())
    }
}
