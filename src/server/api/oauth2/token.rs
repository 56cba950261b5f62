//! `POST /oauth2/token` (RFC 6749 §4.1.3 and §6, OpenID Connect Core §3.1.3 and §12): a code,
//! or a refresh token, for an id_token, an access token and a (rotated) refresh token. The
//! client proves itself as `client_auth` says; a public client with nothing but the PKCE
//! verifier.

use axum::{
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde_json::json;

use super::{
    client_auth::{authenticate, bad, only_introspects, unavailable, Refused},
    replies::no_store,
};
use crate::server::{
    accounts::users,
    oauth::{
        authorization::{s256, well_formed_verifier, Params},
        clients::{Client, ClientKind},
        codes::{self, Redeemed, Redemption},
        consents,
        refresh::{self, Family, Rotation},
        tokens::{self, Issuance, Person},
        Scopes, OFFLINE_ACCESS,
    },
    state::AppState,
};

pub async fn exchange(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    match answer(&state, &headers, &body).await {
        Ok(response) => response,
        Err(refused) => {
            metrics::counter!("badge_oauth_token_refusals_total", "error" => refused.error)
                .increment(1);
            refused.into_response()
        }
    }
}

async fn answer(state: &AppState, headers: &HeaderMap, body: &[u8]) -> Result<Response, Refused> {
    let (params, repeated) = Params::from_pairs(form_urlencoded::parse(body));
    if let Some(name) = repeated {
        return Err(bad(
            "invalid_request",
            format!("the parameter {name} is repeated"),
        ));
    }
    let grant_type = match params.get("grant_type") {
        None => return Err(bad("invalid_request", "grant_type is missing")),
        Some(grant @ ("authorization_code" | "refresh_token")) => grant,
        Some(_) => {
            return Err(bad(
                "unsupported_grant_type",
                "grant_type must be authorization_code or refresh_token",
            ))
        }
    };
    let client = authenticate(state, headers, &params).await?;
    if client.kind == ClientKind::Introspection {
        return Err(only_introspects());
    }
    let (family, refresh_token, session_alive, nonce) = if grant_type == "authorization_code" {
        let redeemed = redeem(state, &params, &client).await?;
        let family = Family {
            family_id: redeemed.code_hash.clone(),
            client_id: client.client_id.clone(),
            user_id: redeemed.user_id.clone(),
            session_id: redeemed.session_id.clone(),
            offline: i64::from(Scopes::parse(&redeemed.scope).has(OFFLINE_ACCESS)),
            scope: redeemed.scope.clone(),
            auth_time: redeemed.auth_time,
            amr: redeemed.amr.clone(),
        };
        let first = start_family(state, &family).await?;
        (family, first, true, redeemed.nonce)
    } else {
        let (family, next, session_alive) = rotate(state, &params, &client).await?;
        (family, next, session_alive, None)
    };
    let user = users::find_by_id(&state.db, &family.user_id)
        .await
        .map_err(|e| unavailable(&e))?
        .ok_or_else(|| bad("invalid_grant", "the account no longer exists"))?
        .user;
    let grant = Issuance {
        client_id: &client.client_id,
        user_id: &family.user_id,
        grant_id: &family.family_id,
        session_id: session_alive.then_some(family.session_id.as_str()),
        scope: &family.scope,
        auth_time: family.auth_time,
        amr: &family.amr,
        nonce: nonce.as_deref(),
    };
    let person = Person {
        email: &user.email,
        email_verified: user.email_verified,
    };
    let issued = tokens::issue(&state.db, &state.badges, &grant, person)
        .await
        .map_err(|error| {
            tracing::error!(%error, "issuing tokens failed");
            server_error()
        })?;
    if let Err(error) =
        consents::touch(&state.db, &family.user_id, &client.client_id, &family.scope).await
    {
        tracing::warn!(%error, "could not note when the app last used its grant");
    }
    metrics::counter!("badge_oauth_tokens_issued_total", "grant_type" => grant_type.to_owned())
        .increment(1);
    Ok(no_store(
        Json(json!({
            "access_token": issued.access_token,
            "token_type": "Bearer",
            "expires_in": issued.expires_in,
            "id_token": issued.id_token,
            "refresh_token": refresh_token,
            "scope": issued.scope,
        }))
        .into_response(),
    ))
}

/// Redeems the code in `params` for `client`, held to its redirect URI and PKCE challenge.
async fn redeem(state: &AppState, params: &Params, client: &Client) -> Result<Redeemed, Refused> {
    let code = params
        .get("code")
        .ok_or_else(|| bad("invalid_request", "code is missing"))?;
    let redeemed = match codes::redeem(&state.db, code, &client.client_id).await {
        Ok(Redemption::Redeemed(redeemed)) => redeemed,
        Ok(Redemption::Reused) => {
            return Err(bad(
                "invalid_grant",
                "the code was already used; the tokens it issued are revoked",
            ))
        }
        Ok(Redemption::Invalid) => {
            return Err(bad(
                "invalid_grant",
                "the code is unknown, expired or was issued to another client",
            ))
        }
        Err(error) => return Err(unavailable(&error)),
    };
    check_binding(params, &redeemed)?;
    Ok(redeemed)
}

/// The grant's first refresh token.
async fn start_family(state: &AppState, family: &Family) -> Result<String, Refused> {
    let mut conn = state.db.acquire().await.map_err(|e| unavailable(&e))?;
    refresh::issue(&mut conn, family, state.config.oauth_refresh_ttl)
        .await
        .map_err(|error| {
            tracing::error!(%error, "storing a refresh token failed");
            server_error()
        })
}

/// Rotates the refresh token in `params`: its family, its successor, and whether the session
/// it came from is still signed in.
async fn rotate(
    state: &AppState,
    params: &Params,
    client: &Client,
) -> Result<(Family, String, bool), Refused> {
    let token = params
        .get("refresh_token")
        .ok_or_else(|| bad("invalid_request", "refresh_token is missing"))?;
    let asked = params.get("scope").map(Scopes::parse);
    let rotation = refresh::rotate(
        &state.db,
        token,
        &client.client_id,
        asked,
        state.config.oauth_refresh_ttl,
    )
    .await
    .map_err(|e| unavailable(&e))?;
    match rotation {
        Rotation::Rotated {
            family,
            token,
            session_alive,
        } => Ok((family, token, session_alive)),
        Rotation::Reused => Err(bad(
            "invalid_grant",
            "the refresh token was already used; every token of its grant is revoked",
        )),
        Rotation::SessionEnded => Err(bad(
            "invalid_grant",
            "the person signed out of the Badge session this refresh token came from",
        )),
        Rotation::ScopeTooWide => Err(bad(
            "invalid_scope",
            "a refresh may narrow the scope, never widen it (the token is still good)",
        )),
        Rotation::Invalid => Err(bad(
            "invalid_grant",
            "the refresh token is unknown, expired, revoked or was issued to another client",
        )),
    }
}

/// The code is used by the redirect URI and the PKCE verifier it was issued for.
fn check_binding(params: &Params, redeemed: &Redeemed) -> Result<(), Refused> {
    if params.get("redirect_uri") != Some(redeemed.redirect_uri.as_str()) {
        return Err(bad(
            "invalid_grant",
            "redirect_uri is not the one the code was issued for",
        ));
    }
    match (&redeemed.code_challenge, params.get("code_verifier")) {
        (None, None) => Ok(()),
        (Some(challenge), Some(verifier))
            if well_formed_verifier(verifier) && s256(verifier) == *challenge =>
        {
            Ok(())
        }
        (Some(_), Some(_)) => Err(bad(
            "invalid_grant",
            "code_verifier does not match the code_challenge",
        )),
        (Some(_), None) => Err(bad("invalid_grant", "code_verifier is missing")),
        (None, Some(_)) => Err(bad(
            "invalid_grant",
            "the authorization request had no code_challenge",
        )),
    }
}

fn server_error() -> Refused {
    Refused {
        status: StatusCode::INTERNAL_SERVER_ERROR,
        error: "server_error",
        description: "Badge could not issue the tokens; try again".into(),
        basic: false,
    }
}
