//! The account page's **Passkeys** section: each passkey's name, when it was added and last
//! used, and **Remove** (a plain form to the server function, which comes back to this page:
//! the same with and without WebAssembly); then **Passkey name** and **Add a passkey**, which
//! need the browser's WebAuthn.

use leptos::{prelude::*, server_fn::ServerFn};

use super::{
    browser::{add_now, field_of},
    PasskeyAlert,
};
use crate::{
    auth::RemovePasskey,
    components::{server_form::UrlFormError, session_list::utc_minute},
    domain::PASSKEY_NAME_MAX_CHARS,
    error::AppError,
    wire::{PasskeyInfo, PasskeyPlace},
};

#[component]
pub fn PasskeysSection(
    passkeys: Result<Vec<PasskeyInfo>, AppError>,
    place: PasskeyPlace,
) -> impl IntoView {
    let listed = match passkeys {
        Err(error) => view! { <p role="alert">{error.to_string()}</p> }.into_any(),
        Ok(passkeys) if passkeys.is_empty() => view! {
            <p class="muted">
                "A passkey signs you in with your fingerprint, face or screen lock, or a security key: no password to type, and it only works on this site."
            </p>
        }
        .into_any(),
        Ok(passkeys) => view! { <PasskeyList passkeys /> }.into_any(),
    };
    let adding = match place {
        PasskeyPlace::Here => view! {
            <p class="muted without-wasm">"Adding a passkey needs JavaScript."</p>
            <AddPasskey />
        }
        .into_any(),
        PasskeyPlace::Elsewhere(origin) => view! {
            <p class="muted">
                "Passkeys work at "
                <a href=format!("{origin}/account")>{origin.clone()}</a>
                ": open this page there to add one."
            </p>
        }
        .into_any(),
        PasskeyPlace::Unavailable => view! {
            <p class="muted">
                "Passkeys are not available on this site: its address is an IP address. The operator sets SITE_URL to a name."
            </p>
        }
        .into_any(),
    };
    view! {
        <section class="card" aria-labelledby="passkeys-title">
            <h2 id="passkeys-title">"Passkeys"</h2>
            {listed}
            <UrlFormError path=RemovePasskey::url() />
            {adding}
        </section>
    }
}

#[component]
fn PasskeyList(passkeys: Vec<PasskeyInfo>) -> impl IntoView {
    let remove = RemovePasskey::url();
    view! {
        <ul class="passkeys" aria-labelledby="passkeys-title">
            {passkeys
                .into_iter()
                .map(|passkey| {
                    let used = passkey
                        .last_used_at
                        .map_or_else(
                            || "never used".to_owned(),
                            |at| format!("last used {}", utc_minute(at)),
                        );
                    let details = format!("added {} · {used}", utc_minute(passkey.created_at));
                    view! {
                        <li class="session">
                            <div>
                                <strong>{passkey.name}</strong>
                                <p class="muted">{details}</p>
                            </div>
                            <form action=remove method="post" class="inline">
                                <input type="hidden" name="id" value=passkey.id />
                                <button type="submit">"Remove"</button>
                            </form>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

/// Shown once the WebAssembly runs (`needs-wasm`).
#[island]
fn AddPasskey() -> impl IntoView {
    let failure = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        failure.set(None);
        busy.set(true);
        add_now(field_of(&ev, "name"), move |problem| {
            failure.set(Some(problem.to_string()));
            busy.set(false);
        });
    };
    view! {
        <form class="stack needs-wasm" on:submit=on_submit>
            <label>
                "Passkey name"
                <input
                    type="text"
                    name="name"
                    maxlength=PASSKEY_NAME_MAX_CHARS
                    placeholder="Work laptop"
                />
            </label>
            <PasskeyAlert failure />
            <button type="submit" class="primary" disabled=move || busy.get()>
                "Add a passkey"
            </button>
        </form>
    }
}
