//! The sign-in page's **Sign in with a passkey** button, and the passkeys the browser offers
//! in the Email field's autofill (`autocomplete="username webauthn"`).

use leptos::prelude::*;

use super::browser::{offer_in_autofill, sign_in_now};
use crate::{
    components::{hydration::hydrated, page_query::page_query},
    domain::local_path_or_root,
    wire::PasskeyPlace,
};

#[island]
pub fn PasskeySignIn(place: PasskeyPlace) -> impl IntoView {
    match place {
        PasskeyPlace::Here => view! { <SignInButton /> }.into_any(),
        PasskeyPlace::Elsewhere(origin) => view! {
            <p class="muted">
                "Passkeys work at "
                <a href=format!("{origin}/sign-in")>{origin.clone()}</a>
                ": open this page there to sign in with one."
            </p>
        }
        .into_any(),
        PasskeyPlace::Unavailable => ().into_any(),
    }
}

#[component]
fn SignInButton() -> impl IntoView {
    let next = local_path_or_root(&page_query("next").unwrap_or_default()).to_owned();
    let hydrated = hydrated();
    let failure = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let report = move |problem: super::browser::PasskeyFailure| {
        failure.set(Some(problem.to_string()));
        busy.set(false);
    };
    Effect::new({
        let next = next.clone();
        move |_| offer_in_autofill(next.clone(), report)
    });
    let on_click = move |_| {
        failure.set(None);
        busy.set(true);
        sign_in_now(next.clone(), report);
    };
    move || {
        if !hydrated.get() {
            // Until the WebAssembly has loaded (or when it never does).
            return view! { <p class="muted">"Signing in with a passkey needs JavaScript."</p> }
                .into_any();
        }
        view! {
            <div class="stack passkey-sign-in">
                <button type="button" on:click=on_click.clone() disabled=move || busy.get()>
                    {move || {
                        if busy.get() { "Waiting for your passkey…" } else { "Sign in with a passkey" }
                    }}
                </button>
                {move || failure.get().map(|text| view! { <p role="alert">{text}</p> })}
            </div>
        }
        .into_any()
    }
}
