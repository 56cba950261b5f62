//! `/forgot-password`: ask for a reset link. The answer is the same whether or not an account
//! has the address, so the page cannot be used to find out who has one.

use leptos::prelude::*;

use crate::{
    auth::RequestPasswordReset,
    components::{
        credential_form::{EmailField, FormError, SubmitButton},
        notice::{notice_text, QueryNotice},
        server_form::{action_error, island_action, ServerForm},
    },
};

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    view! {
        <section class="card">
            <h1>"Forgot your password?"</h1>
            <p class="muted">
                "Enter the email address of your account and we will send you a link to choose a new password."
            </p>
            <ForgotPasswordForm />
            <QueryNotice />
            <p class="switch">
                <a href="/sign-in">"Back to sign in"</a>
            </p>
        </section>
    }
}

#[island]
fn ForgotPasswordForm() -> impl IntoView {
    let action = island_action::<RequestPasswordReset>();
    let error = action_error(action);
    let sent = move || matches!(action.value().get(), Some(Ok(())));

    view! {
        <ServerForm action=action attr:class="stack">
            <EmailField />
            <FormError error />
            <SubmitButton label="Send reset link" busy_label="Sending…" busy=action.pending() />
        </ServerForm>
        {move || sent().then(|| view! { <p role="status">{notice_text("reset-sent")}</p> })}
    }
}
