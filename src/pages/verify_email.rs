//! `/verify-email?token=…` (from the mail): opening the link verifies the address. An expired
//! or used link says so and offers a new one.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::{
    auth::{current_user, verify_email},
    components::resend_verification::ResendVerification,
};

#[component]
pub fn VerifyEmailPage() -> impl IntoView {
    let token = use_query_map()
        .get_untracked()
        .get("token")
        .unwrap_or_default();

    view! {
        <section class="card">
            <Suspense>
                {Suspend::new(async move {
                    match verify_email(token).await {
                        Ok(()) => {
                            view! {
                                <h1>"Email verified"</h1>
                                <p>"Thank you: your email address is confirmed."</p>
                                <p>
                                    <a href="/">"Continue"</a>
                                </p>
                            }
                                .into_any()
                        }
                        Err(error) => {
                            let signed_in = matches!(current_user().await, Ok(Some(_)));
                            view! {
                                <h1>"This link did not work"</h1>
                                <p role="alert">{error.to_string()}</p>
                                <ResendVerification signed_in />
                            }
                                .into_any()
                        }
                    }
                })}
            </Suspense>
        </section>
    }
}
