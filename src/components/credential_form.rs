//! Pieces shared by the forms (sign-in, sign-up, the account page's): the fields (with the
//! attributes password managers and phones expect), the error alert and the submit button.

use leptos::prelude::*;

use crate::{
    components::page_query::form_error_in_url,
    domain::{EMAIL_MAX_LEN, PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS},
    error::AppError,
};

/// Email and Password inputs. `new_password` picks the autocomplete hint (and the hint text).
#[component]
pub fn CredentialFields(new_password: bool) -> impl IntoView {
    let autocomplete = if new_password {
        "new-password"
    } else {
        "current-password"
    };
    // Sign-in's Email field also offers the browser's passkeys (conditional mediation).
    let email_autocomplete = if new_password {
        "email"
    } else {
        "username webauthn"
    };
    view! {
        <EmailField autocomplete=email_autocomplete />
        <PasswordField label="Password" name="password" autocomplete />
        {new_password.then(|| view! { <PasswordHint /> })}
    }
}

/// The Email input; `autocomplete` is `email` unless the field offers passkeys too.
#[component]
pub fn EmailField(#[prop(default = "email")] autocomplete: &'static str) -> impl IntoView {
    view! {
        <label>
            "Email"
            <input
                type="email"
                name="email"
                autocomplete=autocomplete
                required
                maxlength=EMAIL_MAX_LEN
                spellcheck="false"
                autocapitalize="none"
            />
        </label>
    }
}

/// The policy in words, under a field that sets a new password.
#[component]
pub fn PasswordHint() -> impl IntoView {
    view! { <p class="hint">{format!("{PASSWORD_MIN_CHARS} to {PASSWORD_MAX_CHARS} characters.")}</p> }
}

/// A password input with the policy's length limits; `autocomplete` is `current-password` or
/// `new-password`, so password managers fill or offer to save the right thing.
#[component]
pub fn PasswordField(
    label: &'static str,
    name: &'static str,
    autocomplete: &'static str,
) -> impl IntoView {
    view! {
        <label>
            {label}
            <input
                type="password"
                name=name
                autocomplete=autocomplete
                required
                minlength=PASSWORD_MIN_CHARS
                maxlength=PASSWORD_MAX_CHARS
            />
        </label>
    }
}

/// The last submission's error, announced to screen readers. An error that came in the URL
/// (a plain form's redirect, `__err`) could have been written by anyone who sent a link, so only
/// our own sentences of it are shown.
#[component]
pub fn FormError(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    let from_url = form_error_in_url();
    move || {
        error
            .get()
            .map(|e| if from_url { e.untrusted() } else { e })
            .map(|e| view! { <p role="alert">{e.to_string()}</p> })
    }
}

/// The submit button: disabled with a progress label while the form is being sent.
#[component]
pub fn SubmitButton(
    label: &'static str,
    busy_label: &'static str,
    #[prop(into)] busy: Signal<bool>,
    /// A destructive action (delete, turn off): red, unlike every other button.
    #[prop(optional)]
    danger: bool,
) -> impl IntoView {
    let class = if danger {
        "primary destructive"
    } else {
        "primary"
    };
    view! {
        <button type="submit" class=class disabled=move || busy.get()>
            {move || if busy.get() { busy_label } else { label }}
        </button>
    }
}
