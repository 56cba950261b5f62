//! `/verify-email?token=…` (from the mail): a button confirms the address. Opening the link
//! alone changes nothing, so mail scanners and link prefetchers that fetch it cannot use it up
//! before the person does. An expired or used link says so and offers a new one.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::{
    auth::{VerifyEmail, EMAIL_VERIFIED_NOTICE},
    components::{
        credential_form::{FormError, SubmitButton},
        page_query::page_query,
        server_form::{action_error, island_action, ServerForm},
    },
};

#[component]
pub fn VerifyEmailPage() -> impl IntoView {
    // Where a browser without WebAssembly lands once the button worked.
    let verified = use_query_map()
        .get_untracked()
        .get("notice")
        .is_some_and(|notice| notice == EMAIL_VERIFIED_NOTICE);
    view! {
        <section class="card">
            {if verified {
                view! { <Verified /> }.into_any()
            } else {
                view! { <VerifyEmailForm /> }.into_any()
            }}
        </section>
    }
}

#[component]
fn Verified() -> impl IntoView {
    view! {
        <h1>"Email verified"</h1>
        <p role="status">"Thank you: your email address is confirmed."</p>
        <p>
            <a href="/">"Continue"</a>
        </p>
    }
}

#[island]
fn VerifyEmailForm() -> impl IntoView {
    let token = page_query("token").unwrap_or_default();
    let action = island_action::<VerifyEmail>();
    let error = action_error(action);
    let verified = move || matches!(action.value().get(), Some(Ok(())));

    move || {
        if verified() {
            view! { <Verified /> }.into_any()
        } else if error.read().is_some() {
            view! {
                <h1>"This link did not work"</h1>
                <FormError error />
                <p>
                    "Sign in and ask for a new link on your " <a href="/account">"account page"</a>
                    "."
                </p>
            }
            .into_any()
        } else {
            let token = token.clone();
            view! {
                <h1>"Confirm your email address"</h1>
                <p>"Press the button to confirm that this address is yours."</p>
                <ServerForm action=action attr:class="stack">
                    <input type="hidden" name="token" value=token />
                    <SubmitButton label="Verify email" busy_label="Verifying…" busy=action.pending() />
                </ServerForm>
            }
                .into_any()
        }
    }
}
