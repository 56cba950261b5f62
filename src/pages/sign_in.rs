//! `/sign-in`: works as a plain HTML form and, once hydrated, without a reload until it succeeds.

use leptos::prelude::*;

use crate::{
    auth::SignIn,
    components::{
        app_form_target::AppFormTarget,
        credential_form::{CredentialFields, FormError, SubmitButton},
        notice::QueryNotice,
        page_query::page_query,
        passkeys::PasskeySignIn,
        providers::{ProviderButtons, ProviderProblemAlert},
        server_form::{action_error, island_action, ServerForm},
    },
    wire::PasskeyPlace,
};

#[component]
pub fn SignInPage() -> impl IntoView {
    let place = use_context::<PasskeyPlace>().unwrap_or(PasskeyPlace::Unavailable);
    view! {
        <section class="card">
            <h1>"Sign in"</h1>
            <QueryNotice />
            <ProviderProblemAlert />
            <SignInForm />
            <AppFormTarget />
            <PasskeySignIn place />
            <ProviderButtons />
            <p class="switch">
                <a href="/forgot-password">"Forgot password?"</a>
            </p>
            <p class="switch">"New here? " <a href="/sign-up">"Create an account"</a></p>
        </section>
    }
}

#[island]
fn SignInForm() -> impl IntoView {
    // The page that sent the person here (`/account`, say); the server only follows local paths.
    let next = page_query("next");
    let action = island_action::<SignIn>();
    let error = action_error(action);

    view! {
        <ServerForm action=action attr:class="stack">
            <CredentialFields new_password=false />
            {next.map(|next| view! { <input type="hidden" name="next" value=next /> })}
            <FormError error />
            <SubmitButton label="Sign in" busy_label="Signing in…" busy=action.pending() />
        </ServerForm>
    }
}
