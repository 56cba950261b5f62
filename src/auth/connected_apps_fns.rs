//! The account page's **Connected apps**: the apps the person allowed to sign them in with
//! Badge, and revoking one (its consent, refresh tokens and access tokens end at once).

use leptos::prelude::*;

use crate::{error::AppError, wire::ConnectedApp};

/// `POST /api/auth/connected-apps`: the apps the signed-in person allowed, most recently used
/// first.
#[server(prefix = "/api/auth", endpoint = "connected-apps")]
pub async fn connected_apps() -> Result<Vec<ConnectedApp>, AppError> {
    use crate::server::{
        error::Error,
        http::server_fn::respond,
        oauth::{consents, Scopes},
    };

    respond(|call| async move {
        let caller = call.require_session().await?;
        let apps = consents::connected(&call.state.db, &caller.user.id)
            .await
            .map_err(Error::internal)?;
        Ok(apps
            .into_iter()
            .map(|app| ConnectedApp {
                scopes: Scopes::parse(&app.scope).in_words(),
                client_id: app.client_id,
                name: app.name,
                last_used_at: app.last_used_at,
            })
            .collect())
    })
    .await
}

/// `POST /api/auth/connected-apps/revoke` (`client_id`): the app's consent and tokens end; back
/// to the account page. 404 `app_not_connected` when the person had not allowed it.
#[server(prefix = "/api/auth", endpoint = "connected-apps/revoke")]
pub async fn revoke_connected_app(#[server(default)] client_id: String) -> Result<(), AppError> {
    use crate::server::{error::Error, http::server_fn::respond, oauth::grants};

    respond(|call| async move {
        let caller = call.require_session().await?;
        let mut tx = call.state.db.begin().await.map_err(Error::internal)?;
        let had = grants::revoke_for_client(&mut tx, &caller.user.id, &client_id)
            .await
            .map_err(Error::internal)?;
        tx.commit().await.map_err(Error::internal)?;
        if !had {
            return Err(Error::Client(AppError::AppNotConnected));
        }
        tracing::info!(user_id = %caller.user.id, client_id, "connected app revoked");
        leptos_axum::redirect("/account?notice=app-revoked#apps-title");
        Ok(())
    })
    .await
}
