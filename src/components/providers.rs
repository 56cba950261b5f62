//! External sign-in providers in the pages: **Continue with {name}** on the sign-in and sign-up
//! pages (plain links: they work without WebAssembly), the alert a failed round trip comes back
//! with, and the account page's **Connected accounts**.

use leptos::{prelude::*, server_fn::ServerFn};

use crate::{
    auth::DisconnectProvider,
    components::{page_query::page_query, server_form::UrlFormError},
    error::AppError,
    wire::{ConnectedAccount, ProviderButton, ProviderProblem, PublicOrigin},
};

fn configured() -> Vec<ProviderButton> {
    use_context::<Vec<ProviderButton>>().unwrap_or_default()
}

fn public_origin() -> String {
    use_context::<PublicOrigin>().unwrap_or_default().0
}

/// One link per provider; an unreachable one says so instead.
#[component]
pub fn ProviderButtons() -> impl IntoView {
    let providers = configured();
    if providers.is_empty() {
        return None;
    }
    let origin = public_origin();
    let next = page_query("next")
        .map(|next| {
            let next: String = form_urlencoded::byte_serialize(next.as_bytes()).collect();
            format!("?next={next}")
        })
        .unwrap_or_default();
    Some(view! {
        <div class="stack providers">
            {providers
                .into_iter()
                .map(|provider| {
                    let label = format!("Continue with {}", provider.name);
                    if provider.available {
                        let href = format!("{origin}/api/auth/oidc/{}/start{next}", provider.id);
                        view! { <a class="button-link" href=href>{label}</a> }.into_any()
                    } else {
                        view! {
                            <button type="button" disabled>
                                {format!("{label} (unavailable right now)")}
                            </button>
                        }
                            .into_any()
                    }
                })
                .collect_view()}
        </div>
    })
}

/// A round trip that came back without signing in (`?provider_problem=…`), in our words.
#[component]
pub fn ProviderProblemAlert() -> impl IntoView {
    page_query("provider_problem")
        .and_then(|code| ProviderProblem::from_code(&code))
        .map(|problem| view! { <p role="alert">{problem.text()}</p> })
}

/// The account page's **Connected accounts**: each provider with **Connect** or **Disconnect**.
#[component]
pub fn ConnectedAccountsSection(
    connected: Result<Vec<ConnectedAccount>, AppError>,
) -> impl IntoView {
    let providers = configured();
    if providers.is_empty() {
        return None;
    }
    let origin = public_origin();
    let body = match connected {
        Err(error) => view! { <p role="alert">{error.to_string()}</p> }.into_any(),
        Ok(connected) => view! {
            <ul class="passkeys" aria-labelledby="connected-title">
                {providers
                    .into_iter()
                    .map(|provider| {
                        let linked = connected.iter().find(|c| c.provider == provider.id);
                        let control = match linked {
                            Some(_) => view! {
                                <form action=DisconnectProvider::url() method="post" class="inline">
                                    <input type="hidden" name="provider" value=provider.id.clone() />
                                    <button type="submit">"Disconnect"</button>
                                </form>
                            }
                                .into_any(),
                            None => {
                                let href = format!("{origin}/api/auth/oidc/{}/connect", provider.id);
                                view! { <a class="button-link" href=href>"Connect"</a> }.into_any()
                            }
                        };
                        let detail = match linked {
                            Some(account) => account.email.clone().unwrap_or_else(|| "connected".into()),
                            None => "not connected".into(),
                        };
                        view! {
                            <li class="session">
                                <div>
                                    <strong>{provider.name}</strong>
                                    <p class="muted">{detail}</p>
                                </div>
                                {control}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        }
        .into_any(),
    };
    Some(view! {
        <section class="card" aria-labelledby="connected-title">
            <h2 id="connected-title">"Connected accounts"</h2>
            <ProviderProblemAlert />
            <UrlFormError path=DisconnectProvider::url() />
            {body}
        </section>
    })
}
