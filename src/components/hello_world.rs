//! The hello-world card and its **Click Me for Hello World** button: fetch a badge from
//! `/api/token`, show it to `/api/hello-world`, and say what came back. An island: the only
//! part of the home page the browser runs.

use leptos::prelude::*;

use crate::{
    api_client::{fetch_hello, CallFailed, HelloOutcome},
    components::{eager::IntoEagerAny, hydration::hydrated},
};

#[island]
pub fn HelloWorldCard() -> impl IntoView {
    // Disabled until the browser has hydrated, so nobody clicks a dead button.
    let hydrated = hydrated();
    let hello = Action::new_local(|_: &()| fetch_hello());
    let busy = hello.pending();

    view! {
        <section class="card hello-card" aria-labelledby="hello-title">
            <h2 id="hello-title">"Hello World API"</h2>
            <p class="muted">"Fetches a fresh badge, then calls the protected API with it."</p>
            <button
                type="button"
                class="primary"
                disabled=move || !hydrated.get() || busy.get()
                on:click=move |_| {
                    hello.dispatch(());
                }
            >
                {move || if busy.get() { "Calling the API…" } else { "Click Me for Hello World" }}
            </button>
            <div role="status" aria-live="polite" class="hello-status">
                {move || hello.value().get().map(render_outcome)}
            </div>
        </section>
    }
}

fn render_outcome(outcome: Result<HelloOutcome, CallFailed>) -> AnyView {
    match outcome {
        Ok(HelloOutcome::Authorized(hello)) => view! {
            <p class="ok">{hello.message.into_owned()}</p>
            <p>"Signed in as " <strong>{hello.your_email}</strong></p>
        }
        .into_eager_any(),
        Ok(HelloOutcome::SignedOut) => view! {
            <p class="warn">
                "You must sign in to call the API. " <a href="/sign-in">"Sign in"</a>
            </p>
        }
        .into_eager_any(),
        Err(failed) => view! { <p class="error">{failed.to_string()}</p> }.into_eager_any(),
    }
}
