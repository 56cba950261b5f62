//! `/reset-password?token=…` (from the mail): choose a new password. Success ends every session
//! of the account and leads to `/sign-in` with a notice.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::{
    auth::ResetPassword,
    components::{
        credential_form::{FormError, PasswordField, PasswordHint, SubmitButton},
        server_form::ServerForm,
    },
};

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let action = ServerAction::<ResetPassword>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let token = use_query_map()
        .get_untracked()
        .get("token")
        .unwrap_or_default();

    view! {
        <section class="card">
            <h1>"Choose a new password"</h1>
            <ServerForm action=action attr:class="stack">
                <input type="hidden" name="token" value=token />
                <PasswordField label="New password" name="password" autocomplete="new-password" />
                <PasswordHint />
                <FormError error />
                <SubmitButton label="Set new password" busy_label="Saving…" busy=action.pending() />
            </ServerForm>
            <p class="switch">
                "Link expired or already used? " <a href="/forgot-password">"Ask for a new one"</a>
            </p>
        </section>
    }
}
