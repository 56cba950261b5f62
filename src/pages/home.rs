//! `/`: what Badge is, and the hello-world card.

use leptos::prelude::*;

use crate::components::{hello_world::HelloWorldCard, notice::QueryNotice};

#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <QueryNotice />
        <section class="intro">
            <h1>"Your badge, please"</h1>
            <p>
                "Sign in, get a short-lived signed badge (a JWT), and show it to the API. "
                "Any backend that knows the shared secret can check the same badge."
            </p>
        </section>
        <HelloWorldCard />
    }
}
