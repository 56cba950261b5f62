//! `/sign-up`: works as a plain HTML form and, once hydrated, without a reload until it succeeds.

use leptos::prelude::*;

use crate::{
    auth::SignUp,
    components::{
        credential_form::{CredentialFields, FormError, SubmitButton},
        providers::ProviderButtons,
        server_form::{action_error, island_action, ServerForm},
    },
};

#[component]
pub fn SignUpPage() -> impl IntoView {
    view! {
        <section class="card">
            <h1>"Create your account"</h1>
            <SignUpForm />
            <ProviderButtons />
            <p class="switch">"Already have an account? " <a href="/sign-in">"Sign in"</a></p>
        </section>
    }
}

#[island]
fn SignUpForm() -> impl IntoView {
    let action = island_action::<SignUp>();
    let error = action_error(action);

    view! {
        <ServerForm action=action attr:class="stack">
            <CredentialFields new_password=true />
            <FormError error />
            <SubmitButton label="Sign up" busy_label="Creating account…" busy=action.pending() />
        </ServerForm>
    }
}
