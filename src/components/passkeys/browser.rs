//! The browser's side of passkeys: asks the server for options, hands them to
//! `navigator.credentials` (through the WebAuthn JSON helpers, `parse…OptionsFromJSON` and
//! `toJSON`, so no byte juggling here), and posts the answer back. Failures are told in words.

use std::fmt;

use crate::error::AppError;

/// Why a passkey step did not happen. (The server build only names it: the steps run in the
/// browser.)
#[derive(Clone, Debug)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub enum PasskeyFailure {
    /// The person closed the prompt, or it timed out.
    Cancelled,
    /// This browser has no passkey support (or not the JSON helpers it needs).
    NotSupported,
    /// The authenticator holds a passkey for this account already.
    AlreadyRegistered,
    /// The browser refused this page's address (not the site passkeys are bound to).
    WrongPlace,
    /// The server said no.
    Server(AppError),
}

impl fmt::Display for PasskeyFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Cancelled => "The passkey request was cancelled or timed out. Try again.",
            Self::NotSupported => "This browser cannot use passkeys. Update it, or use another.",
            Self::AlreadyRegistered => "That passkey is registered on your account already.",
            Self::WrongPlace => "The browser does not allow passkeys at this address.",
            Self::Server(error) => return error.fmt(f),
        })
    }
}

/// Where a new passkey leads: the account page, which lists it.
const ADDED_PATH: &str = "/account?notice=passkey-added#passkeys-title";

