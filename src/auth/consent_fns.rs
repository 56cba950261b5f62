//! The consent page's question: which app asks for what, for an authorization request the
//! person was sent to `/oauth2/consent` with. The answer is a plain form to `POST
//! /oauth2/consent` (in `server::api::oauth2`), which checks the request all over again.
//! And the sign-in pages' one question about an authorization: may their form end at the app?

use leptos::prelude::*;

use crate::{error::AppError, wire::ConsentQuestion};

/// `POST /api/auth/oauth/consent-prompt` (`query`: the authorization request's query string).
#[server(prefix = "/api/auth", endpoint = "oauth/consent-prompt")]
pub async fn consent_prompt(#[server(default)] query: String) -> Result<ConsentQuestion, AppError> {
    use crate::server::{http::server_fn::respond, oauth::authorization::Refusal};

    respond(|call| async move {
        call.require_session().await?;
        let (params, checked) = checked_authorization(&call.state.db, &query).await?;
        Ok(match checked {
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
        })
    })
    .await
}

/// `POST /api/auth/oauth/form-target` (`next`: where a sign-in page goes on to): when that is
/// a valid authorization request, the page's form may end at the app (a sign-in whose consent
/// was given before redirects straight there). Answers nothing either way.
#[server(prefix = "/api/auth", endpoint = "oauth/form-target")]
pub async fn allow_form_to_app(#[server(default)] next: String) -> Result<(), AppError> {
    use crate::server::http::server_fn::respond;

    respond(|call| async move {
        if let Some(query) = next.strip_prefix("/oauth2/authorize?") {
            if let (_, Ok(request)) = checked_authorization(&call.state.db, query).await? {
                allow_form_to(&request.redirect_uri);
            }
        }
        Ok(())
    })
    .await
}

#[cfg(feature = "ssr")]
use checks::{allow_form_to, checked_authorization};

#[cfg(feature = "ssr")]
mod checks {
    use crate::server::{
        db::Db,
        error::Error,
        oauth::{
            authorization::{self, Params, Refusal, Request},
            clients,
        },
    };

    /// An authorization request's query, parsed and checked against its registered client.
    pub async fn checked_authorization(
        db: &Db,
        query: &str,
    ) -> Result<(Params, Result<Request, Refusal>), Error> {
        let (params, repeated) = Params::from_pairs(form_urlencoded::parse(
            query.trim_start_matches('?').as_bytes(),
        ));
        let client = match params.get("client_id") {
            Some(id) => clients::find(db, id).await.map_err(Error::internal)?,
            None => None,
        };
        let checked = authorization::check(&params, repeated.as_deref(), client);
        Ok((params, checked))
    }

    /// The page's form may end at the app's (registered, just checked) redirect URI, as the
    /// consent form's answer does: its CSP `form-action` must allow that origin.
    pub fn allow_form_to(redirect_uri: &str) {
        use axum::http::{HeaderName, HeaderValue};
        use leptos::prelude::use_context;

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
}
