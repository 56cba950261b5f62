//! "Send a new link" for an unverified email: a button for the signed-in person (a form, so it
//! works without WebAssembly, an island with it), or the way to sign in first.

use leptos::prelude::*;

use crate::{
    auth::SendVerificationEmail,
    components::{
        credential_form::{FormError, SubmitButton},
        notice::notice_text,
        server_form::{action_error, island_action, ServerForm},
    },
};

#[component]
pub fn ResendVerification(signed_in: bool) -> impl IntoView {
    if signed_in {
        view! { <ResendVerificationForm /> }.into_any()
    } else {
        view! {
            <p>
                <a href="/sign-in?next=%2Faccount">"Sign in"</a>
                " to get a new verification link from your account page."
            </p>
        }
        .into_any()
    }
}

#[island]
fn ResendVerificationForm() -> impl IntoView {
    let action = island_action::<SendVerificationEmail>();
    let error = action_error(action);
    let sent = move || matches!(action.value().get(), Some(Ok(_)));
    view! {
        <ServerForm action=action>
            <SubmitButton label="Send a new link" busy_label="Sending…" busy=action.pending() />
        </ServerForm>
        <FormError error />
        {move || sent().then(|| view! { <p role="status">{notice_text("verification-sent")}</p> })}
    }
}
