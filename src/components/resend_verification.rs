//! "Send a new link" for an unverified email: a button for the signed-in person (a form, so it
//! works without WebAssembly), or the way to sign in first.

use leptos::prelude::*;

use crate::{
    auth::SendVerificationEmail,
    components::{
        credential_form::{FormError, SubmitButton},
        eager::IntoEagerAny,
        notice::notice_text,
        server_form::ServerForm,
    },
};

#[component]
pub fn ResendVerification(signed_in: bool) -> impl IntoView {
    if !signed_in {
        return view! {
            <p>
                <a href="/sign-in?next=%2Faccount">"Sign in"</a>
                " to get a new verification link from your account page."
            </p>
        }
        .into_eager_any();
    }
    let action = ServerAction::<SendVerificationEmail>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let sent = move || matches!(action.value().get(), Some(Ok(_)));
    view! {
        <ServerForm action=action>
            <SubmitButton label="Send a new link" busy_label="Sending…" busy=action.pending() />
        </ServerForm>
        <FormError error />
        {move || sent().then(|| view! { <p role="status">{notice_text("verification-sent")}</p> })}
    }
    .into_eager_any()
}
