//! The site header: the signed-in email, an Account link and a Sign out button, or Sign in / Sign up links.
//! Rendered on the server only (routes render in `SsrMode::Async`, so the session is read before
//! the page is sent and nothing flashes); every sign-in, sign-out and navigation is a page load
//! that renders it again.

use leptos::{prelude::*, server_fn::ServerFn};

use crate::{
    auth::{current_user, SignOut},
    wire::User,
};

#[component]
pub fn SiteHeader() -> impl IntoView {
    view! {
        <header class="site-header">
            <a class="brand" href="/">
                "Badge"
            </a>
            <nav class="account" aria-label="Account">
                <Suspense>
                    {Suspend::new(async move {
                        match current_user().await {
                            Ok(Some(signed)) => signed_in(signed.user).into_any(),
                            _ => signed_out().into_any(),
                        }
                    })}
                </Suspense>
            </nav>
        </header>
    }
}

fn signed_in(user: User) -> impl IntoView {
    view! {
        <span class="user-email">{user.email}</span>
        <a href="/account">"Account"</a>
        // A plain form: signing out is a page load, with or without WebAssembly.
        <form action=SignOut::url() method="post">
            <button type="submit">"Sign out"</button>
        </form>
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
