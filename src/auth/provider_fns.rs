//! The account page's **Connected accounts**: which external providers are connected, and
//! disconnecting one (never the last way in). Connecting is a round trip to the provider
//! (`GET /api/auth/oidc/{id}/connect`, a navigation, in `server::api::oidc`).

use leptos::prelude::*;

use crate::{error::AppError, wire::ConnectedAccount};

/// `POST /api/auth/connected-accounts`: the providers connected to the signed-in person.
#[server(prefix = "/api/auth", endpoint = "connected-accounts")]
pub async fn connected_accounts() -> Result<Vec<ConnectedAccount>, AppError> {
    use crate::server::http::server_fn::respond;

    respond(|call| async move {
        let caller = call.require_session().await?;
        let connected = call
            .state
            .accounts
            .connected_providers(&caller.user.id)
            .await?;
        Ok(connected
            .into_iter()
            .map(|c| ConnectedAccount {
                provider: c.provider,
                email: c.email,
            })
            .collect())
    })
    .await
}

/// `POST /api/auth/oidc/disconnect` (`provider`): the provider no longer signs in to this
/// account; back to the account page. 409 `last_way_in` when nothing else would (no password,
/// no passkey, no other provider); 404 when it is not connected.
#[server(prefix = "/api/auth", endpoint = "oidc/disconnect")]
pub async fn disconnect_provider(#[server(default)] provider: String) -> Result<(), AppError> {
    use crate::server::http::server_fn::respond;

    respond(|call| async move {
        let caller = call.require_session().await?;
        call.state
            .accounts
            .disconnect_provider(&caller.user.id, &provider)
            .await?;
        leptos_axum::redirect("/account?notice=provider-disconnected#connected-title");
        Ok(())
    })
    .await
}
