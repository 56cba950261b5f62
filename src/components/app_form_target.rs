//! A sign-in page that continues an app's authorization request (`next` is
//! `/oauth2/authorize?…`) may end at the app: when consent was given before, the sign-in's
//! redirects lead straight to its redirect URI, and Chromium holds a form's redirects to the
//! page's CSP `form-action`. The server checks the request and, if valid, allows that origin.
//! Renders nothing; pages render in `SsrMode::Async`, so the answer is in before the headers.

use leptos::prelude::*;

use crate::{auth::allow_form_to_app, components::page_query::page_query};

#[component]
pub fn AppFormTarget() -> impl IntoView {
    let next = page_query("next").filter(|next| next.starts_with("/oauth2/authorize?"));
    next.map(|next| {
        view! {
            <Suspense>
                {Suspend::new(async move {
                    // Without the answer the page still works; only its form stays on this site.
                    let _ = allow_form_to_app(next).await;
                })}
            </Suspense>
        }
    })
}
