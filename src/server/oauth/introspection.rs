//! What introspection (RFC 7662) says of a token: a badge from `/api/token`, an access token or
//! a refresh token. `active` only while everything behind the token lives: its signature and
//! key (a revoked key is gone at once), its expiry, its user, its session (`sid`; Better Auth
//! answered `true` for revoked sessions, better-auth#10267) and, for an app's tokens, its grant.
//! A vault (an introspection-only client) may ask about any token; an app only about its own.

use jsonwebtoken::decode_header;
use serde::Serialize;

use super::{
    clients::{Client, ClientKind},
    refresh,
    tokens::{self, AccessClaims, ACCESS_TOKEN_TYPE},
};
use crate::server::{
    badge::{signing_keys::store, BadgeKeys, KeyAlgorithm},
    clock::unix_now,
    db::Db,
};

/// The answer's body: `{"active": false}` alone, or the token's facts.
#[derive(Debug, Default, Serialize)]
pub struct Answer {
    pub active: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aud: Option<String>,
}

impl Answer {
    fn inactive() -> Self {
        Self::default()
    }
}

/// What `caller` may learn about `token`.
pub async fn introspect(
    db: &Db,
    keys: &BadgeKeys,
    caller: &Client,
    token: &str,
) -> sqlx::Result<Answer> {
    let vault = caller.kind == ClientKind::Introspection;
    let answer = match decode_header(token) {
        Ok(header) if header.typ.as_deref() == Some(ACCESS_TOKEN_TYPE) => {
            access_token(db, keys, token, header.kid).await?
        }
        Ok(header) if vault => badge(db, keys, token, header.kid).await?,
        Ok(_) => Answer::inactive(),
        Err(_) => refresh_token(db, keys, token).await?,
    };
    let allowed = vault || answer.client_id.as_deref() == Some(caller.client_id.as_str());
    Ok(if answer.active && allowed {
        answer
    } else {
        Answer::inactive()
    })
}

async fn access_token(
    db: &Db,
    keys: &BadgeKeys,
    token: &str,
    kid: Option<String>,
) -> sqlx::Result<Answer> {
    let Ok(claims) = keys
        .verify_signed::<AccessClaims>(token, KeyAlgorithm::Rs256, ACCESS_TOKEN_TYPE)
        .await
    else {
        return Ok(Answer::inactive());
    };
    if !key_stored(db, kid.as_deref()).await? {
        return Ok(Answer::inactive());
    }
    Ok(match tokens::holder(db, &claims.jti).await? {
        Some(holder) if holder.id == claims.sub && holder.client_id == claims.client_id => Answer {
            active: true,
            token_type: Some("Bearer"),
            client_id: Some(claims.client_id),
            sub: Some(claims.sub),
            scope: Some(holder.scope),
            sid: claims.sid,
            exp: Some(claims.exp),
            iat: Some(claims.iat),
            iss: Some(claims.iss),
            aud: Some(claims.aud),
        },
        _ => Answer::inactive(),
    })
}

async fn badge(
    db: &Db,
    keys: &BadgeKeys,
    token: &str,
    kid: Option<String>,
) -> sqlx::Result<Answer> {
    let Ok(claims) = keys.verify(token).await else {
        return Ok(Answer::inactive());
    };
    // HS256 badges name no key: the secret is the key, and verification just checked it.
    if kid.is_some() && !key_stored(db, kid.as_deref()).await? {
        return Ok(Answer::inactive());
    }
    let now = unix_now();
    let alive: Option<(String,)> = match &claims.sid {
        Some(sid) => {
            sqlx::query_as(
                "SELECT s.user_id FROM sessions s WHERE s.id = $1 AND s.user_id = $2 \
                 AND s.expires_at > $3",
            )
            .bind(sid)
            .bind(&claims.sub)
            .bind(now)
            .fetch_optional(db)
            .await?
        }
        // A badge minted before badges named their session: as long as its user lives.
        None => {
            sqlx::query_as("SELECT id FROM users WHERE id = $1")
                .bind(&claims.sub)
                .fetch_optional(db)
                .await?
        }
    };
    if alive.is_none() {
        return Ok(Answer::inactive());
    }
    Ok(Answer {
        active: true,
        token_type: Some("Bearer"),
        sub: Some(claims.sub),
        sid: claims.sid,
        exp: i64::try_from(claims.exp).ok(),
        iat: i64::try_from(claims.iat).ok(),
        iss: Some(claims.iss),
        aud: claims.aud,
        ..Answer::default()
    })
}

async fn refresh_token(db: &Db, keys: &BadgeKeys, token: &str) -> sqlx::Result<Answer> {
    let Some((family, iat, exp)) = refresh::live(db, token).await? else {
        return Ok(Answer::inactive());
    };
    let now = unix_now();
    let mut conn = db.acquire().await?;
    let session_alive = refresh::session_alive(&mut conn, &family.session_id, now).await?;
    Ok(Answer {
        active: true,
        token_type: Some("refresh_token"),
        client_id: Some(family.client_id),
        sub: Some(family.user_id),
        scope: Some(family.scope),
        sid: session_alive.then_some(family.session_id),
        exp: Some(exp),
        iat: Some(iat),
        iss: Some(keys.issuer().to_owned()),
        aud: None,
    })
}

async fn key_stored(db: &Db, kid: Option<&str>) -> sqlx::Result<bool> {
    match kid {
        Some(kid) => store::is_stored(db, kid).await,
        None => Ok(false),
    }
}
