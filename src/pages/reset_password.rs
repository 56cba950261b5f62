//! `/reset-password?token=…` (from the mail): choose a new password. Success ends every session
//! of the account and leads to `/sign-in` with a notice. A link that has expired or was used
//! says so when the page opens, instead of after a new password has been typed.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::{
    auth::{reset_link_is_live, ResetPassword},
    components::{
        credential_form::{FormError, PasswordField, PasswordHint, SubmitButton},
        page_query::page_query,
        server_form::{action_error, island_action, ServerForm},
    },
};

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let token = use_query_map()
        .get_untracked()
        .get("token")
        .unwrap_or_default();
    view! {
        <section class="card">
            <Suspense>
                {Suspend::new(async move {
                    if reset_link_is_live(token).await.unwrap_or(true) {
                        view! {
                            <h1>"Choose a new password"</h1>
                            <ResetPasswordForm />
                        }
                            .into_any()
                    } else {
                        view! {
                            <h1>"This link did not work"</h1>
                            <p role="alert">
                                "This reset link has expired or was already used."
                            </p>
                        }
                            .into_any()
                    }
                })}
            </Suspense>
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
