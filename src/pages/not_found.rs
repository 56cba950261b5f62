//! Fallback for unknown paths (the server answers it with 404).

use leptos::prelude::*;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    view! {
        <section class="card">
            <h1>"Page not found"</h1>
            <p>
                <a href="/">"Back to the start"</a>
            </p>
        </section>
    }
}
