//! `/account`: the signed-in person's email, their sessions (revoke one, or all the others),
//! change password, two-factor authentication, passkeys, connected accounts and apps, delete
//! account. Rendered on the server and every control is a form, so it
//! all works without WebAssembly; with it, each section is an island that answers in place.
//! Signed out, it sends the browser to sign in and back here.

use leptos::prelude::*;
use leptos_router::components::Redirect;

use crate::{
    auth::{
        connected_accounts, connected_apps, current_user, list_passkeys, list_sessions,
        two_factor_status, ChangePassword, DeleteAccount, ListSessions, RevokeOtherSessions,
        RevokeSession,
    },
    components::{
        connected_apps::ConnectedAppsSection,
        credential_form::{FormError, PasswordField, SubmitButton},
        notice::{notice_text, QueryNotice},
        passkeys::PasskeysSection,
        providers::ConnectedAccountsSection,
        resend_verification::ResendVerification,
        server_form::{action_error, island_action, ServerForm},
        session_list::SessionList,
        two_factor_section::{TwoFactorSection, SET_UP_QUERY},
    },
    error::AppError,
    wire::{
        ConnectedAccount, ConnectedApp, PasskeyInfo, PasskeyPlace, SessionInfo, TwoFactorOverview,
    },
};

/// Where a signed-out visitor is sent: sign in, then come back here.
const SIGN_IN_THEN_BACK: &str = "/sign-in?next=%2Faccount";

#[component]
pub fn AccountPage() -> impl IntoView {
    let setting_up = leptos_router::hooks::use_query_map()
        .get_untracked()
        .get("two-factor")
        .is_some_and(|value| value == SET_UP_QUERY);
    view! {
        <Suspense>
            {Suspend::new(async move {
                match current_user().await {
                    Ok(Some(signed)) => {
                        let user = signed.user;
                        let sessions = list_sessions().await;
                        let two_factor = two_factor_status().await;
                        let passkeys = list_passkeys().await;
                        let connected = connected_accounts().await;
                        let apps = connected_apps().await;
                        view! {
                            <AccountSections
                                email=user.email
                                email_verified=user.email_verified
                                sessions
                                two_factor
                                setting_up
                                passkeys
                                connected
                                apps
                            />
                        }
                            .into_any()
                    }
                    Ok(None) => view! { <Redirect path=SIGN_IN_THEN_BACK /> }.into_any(),
                    Err(error) => view! { <p role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn AccountSections(
    email: String,
    email_verified: bool,
    sessions: Result<Vec<SessionInfo>, AppError>,
    two_factor: Result<TwoFactorOverview, AppError>,
    setting_up: bool,
    passkeys: Result<Vec<PasskeyInfo>, AppError>,
    connected: Result<Vec<ConnectedAccount>, AppError>,
    apps: Result<Vec<ConnectedApp>, AppError>,
) -> impl IntoView {
    let place = use_context::<PasskeyPlace>().unwrap_or(PasskeyPlace::Unavailable);
    view! {
        <section class="card">
            <h1>"Account"</h1>
            <QueryNotice />
            <p>"Signed in as " <strong>{email}</strong></p>
            {if email_verified {
                view! { <p class="tag">"Email verified"</p> }.into_any()
            } else {
                view! {
                    <p class="muted">"Your email address is not verified yet."</p>
                    <ResendVerification signed_in=true />
                }
                    .into_any()
            }}
        </section>
        {match sessions {
            Ok(sessions) => view! { <SessionsSection sessions /> }.into_any(),
            Err(error) => {
                view! {
                    <section class="card">
                        <p role="alert">{error.to_string()}</p>
                    </section>
                }
                    .into_any()
            }
        }}
        <ChangePasswordSection />
        <TwoFactorSection status=two_factor setting_up />
        <PasskeysSection passkeys place />
        <ConnectedAccountsSection connected />
        <ConnectedAppsSection apps />
        <DeleteAccountSection />
    }
}

#[island]
fn SessionsSection(sessions: Vec<SessionInfo>) -> impl IntoView {
    let revoke = island_action::<RevokeSession>();
    let revoke_others = island_action::<RevokeOtherSessions>();
    // Listed again after every revocation, so the list shows what is left.
    let relist = ServerAction::<ListSessions>::new();
    Effect::watch(
        move || (revoke.version().get(), revoke_others.version().get()),
        move |_, _, _| {
            relist.dispatch(ListSessions {});
        },
        false,
    );
    let errors = [
        action_error(revoke),
        action_error(revoke_others),
        action_error(relist),
    ];
    let error = Signal::derive(move || errors.iter().find_map(|error| error.get()));
    let listed = move || match relist.value().get() {
        Some(Ok(fresh)) => fresh,
        _ => sessions.clone(),
    };

    view! {
        <section class="card">
            {move || view! { <SessionList sessions=listed() revoke /> }}
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

#[island]
fn ChangePasswordSection() -> impl IntoView {
    let change = island_action::<ChangePassword>();
    let error = action_error(change);
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

#[island]
fn DeleteAccountSection() -> impl IntoView {
    let delete = island_action::<DeleteAccount>();
    let error = action_error(delete);

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
                <SubmitButton
                    label="Delete account"
                    busy_label="Deleting…"
                    busy=delete.pending()
                    danger=true
                />
            </ServerForm>
        </section>
    }
}
