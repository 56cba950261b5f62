//! `/oauth2/consent`: "{client} wants to …", with **Allow** and **Deny**. Badge's authorization
//! endpoint sends the person here when an app asks for something they have not allowed it yet.
//! A plain form, so it works without WebAssembly; the decision is checked again on the server.

use leptos::prelude::*;
use leptos_router::components::Redirect;

use crate::{
    auth::consent_prompt, components::page_query::current_query, error::AppError,
    wire::ConsentQuestion,
};

#[component]
pub fn ConsentPage() -> impl IntoView {
    let query = current_query().unwrap_or_default();
    let back_here = format!(
        "/sign-in?next={}",
        form_urlencoded::byte_serialize(format!("/oauth2/authorize?{query}").as_bytes())
            .collect::<String>()
    );
    view! {
        <Suspense>
            {Suspend::new(async move {
                match consent_prompt(query).await {
                    Ok(ConsentQuestion::Ask { client, scopes, fields }) => {
                        view! { <ConsentForm client scopes fields /> }.into_any()
                    }
                    Ok(ConsentQuestion::Refused(message)) => {
                        view! {
                            <section class="card">
                                <h1>"This sign-in request is not valid"</h1>
                                <p role="alert">{message}</p>
                            </section>
                        }
                            .into_any()
                    }
                    Err(AppError::NoSession) => view! { <Redirect path=back_here /> }.into_any(),
                    Err(error) => view! { <p role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ConsentForm(
    client: String,
    scopes: Vec<String>,
    fields: Vec<(String, String)>,
) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="consent-title">
            <h1 id="consent-title">"Allow " {client.clone()} "?"</h1>
            <p>
                <strong>{client}</strong>
                " wants to:"
            </p>
            <ul class="scopes">
                {scopes.into_iter().map(|words| view! { <li>{words}</li> }).collect_view()}
            </ul>
            <form method="post" action="/oauth2/consent" class="stack">
                {fields
                    .into_iter()
                    .map(|(name, value)| view! { <input type="hidden" name=name value=value /> })
                    .collect_view()}
                <div class="actions">
                    <button type="submit" name="decision" value="allow">
                        "Allow"
                    </button>
                    <button type="submit" name="decision" value="deny" class="secondary">
                        "Deny"
                    </button>
                </div>
            </form>
        </section>
    }
}
