//! Passkeys in the UI: **Sign in with a passkey** (and the Email field's autofill offer) on the
//! sign-in page, the account page's **Passkeys** section. The WebAuthn calls need the browser's
//! JavaScript, so without WebAssembly these controls are one sentence instead; a page opened at
//! another address than the one passkeys are bound to says where they work.

mod account;
mod browser;
mod sign_in;

pub use account::PasskeysSection;
pub use sign_in::PasskeySignIn;

use leptos::prelude::*;

/// Why the last passkey step failed, in words (one component for both islands: one copy of its
/// code in the bundle).
#[component]
fn PasskeyAlert(failure: RwSignal<Option<String>>) -> impl IntoView {
    move || {
        failure
            .get()
            .map(|text| view! { <p role="alert">{text}</p> })
    }
}
