//! The Leptos application: the HTML shell, the router and the page frame. Islands mode: the
//! server renders all of it; the browser hydrates only the `#[island]`s inside the pages.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::{
    components::{FlatRoutes, Route, Router},
    path, SsrMode,
};

use crate::{
    components::site_header::SiteHeader,
    pages::{
        account::AccountPage, consent::ConsentPage, forgot_password::ForgotPasswordPage,
        home::HomePage, not_found::NotFoundPage, reset_password::ResetPasswordPage,
        sign_in::SignInPage, sign_up::SignUpPage, two_factor::TwoFactorPage,
        verify_email::VerifyEmailPage,
    },
    wire::VaultUrl,
};

/// The document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <AutoReload options=options.clone() />
                <HydrationScripts options islands=true />
                <link rel="stylesheet" id="leptos" href="/pkg/badge.css" />
                <link rel="icon" type="image/svg+xml" href="/favicon.svg" />
                {use_context::<VaultUrl>()
                    .and_then(|vault| vault.0)
                    .map(|url| view! { <meta name=VaultUrl::META_NAME content=url /> })}
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();

    view! {
        <Title text="Badge" />
        <Router>
            <div class="app">
                <SiteHeader />
                <main class="content">
                    // Flat (no route nests in another): the lighter of Leptos' two routers.
                    <FlatRoutes fallback=NotFoundPage>
                        // Async: the whole page (header included) waits for the session, so
                        // it is right without WebAssembly and nothing flashes.
                        <Route path=path!("/") view=HomePage ssr=SsrMode::Async />
                        <Route path=path!("/sign-in") view=SignInPage ssr=SsrMode::Async />
                        <Route
                            path=path!("/sign-in/two-factor")
                            view=TwoFactorPage
                            ssr=SsrMode::Async
                        />
                        <Route path=path!("/sign-up") view=SignUpPage ssr=SsrMode::Async />
                        <Route path=path!("/account") view=AccountPage ssr=SsrMode::Async />
                        <Route
                            path=path!("/forgot-password")
                            view=ForgotPasswordPage
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=path!("/reset-password")
                            view=ResetPasswordPage
                            ssr=SsrMode::Async
                        />
                        <Route path=path!("/verify-email") view=VerifyEmailPage ssr=SsrMode::Async />
                        <Route path=path!("/oauth2/consent") view=ConsentPage ssr=SsrMode::Async />
                    </FlatRoutes>
                </main>
            </div>
        </Router>
    }
}
