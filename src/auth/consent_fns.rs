//! The consent page's question: which app asks for what, for an authorization request the
//! person was sent to `/oauth2/consent` with. The answer is a plain form to `POST
//! /oauth2/consent` (in `server::api::oauth2`), which checks the request all over again.

use leptos::prelude::*;

use crate::{error::AppError, wire::ConsentQuestion};

/// `POST /api/auth/oauth/consent-prompt` (`query`: the authorization request's query string).
#[server(prefix = "/api/auth", endpoint = "oauth/consent-prompt")]
pub async fn consent_prompt(#[server(default)] query: String) -> Result<ConsentQuestion, AppError> {
    use crate::server::{
        error::Error,
        http::server_fn::respond,
        oauth::{
            authorization::{self, Params, Refusal},
            clients,
        },
    };

    respond(|call| async move {
        call.require_session().await?;
        let (params, repeated) = Params::from_pairs(form_urlencoded::parse(
            query.trim_start_matches('?').as_bytes(),
        ));
        let client = match params.get("client_id") {
            Some(id) => clients::find(&call.state.db, id)
                .await
                .map_err(Error::internal)?,
            None => None,
        };
        Ok(
            match authorization::check(&params, repeated.as_deref(), client) {
                Ok(request) => {
                    allow_form_to(&request.redirect_uri);
                    let mut fields: Vec<(String, String)> = params
                        .pairs()
                        .map(|(name, value)| (name.to_owned(), value.to_owned()))
                        .collect();
                    fields.sort();
                    ConsentQuestion::Ask {
                        client: request.client.name,
                        scopes: request.scopes.in_words(),
                        fields,
                    }
                }
                Err(Refusal::Page(message)) => ConsentQuestion::Refused(message),
                Err(Refusal::Redirect { error, .. }) => ConsentQuestion::Refused(format!(
                    "This sign-in request is not valid ({}); go back to the app and start again.",
                    error.description
                )),
            },
        )
    })
    .await
}

/// The consent form's answer redirects to the app's (registered, just checked) redirect URI:
/// the page's CSP `form-action` must allow its origin.
#[cfg(feature = "ssr")]
fn allow_form_to(redirect_uri: &str) {
    use axum::http::{HeaderName, HeaderValue};

    let origin = url::Url::parse(redirect_uri).map(|url| url.origin().ascii_serialization());
    let options = use_context::<leptos_axum::ResponseOptions>();
    if let (Ok(origin), Some(options)) = (origin, options) {
        if let Ok(value) = HeaderValue::from_str(&origin) {
            options.insert_header(
                HeaderName::from_static(crate::server::http::csp::FORM_TARGET),
                value,
            );
        }
    }
}
