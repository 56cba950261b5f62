//! The site header: brand and account links.

use leptos::prelude::*;

#[component]
pub fn SiteHeader() -> impl IntoView {
    view! {
        <header class="site-header">
            <a class="brand" href="/">"Badge"</a>
            <nav class="account" aria-label="Account">
                <a href="/sign-in">"Sign in"</a>
                <a class="button-link" href="/sign-up">"Sign up"</a>
            </nav>
        </header>
    }
}
