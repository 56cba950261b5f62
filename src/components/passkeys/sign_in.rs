//! The sign-in page's **Sign in with a passkey** button, and the passkeys the browser offers
//! in the Email field's autofill (`autocomplete="username webauthn"`).

use leptos::prelude::*;

use super::{
    browser::{offer_in_autofill, sign_in_now, PasskeyFailure},
    PasskeyAlert,
};
use crate::{components::page_query::page_query, domain::local_path_or_root, wire::PasskeyPlace};

#[component]
pub fn PasskeySignIn(place: PasskeyPlace) -> impl IntoView {
    match place {
        PasskeyPlace::Here => view! {
            <p class="muted without-wasm">"Signing in with a passkey needs JavaScript."</p>
            <SignInButton />
        }
        .into_any(),
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

/// Shown once the WebAssembly runs (`needs-wasm`); it also makes the autofill offer.
#[island]
fn SignInButton() -> impl IntoView {
    let next = local_path_or_root(&page_query("next").unwrap_or_default()).to_owned();
    let failure = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let report = move |problem: PasskeyFailure| {
        failure.set(Some(problem.to_string()));
        busy.set(false);
    };
    offer_in_autofill(next.clone(), report);
    let on_click = move |_| {
        failure.set(None);
        busy.set(true);
        sign_in_now(next.clone(), report);
    };
    view! {
        <div class="stack needs-wasm">
            <button type="button" on:click=on_click disabled=move || busy.get()>
                "Sign in with a passkey"
            </button>
            <PasskeyAlert failure />
        </div>
    }
}
