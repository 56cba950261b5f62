//! `/sign-in/two-factor`: the second step of a sign-in with two-factor authentication on (the
//! challenge cookie ties this browser to it). A code from the authenticator app or a backup
//! code opens the session, then on to `next`. Works as a plain form and hydrated.

use leptos::prelude::*;

use crate::{
    auth::VerifyTwoFactor,
    components::{
        app_form_target::AppFormTarget,
        credential_form::{FormError, SubmitButton},
        page_query::page_query,
        server_form::{action_error, island_action, ServerForm},
        two_factor_section::CodeField,
    },
};

#[component]
pub fn TwoFactorPage() -> impl IntoView {
    view! {
        <section class="card">
            <h1>"Two-factor authentication"</h1>
            <p>"Enter the code your authenticator app shows for this site."</p>
            <TwoFactorForm />
            <AppFormTarget />
            <p class="switch">
                <a href="/sign-in">"Start over"</a>
            </p>
        </section>
    }
}

#[island]
fn TwoFactorForm() -> impl IntoView {
    let next = page_query("next");
    let action = island_action::<VerifyTwoFactor>();
    let error = action_error(action);
    view! {
        <ServerForm action=action attr:class="stack">
            <CodeField backup_codes_too=true />
            {next.map(|next| view! { <input type="hidden" name="next" value=next /> })}
            <FormError error />
            <SubmitButton label="Verify" busy_label="Verifying…" busy=action.pending() />
        </ServerForm>
    }
}
