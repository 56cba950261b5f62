//! The site header: the signed-in email, an Account link and a Sign out button, or Sign in / Sign up links.
//! The session is read during SSR (routes render in `SsrMode::Async`), so there is no flash of
//! the signed-out state, and it is read again after every navigation and sign-out.

use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::{
    auth::{current_user, SignOut},
    components::{eager::IntoEagerAny, resource::resource, server_form::ServerForm},
    wire::User,
};

#[component]
pub fn SiteHeader() -> impl IntoView {
    let sign_out = ServerAction::<SignOut>::new();
    let location = use_location();
    let user = resource(
        move || (location.pathname.get(), sign_out.version().get()),
        |_| current_user(),
    );

    view! {
        <header class="site-header">
            <a class="brand" href="/">
                "Badge"
            </a>
            <nav class="account" aria-label="Account">
                <Transition>
                    {move || Suspend::new(async move {
                        match user.await {
                            Ok(Some(user)) => signed_in(user, sign_out).into_eager_any(),
                            _ => signed_out().into_eager_any(),
                        }
                    })}
                </Transition>
            </nav>
        </header>
    }
}

fn signed_in(user: User, sign_out: ServerAction<SignOut>) -> impl IntoView {
    view! {
        <span class="user-email">{user.email}</span>
        <a href="/account">"Account"</a>
        // A real form, so signing out works without WebAssembly too.
        <ServerForm action=sign_out>
            <button type="submit" disabled=move || sign_out.pending().get()>
                "Sign out"
            </button>
        </ServerForm>
    }
}

fn signed_out() -> impl IntoView {
    view! {
        <a href="/sign-in">"Sign in"</a>
        <a class="button-link" href="/sign-up">
            "Sign up"
        </a>
    }
}
