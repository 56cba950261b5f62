//! `/account`: the signed-in person's email, their sessions (revoke one, or all the others),
//! change password, delete account. Rendered on the server and every control is a form, so it
//! all works without WebAssembly. Signed out, it sends the browser to sign in and back here.

use leptos::prelude::*;
use leptos_router::components::Redirect;

use crate::{
    auth::{
        current_user, list_sessions, ChangePassword, DeleteAccount, RevokeOtherSessions,
        RevokeSession,
    },
    components::{
        credential_form::{FormError, PasswordField, SubmitButton},
        eager::IntoEagerAny,
        notice::{notice_text, QueryNotice},
        resend_verification::ResendVerification,
        resource::resource,
        server_form::ServerForm,
        session_list::SessionList,
    },
};

/// Where a signed-out visitor is sent: sign in, then come back here.
const SIGN_IN_THEN_BACK: &str = "/sign-in?next=%2Faccount";

#[component]
pub fn AccountPage() -> impl IntoView {
    let user = resource(|| (), |_| current_user());

    view! {
        <Suspense>
            {move || Suspend::new(async move {
                match user.await {
                    Ok(Some(user)) => {
                        view! {
                            <AccountSections email=user.email email_verified=user.email_verified />
                        }
                            .into_eager_any()
                    }
                    Ok(None) => view! { <Redirect path=SIGN_IN_THEN_BACK /> }.into_eager_any(),
                    Err(error) => view! { <p role="alert">{error.to_string()}</p> }.into_eager_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn AccountSections(email: String, email_verified: bool) -> impl IntoView {
    view! {
        <section class="card">
            <h1>"Account"</h1>
            <QueryNotice />
            <p>"Signed in as " <strong>{email}</strong></p>
            {if email_verified {
                view! { <p class="tag">"Email verified"</p> }.into_eager_any()
            } else {
                view! {
                    <p class="muted">"Your email address is not verified yet."</p>
                    <ResendVerification signed_in=true />
                }
                    .into_eager_any()
            }}
        </section>
        <SessionsSection />
        <ChangePasswordSection />
        <DeleteAccountSection />
    }
}

#[component]
fn SessionsSection() -> impl IntoView {
    let revoke = ServerAction::<RevokeSession>::new();
    let revoke_others = ServerAction::<RevokeOtherSessions>::new();
    // Listed again after every revocation, so the list shows what is left.
    let sessions = resource(
        move || (revoke.version().get(), revoke_others.version().get()),
        |_| list_sessions(),
    );
    let error = Signal::derive(move || {
        revoke
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| revoke_others.value().get().and_then(Result::err))
    });

    view! {
        <section class="card">
            <Transition>
                {move || Suspend::new(async move {
                    match sessions.await {
                        Ok(sessions) => view! { <SessionList sessions revoke /> }.into_eager_any(),
                        Err(error) => view! { <p role="alert">{error.to_string()}</p> }.into_eager_any(),
                    }
                })}
            </Transition>
            <FormError error />
            <ServerForm action=revoke_others>
                <SubmitButton
                    label="Sign out everywhere else"
                    busy_label="Signing out other sessions…"
                    busy=revoke_others.pending()
                />
            </ServerForm>
        </section>
    }
}

#[component]
fn ChangePasswordSection() -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    let error = Signal::derive(move || change.value().get().and_then(Result::err));
    // The hydrated app learns of success from the action; a plain form comes back with a
    // notice code (`QueryNotice`, at the top of the page).
    let changed = move || matches!(change.value().get(), Some(Ok(())));

    view! {
        <section class="card" aria-labelledby="password-title">
            <h2 id="password-title">"Change password"</h2>
            <ServerForm action=change attr:class="stack">
                <PasswordField
                    label="Current password"
                    name="current_password"
                    autocomplete="current-password"
                />
                <PasswordField label="New password" name="new_password" autocomplete="new-password" />
                <FormError error />
                <SubmitButton label="Change password" busy_label="Changing…" busy=change.pending() />
            </ServerForm>
            {move || {
                changed()
                    .then(|| {
                        view! { <p role="status">{notice_text("password-changed")}</p> }
                    })
            }}
        </section>
    }
}

#[component]
fn DeleteAccountSection() -> impl IntoView {
    let delete = ServerAction::<DeleteAccount>::new();
    let error = Signal::derive(move || delete.value().get().and_then(Result::err));

    view! {
        <section class="card danger" aria-labelledby="delete-title">
            <h2 id="delete-title">"Delete account"</h2>
            <p class="muted">
                "Deletes your account and signs out every session. This cannot be undone."
            </p>
            <ServerForm action=delete attr:class="stack">
                <PasswordField
                    label="Confirm with your password"
                    name="password"
                    autocomplete="current-password"
                />
                <FormError error />
                <SubmitButton label="Delete account" busy_label="Deleting…" busy=delete.pending() />
            </ServerForm>
        </section>
    }
}
