//! The page's query string, for islands: the router's `use_query_map` is not there in the
//! browser (islands hydrate without it), so both builds read the URL themselves, the server
//! from the request and the browser from its location, and agree.

use leptos::prelude::*;

/// The first value of `name` in the page's query string.
pub fn page_query(name: &str) -> Option<String> {
    let query = current_query()?;
    form_urlencoded::parse(query.trim_start_matches('?').as_bytes())
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

/// A plain form's error comes back in the URL (`__path`, `__err`); this hands it to the
/// island's `ServerAction`s, as the router does for a whole-page app, so the alert the server
/// rendered is the one the browser hydrates.
pub fn provide_form_error_from_url() {
    if let (Some(path), Some(err)) = (page_query("__path"), page_query("__err")) {
        provide_context(ServerActionError::new(&path, &err));
    }
}

/// True when the page shows a plain form's error from the URL (`FormError` words it as ours).
pub fn form_error_in_url() -> bool {
    page_query("__err").is_some()
}

#[cfg(feature = "ssr")]
pub fn current_query() -> Option<String> {
    // Borrowed, not `use_context`: that would clone the whole request head on every call.
    leptos::reactive::owner::with_context::<axum::http::request::Parts, _>(|parts| {
        parts.uri.query().map(str::to_owned)
    })
    .flatten()
}

#[cfg(all(feature = "hydrate", not(feature = "ssr")))]
pub fn current_query() -> Option<String> {
    window().location().search().ok()
}

#[cfg(not(any(feature = "ssr", feature = "hydrate")))]
pub fn current_query() -> Option<String> {
    None
}
