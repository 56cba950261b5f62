//! What the browser does once the WebAssembly has loaded: hydrate the islands, follow server
//! functions' redirects, and say so (`data-hydrated`), so people and tests know buttons work.

use leptos::prelude::*;

/// Whether this island has hydrated: false in the HTML the server sends, true once the browser
/// has made the island interactive (effects run only there, after hydration).
pub fn hydrated() -> ReadSignal<bool> {
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move |_| set_hydrated.set(true));
    hydrated
}

/// The browser's entry point: hydrates every island of the page the server rendered.
#[cfg(feature = "hydrate")]
pub fn hydrate_page() {
    use std::time::Duration;

    leptos::mount::hydrate_islands();
    // Without a client-side router, a server function's redirect (sign-in, sign-out, delete
    // account) is a page load, like a plain form's.
    let _ = leptos::server_fn::redirect::set_redirect_hook(|path: &str| {
        let _ = window().location().set_href(path);
    });
    // Leptos' loader hydrates the islands right after this function returns, within the same
    // task; a timer fires after that task, so the marker never precedes a hydrated button.
    set_timeout(
        || {
            if let Some(body) = document().body() {
                let _ = body.set_attribute("data-hydrated", "true");
            }
        },
        Duration::ZERO,
    );
}
