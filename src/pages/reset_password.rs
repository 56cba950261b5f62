//! `/reset-password?token=…` (from the mail): choose a new password. Success ends every session
//! of the account and leads to `/sign-in` with a notice.

use leptos::prelude::*;

use crate::{
    auth::ResetPassword,
    components::{
        credential_form::{FormError, PasswordField, PasswordHint, SubmitButton},
        page_query::page_query,
        server_form::{action_error, island_action, ServerForm},
    },
};

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    view! {
        <section class="card">
            <h1>"Choose a new password"</h1>
            <ResetPasswordForm />
            <p class="switch">
                "Link expired or already used? " <a href="/forgot-password">"Ask for a new one"</a>
            </p>
        </section>
    }
}

#[island]
fn ResetPasswordForm() -> impl IntoView {
    let token = page_query("token").unwrap_or_default();
    let action = island_action::<ResetPassword>();
    let error = action_error(action);

    view! {
        <ServerForm action=action attr:class="stack">
            <input type="hidden" name="token" value=token />
            <PasswordField label="New password" name="password" autocomplete="new-password" />
            <PasswordHint />
            <FormError error />
            <SubmitButton label="Set new password" busy_label="Saving…" busy=action.pending() />
        </ServerForm>
    }
}
