//! `/forgot-password`: ask for a reset link. The answer is the same whether or not an account
//! has the address, so the page cannot be used to find out who has one.

use leptos::prelude::*;

use crate::{
    auth::RequestPasswordReset,
    components::{
        credential_form::{EmailField, FormError, SubmitButton},
        notice::{notice_text, QueryNotice},
        server_form::ServerForm,
    },
};

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let action = ServerAction::<RequestPasswordReset>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let sent = move || matches!(action.value().get(), Some(Ok(())));

    view! {
        <section class="card">
            <h1>"Forgot your password?"</h1>
            <p class="muted">
                "Enter the email address of your account and we will send you a link to choose a new password."
            </p>
            <ServerForm action=action attr:class="stack">
                <EmailField />
                <FormError error />
                <SubmitButton label="Send reset link" busy_label="Sending…" busy=action.pending() />
            </ServerForm>
            {move || sent().then(|| view! { <p role="status">{notice_text("reset-sent")}</p> })}
            <QueryNotice />
            <p class="switch">
                <a href="/sign-in">"Back to sign in"</a>
            </p>
        </section>
    }
}
