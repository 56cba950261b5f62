//! `/verify-email?token=…` (from the mail): opening the link verifies the address. An expired
//! or used link says so and offers a new one.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::{
    auth::{current_user, verify_email},
    components::{
        eager::IntoEagerAny, resend_verification::ResendVerification, resource::resource,
    },
};

#[component]
pub fn VerifyEmailPage() -> impl IntoView {
    let token = use_query_map()
        .get_untracked()
        .get("token")
        .unwrap_or_default();
    let outcome = resource(|| (), move |_| verify_email(token.clone()));
    let user = resource(|| (), |_| current_user());

    view! {
        <section class="card">
            <Suspense>
                {move || Suspend::new(async move {
                    match outcome.await {
                        Ok(()) => {
                            view! {
                                <h1>"Email verified"</h1>
                                <p>"Thank you: your email address is confirmed."</p>
                                <p>
                                    <a href="/">"Continue"</a>
                                </p>
                            }
                                .into_eager_any()
                        }
                        Err(error) => {
                            let signed_in = matches!(user.await, Ok(Some(_)));
                            view! {
                                <h1>"This link did not work"</h1>
                                <p role="alert">{error.to_string()}</p>
                                <ResendVerification signed_in />
                            }
                                .into_eager_any()
                        }
                    }
                })}
            </Suspense>
        </section>
    }
}
