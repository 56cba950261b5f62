//! The account page's **Two-factor authentication** section. Every step is a plain form (no
//! island: the same with and without WebAssembly, and nothing in the bundle) that, once it
//! succeeds, reloads the account page, which then shows the new
//! state from the server: off (set it up), a set-up waiting for its first code (the QR code,
//! made on the server, and the setup key), on (new backup codes, turn it off), and backup codes
//! made moments ago, shown this once.

use leptos::{prelude::*, server_fn::ServerFn};

use crate::{
    auth::{DisableTwoFactor, EnableTwoFactor, NewBackupCodes, SetUpTwoFactor},
    components::{
        credential_form::{PasswordField, SubmitButton},
        server_form::UrlFormError,
    },
    error::AppError,
    wire::TwoFactorOverview,
};

/// The link that opens the set-up form (`?two-factor=set-up`): the form asks for the password
/// with the same label as account deletion, so the two are never on the page at once by default.
pub const SET_UP_QUERY: &str = "set-up";

#[component]
pub fn TwoFactorSection(
    status: Result<TwoFactorOverview, AppError>,
    /// The page was opened from the "Set up two-factor authentication" link.
    setting_up: bool,
) -> impl IntoView {
    let body = match status {
        Err(error) => view! { <p role="alert">{error.to_string()}</p> }.into_any(),
        Ok(status) => {
            let codes = status
                .fresh_backup_codes
                .map(|codes| view! { <BackupCodeList codes /> });
            let state = match (status.on, status.pending) {
                (true, _) => view! { <TwoFactorOn /> }.into_any(),
                (false, Some(pending)) => view! {
                    <p>
                        "Scan the QR code with your authenticator app, or type the setup key into it, then enter the code it shows."
                    </p>
                    <div class="qr" role="img" aria-label="QR code for your authenticator app" inner_html=pending.qr_svg></div>
                    <p>
                        <span id="setup-key-label">"Setup key"</span>
                        ": "
                        <code class="setup-key" aria-labelledby="setup-key-label">
                            {pending.setup_key}
                        </code>
                    </p>
                    <TurnOnForm />
                }
                    .into_any(),
                (false, None) if setting_up => view! { <SetUpForm /> }.into_any(),
                (false, None) => view! {
                    <p class="muted">
                        "Sign-ins will also ask for a code from an authenticator app on your phone."
                    </p>
                    <a class="button-link" href="/account?two-factor=set-up#two-factor-title">
                        "Set up two-factor authentication"
                    </a>
                }
                    .into_any(),
            };
            view! {
                {codes}
                {state}
            }
            .into_any()
        }
    };
    view! {
        <section class="card" aria-labelledby="two-factor-title">
            <h2 id="two-factor-title">"Two-factor authentication"</h2>
            {body}
        </section>
    }
}

#[component]
fn BackupCodeList(codes: Vec<String>) -> impl IntoView {
    view! {
        <h3 id="backup-codes-title">"Backup codes"</h3>
        <p>
            "Keep these somewhere safe: each signs you in once if you lose your phone. They are shown only now."
        </p>
        <ul class="backup-codes" aria-labelledby="backup-codes-title">
            {codes.into_iter().map(|code| view! { <li>{code}</li> }).collect_view()}
        </ul>
    }
}

#[component]
fn TwoFactorOn() -> impl IntoView {
    view! {
        <p class="tag">"Two-factor authentication is on"</p>
        <NewBackupCodesForm />
        <TurnOffForm />
    }
}

#[component]
fn SetUpForm() -> impl IntoView {
    view! {
        <form action=SetUpTwoFactor::url() method="post" class="stack">
            <PasswordField label="Confirm with your password" name="password" autocomplete="current-password" />
            <UrlFormError path=SetUpTwoFactor::url() />
            <SubmitButton label="Set up two-factor authentication" busy_label="Setting up…" busy=false />
        </form>
    }
}

#[component]
fn TurnOnForm() -> impl IntoView {
    view! {
        <form action=EnableTwoFactor::url() method="post" class="stack">
            <CodeField />
            <UrlFormError path=EnableTwoFactor::url() />
            <SubmitButton label="Turn on two-factor" busy_label="Turning on…" busy=false />
        </form>
    }
}

#[component]
fn NewBackupCodesForm() -> impl IntoView {
    view! {
        <form action=NewBackupCodes::url() method="post" class="stack">
            <PasswordField label="Password for new backup codes" name="password" autocomplete="current-password" />
            <UrlFormError path=NewBackupCodes::url() />
            <SubmitButton label="New backup codes" busy_label="Making new codes…" busy=false />
        </form>
    }
}

#[component]
fn TurnOffForm() -> impl IntoView {
    view! {
        <form action=DisableTwoFactor::url() method="post" class="stack">
            <PasswordField label="Password to turn it off" name="password" autocomplete="current-password" />
            <UrlFormError path=DisableTwoFactor::url() />
            <SubmitButton label="Turn off two-factor" busy_label="Turning off…" busy=false danger=true />
        </form>
    }
}

/// The field for a six-digit code from the authenticator app (or, at sign-in, a backup code).
#[component]
pub fn CodeField(#[prop(optional)] backup_codes_too: bool) -> impl IntoView {
    view! {
        <label>
            "Authentication code"
            <input
                type="text"
                name="code"
                autocomplete="one-time-code"
                inputmode=if backup_codes_too { "text" } else { "numeric" }
                required
                maxlength="20"
                spellcheck="false"
                autocapitalize="none"
            />
        </label>
        {backup_codes_too.then(|| view! { <p class="hint">"Or one of your backup codes."</p> })}
    }
}
