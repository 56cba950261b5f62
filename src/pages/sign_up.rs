//! `/sign-up`: works as a plain HTML form and, once hydrated, without a page reload.

use leptos::prelude::*;

use crate::{
    auth::SignUp,
    components::{
        credential_form::{CredentialFields, FormError, SubmitButton},
        server_form::ServerForm,
    },
};

#[component]
pub fn SignUpPage() -> impl IntoView {
    // Created here, inside <Routes>, so a plain form's error (in the URL) is picked up in SSR.
    let action = ServerAction::<SignUp>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));

    view! {
        <section class="card">
            <h1>"Create your account"</h1>
            <ServerForm action=action attr:class="stack">
                <CredentialFields new_password=true />
                <FormError error />
                <SubmitButton label="Sign up" busy_label="Creating account…" busy=action.pending() />
            </ServerForm>
            <p class="switch">"Already have an account? " <a href="/sign-in">"Sign in"</a></p>
        </section>
    }
}
