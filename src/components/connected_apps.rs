//! The account page's **Connected apps** section: each app the person allowed to sign them in
//! with Badge, what it may do, when it last used that, and **Revoke**. Plain forms, so it works
//! without WebAssembly.

use leptos::{prelude::*, server_fn::ServerFn};

use crate::{
    auth::RevokeConnectedApp,
    components::{server_form::UrlFormError, session_list::utc_minute},
    error::AppError,
    wire::ConnectedApp,
};

#[component]
pub fn ConnectedAppsSection(apps: Result<Vec<ConnectedApp>, AppError>) -> impl IntoView {
    let body = match apps {
        Err(error) => view! { <p role="alert">{error.to_string()}</p> }.into_any(),
        Ok(apps) if apps.is_empty() => {
            view! { <p class="muted">"No app signs you in with Badge yet."</p> }.into_any()
        }
        Ok(apps) => view! {
            <ul class="sessions" aria-labelledby="apps-title">
                {apps.into_iter().map(|app| view! { <AppItem app /> }).collect_view()}
            </ul>
        }
        .into_any(),
    };
    view! {
        <section class="card" aria-labelledby="apps-title">
            <h2 id="apps-title">"Connected apps"</h2>
            <UrlFormError path=RevokeConnectedApp::url() />
            {body}
        </section>
    }
}

#[component]
fn AppItem(app: ConnectedApp) -> impl IntoView {
    let used = match app.last_used_at {
        Some(at) => format!("Last used {}", utc_minute(at)),
        None => "Not used yet".to_owned(),
    };
    view! {
        <li class="session">
            <div>
                <strong>{app.name}</strong>
                <ul class="scopes">
                    {app.scopes.into_iter().map(|words| view! { <li>{words}</li> }).collect_view()}
                </ul>
                <p class="muted">{used}</p>
            </div>
            <form action=RevokeConnectedApp::url() method="post" class="inline">
                <input type="hidden" name="client_id" value=app.client_id />
                <button type="submit">"Revoke"</button>
            </form>
        </li>
    }
}