/// Offers the account's passkeys in the Email field's autofill (where the browser can): a pick
/// signs in and goes to `next`. A failure other than the offer being withdrawn is reported.
pub fn offer_in_autofill(next: String, on_failure: impl Fn(PasskeyFailure) + 'static) {
    #[cfg(feature = "hydrate")]
    wasm_bindgen_futures::spawn_local(async move {
        if !calls::conditional_mediation_available().await {
            return;
        }
        let Some(offer) = calls::Conditional::new() else {
            return;
        };
        AUTOFILL.with(|autofill| autofill.replace(Some(offer.clone())));
        match calls::sign_in(&next, Some(&offer)).await {
            Ok(()) | Err(PasskeyFailure::Cancelled) => {}
            Err(failure) => on_failure(failure),
        }
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = (next, on_failure);
}

/// Signs in with a passkey now (a click): withdraws the autofill offer first, then asks; on
/// success, goes to `next`.
pub fn sign_in_now(next: String, on_failure: impl Fn(PasskeyFailure) + 'static) {
    #[cfg(feature = "hydrate")]
    wasm_bindgen_futures::spawn_local(async move {
        if let Some(offer) = AUTOFILL.with(|autofill| autofill.take()) {
            offer.withdraw().await;
        }
        if let Err(failure) = calls::sign_in(&next, None).await {
            on_failure(failure);
        }
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = (next, on_failure);
}

/// Adds a passkey named `name` (empty: the server names it after the device) to the signed-in
/// account, then shows it on the account page.
pub fn add_now(name: String, on_failure: impl Fn(PasskeyFailure) + 'static) {
    #[cfg(feature = "hydrate")]
    wasm_bindgen_futures::spawn_local(async move {
        match calls::add_passkey(&name).await {
            Ok(()) => {
                let _ = leptos::prelude::window().location().set_href(ADDED_PATH);
            }
            Err(failure) => on_failure(failure),
        }
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = (name, on_failure, ADDED_PATH);
}

/// The value of the submitted form's field `name` (empty when missing).
pub fn field_of(ev: &leptos::ev::SubmitEvent, name: &str) -> String {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        use web_sys::{FormData, HtmlFormElement};

        ev.target()
            .and_then(|target| target.dyn_into::<HtmlFormElement>().ok())
            .and_then(|form| FormData::new_with_form(&form).ok())
            .and_then(|data| data.get(name).as_string())
            .unwrap_or_default()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (ev, name);
        String::new()
    }
}

#[cfg(feature = "hydrate")]
thread_local! {
    /// The page's autofill offer, if one is waiting.
    static AUTOFILL: std::cell::RefCell<Option<calls::Conditional>> =
        const { std::cell::RefCell::new(None) };
}

#[cfg(feature = "hydrate")]
mod calls {
    use std::{cell::RefCell, rc::Rc};

    use gloo_net::http::Request;
    use js_sys::{Function, Object, Promise, Reflect, JSON};
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;
    use web_sys::AbortController;

    use super::PasskeyFailure;
    use crate::error::AppError;

    /// Adds a passkey (named `name`; empty: the server names it) to the signed-in account.
    pub async fn add_passkey(name: &str) -> Result<(), PasskeyFailure> {
        let options = post("/api/auth/passkey/register-options", &[]).await?;
        let public_key = helper("parseCreationOptionsFromJSON")?
            .call1(&JsValue::UNDEFINED, &member(&options, "publicKey")?)
            .map_err(|_| PasskeyFailure::NotSupported)?;
        let credential = ask("create", &public_key, None).await?;
        post(
            "/api/auth/passkey/register",
            &[("credential", &credential), ("name", name)],
        )
        .await
        .map_err(|failure| match failure {
            // The same code means "not added" here, "not accepted" at sign-in.
            PasskeyFailure::Server(AppError::PasskeyRefused) => {
                PasskeyFailure::Server(AppError::InvalidPasskey)
            }
            other => other,
        })?;
        Ok(())
    }

    /// Signs in with a passkey the person picks, then goes to `next`. With `conditional`, the
    /// browser offers passkeys in the Email field's autofill instead of asking at once.
    pub async fn sign_in(
        next: &str,
        conditional: Option<&Conditional>,
    ) -> Result<(), PasskeyFailure> {
        let options = post("/api/auth/passkey/sign-in-options", &[]).await?;
        let public_key = helper("parseRequestOptionsFromJSON")?
            .call1(&JsValue::UNDEFINED, &member(&options, "publicKey")?)
            .map_err(|_| PasskeyFailure::NotSupported)?;
        let credential = ask("get", &public_key, conditional).await?;
        post(
            "/api/auth/passkey/sign-in",
            &[("credential", &credential), ("next", next)],
        )
        .await?;
        let _ = leptos::prelude::window().location().set_href(next);
        Ok(())
    }

    /// A request in the Email field's autofill, which a click on the button withdraws first
    /// (browsers take one request at a time).
    #[derive(Clone)]
    pub struct Conditional {
        controller: AbortController,
        pending: Rc<RefCell<Option<Promise>>>,
    }

    impl Conditional {
        pub fn new() -> Option<Self> {
            AbortController::new().ok().map(|controller| Self {
                controller,
                pending: Rc::default(),
            })
        }

        /// Aborts the request and waits until the browser has let go of it.
        pub async fn withdraw(&self) {
            self.controller.abort();
            let pending = self.pending.borrow_mut().take();
            if let Some(pending) = pending {
                let _ = JsFuture::from(pending).await;
            }
        }
    }

    /// Whether the browser can offer passkeys in autofill.
    pub async fn conditional_mediation_available() -> bool {
        let Ok(check) = helper("isConditionalMediationAvailable") else {
            return false;
        };
        let Ok(promise) = check.call0(&JsValue::UNDEFINED) else {
            return false;
        };
        JsFuture::from(Promise::from(promise))
            .await
            .is_ok_and(|available| available.as_bool() == Some(true))
    }

    /// `navigator.credentials.<method>({publicKey, …})`, answered as the JSON the server reads.
    async fn ask(
        method: &str,
        public_key: &JsValue,
        conditional: Option<&Conditional>,
    ) -> Result<String, PasskeyFailure> {
        let request = Object::new();
        set(&request, "publicKey", public_key)?;
        if let Some(conditional) = conditional {
            set(&request, "mediation", &JsValue::from_str("conditional"))?;
            set(&request, "signal", &conditional.controller.signal())?;
        }
        let credentials = member(&leptos::prelude::window().navigator(), "credentials")?;
        let call: Function = member(&credentials, method)?
            .dyn_into()
            .map_err(|_| PasskeyFailure::NotSupported)?;
        let promise = call
            .call1(&credentials, &request)
            .map_err(|error| refusal(&error))?;
        let promise = Promise::from(promise);
        if let Some(conditional) = conditional {
            conditional.pending.replace(Some(promise.clone()));
        }
        let credential = JsFuture::from(promise)
            .await
            .map_err(|error| refusal(&error))?;
        if credential.is_null() {
            return Err(PasskeyFailure::Cancelled);
        }
        let to_json: Function = member(&credential, "toJSON")?
            .dyn_into()
            .map_err(|_| PasskeyFailure::NotSupported)?;
        let json = to_json
            .call0(&credential)
            .map_err(|_| PasskeyFailure::NotSupported)?;
        JSON::stringify(&json)
            .ok()
            .and_then(|text| text.as_string())
            .ok_or(PasskeyFailure::NotSupported)
    }

    /// A static helper of `PublicKeyCredential`, bound to it.
    fn helper(name: &str) -> Result<Function, PasskeyFailure> {
        let class = member(&leptos::prelude::window(), "PublicKeyCredential")?;
        let function: Function = member(&class, name)?
            .dyn_into()
            .map_err(|_| PasskeyFailure::NotSupported)?;
        Ok(function.bind0(&class))
    }

    /// A DOMException from the browser, in our words.
    fn refusal(error: &JsValue) -> PasskeyFailure {
        let name = Reflect::get(error, &JsValue::from_str("name"))
            .ok()
            .and_then(|name| name.as_string());
        match name.as_deref() {
            Some("InvalidStateError") => PasskeyFailure::AlreadyRegistered,
            Some("SecurityError") => PasskeyFailure::WrongPlace,
            Some("NotSupportedError") => PasskeyFailure::NotSupported,
            _ => PasskeyFailure::Cancelled,
        }
    }

    fn member(target: &JsValue, name: &str) -> Result<JsValue, PasskeyFailure> {
        Reflect::get(target, &JsValue::from_str(name))
            .ok()
            .filter(|value| !value.is_undefined() && !value.is_null())
            .ok_or(PasskeyFailure::NotSupported)
    }

    fn set(target: &Object, name: &str, value: &JsValue) -> Result<(), PasskeyFailure> {
        Reflect::set(target, &JsValue::from_str(name), value)
            .map(drop)
            .map_err(|_| PasskeyFailure::NotSupported)
    }

    /// Posts a form to a server function as the app's own client does; its JSON answer, or the
    /// error in our words.
    async fn post(path: &str, fields: &[(&str, &str)]) -> Result<JsValue, PasskeyFailure> {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let unreachable = |_| PasskeyFailure::Server(AppError::Unreachable);
        let response = Request::post(path)
            .header("Accept", "application/json")
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body)
            .map_err(unreachable)?
            .send()
            .await
            .map_err(unreachable)?;
        let text = response.text().await.map_err(unreachable)?;
        if !response.ok() {
            // `from_slice`, as `api_client` reads errors: one JSON reader in the bundle.
            let error = serde_json::from_slice::<AppError>(text.as_bytes())
                .unwrap_or_else(|_| AppError::from_status(response.status()));
            return Err(PasskeyFailure::Server(error));
        }
        JSON::parse(&text).map_err(|_| PasskeyFailure::Server(AppError::Internal))
    }
}
