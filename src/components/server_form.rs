//! `ServerForm`: Leptos' `ActionForm` (a form posting to a server function that, once hydrated,
//! dispatches the action instead of reloading the page), made for this app's forms. It renders
//! the same `<form action method>` and behaves the same, with two differences in the browser
//! build only: its children keep their type (`ActionForm` type-erases them, which copies their
//! hydration code), and the fields are read with serde's own map deserializer (every server
//! function here takes plain strings) rather than a query-string parser. `ActionForm` was a
//! seventh of the bundle.

use leptos::{
    ev::{submit, SubmitEvent},
    html::form,
    prelude::*,
    server_fn::{
        error::{FromServerFnError, ServerFnErrorErr},
        ServerFn,
    },
};
use serde::de::{value::MapDeserializer, DeserializeOwned};

use crate::{
    components::page_query::{page_query, provide_form_error_from_url},
    error::AppError,
};

/// The action of a form in an island, created as the router would: with the error a plain
/// form's redirect put in the URL for this server function, so the alert the server rendered is
/// the one the browser hydrates.
pub fn island_action<S>() -> ServerAction<S>
where
    S: ServerFn + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
    S::Error: Send + Sync + 'static,
{
    provide_form_error_from_url();
    ServerAction::new()
}

/// The last submission's error, for `FormError`.
pub fn action_error<S>(action: ServerAction<S>) -> Signal<Option<AppError>>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    Signal::derive(move || action.value().get().and_then(Result::err))
}

/// Unlike `ActionForm`, it sets no redirect hook (`hydration::hydrate_page` sets one) and adds
/// no entry for the submit button (the buttons here have no `name`, so theirs was ignored).
#[component]
pub fn ServerForm<S, V>(action: ServerAction<S>, children: TypedChildren<V>) -> impl IntoView
where
    S: ServerFn<Error = AppError> + DeserializeOwned + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
    V: IntoView + 'static,
{
    let on_submit = move |ev: SubmitEvent| {
        if ev.default_prevented() {
            return;
        }
        ev.prevent_default();
        let input = form_fields(&ev).and_then(|fields| {
            S::deserialize(MapDeserializer::<_, serde::de::value::Error>::new(
                fields.into_iter(),
            ))
            .map_err(|e| e.to_string())
        });
        match input {
            Ok(input) => {
                action.dispatch(input);
            }
            Err(message) => refuse(action, message),
        }
    };
    form()
        .action(S::url())
        .method("post")
        .on(submit, on_submit)
        .child(children.into_inner()())
}

/// For a form outside any island (a plain `<form action method="post">`, the same with and without
/// WebAssembly, for steps whose success reloads the page anyway): the error its redirect put in
/// the URL, if it was this server function's (`path`), in our own words. Rendered by the server.
#[component]
pub fn UrlFormError(path: &'static str) -> impl IntoView {
    use leptos::server_fn::error::FromServerFnError;

    let failed_here = page_query("__path").is_some_and(|failed| failed == path);
    page_query("__err")
        .filter(|_| failed_here)
        .map(|err| AppError::de(err.into_bytes().into()).untrusted())
        .map(|error| view! { <p role="alert">{error.to_string()}</p> })
}

/// What `ActionForm` does with a form it cannot read: say so in the console, and end the
/// action with the error a garbled request gets.
fn refuse<S>(action: ServerAction<S>, message: String)
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
{
    leptos::logging::error!(
        "Error converting form field into server function arguments: {message}"
    );
    let error = AppError::from_server_fn_error(ServerFnErrorErr::Serialization(message));
    action.value().set(Some(Err(error)));
    action.version().update(|n| *n += 1);
}

/// The submitted form's fields, as the browser would post them.
#[cfg(feature = "hydrate")]
fn form_fields(ev: &SubmitEvent) -> Result<Vec<(String, String)>, String> {
    use wasm_bindgen::JsCast;
    use web_sys::{FormData, HtmlFormElement, UrlSearchParams};

    let form: HtmlFormElement = ev
        .target()
        .ok_or("Could not find <form> connected to event.")?
        .unchecked_into();
    let data = FormData::new_with_form(&form).map_err(|e| format!("{e:?}"))?;
    let query = UrlSearchParams::new_with_str_sequence_sequence(&data)
        .map_err(|e| format!("{e:?}"))?
        .to_string()
        .as_string()
        .unwrap_or_default();
    Ok(form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect())
}

/// The server never runs the submit handler; this keeps the shared component compiling.
#[cfg(not(feature = "hydrate"))]
fn form_fields(_: &SubmitEvent) -> Result<Vec<(String, String)>, String> {
    Err("forms are read in the browser".into())
}
