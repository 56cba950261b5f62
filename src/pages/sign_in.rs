//! `/sign-in`: works as a plain HTML form and, once hydrated, without a page reload.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::{
    auth::SignIn,
    components::{
        credential_form::{CredentialFields, FormError, SubmitButton},
        notice::QueryNotice,
        server_form::ServerForm,
    },
};

#[component]
pub fn SignInPage() -> impl IntoView {
    // Created here, inside <Routes>, so a plain form's error (in the URL) is picked up in SSR.
    let action = ServerAction::<SignIn>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    // The page that sent the person here (`/account`, say); the server only follows local paths.
    let next = use_query_map().get_untracked().get("next");

    view! {
        <section class="card">
            <h1>"Sign in"</h1>
            <QueryNotice />
            <ServerForm action=action attr:class="stack">
                <CredentialFields new_password=false />
                {next.map(|next| view! { <input type="hidden" name="next" value=next /> })}
                <FormError error />
                <SubmitButton label="Sign in" busy_label="Signing in…" busy=action.pending() />
            </ServerForm>
            <p class="switch">
                <a href="/forgot-password">"Forgot password?"</a>
            </p>
            <p class="switch">"New here? " <a href="/sign-up">"Create an account"</a></p>
        </section>
    }
}
