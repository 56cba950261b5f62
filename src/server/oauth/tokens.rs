//! What the token endpoint issues for a grant (a redeemed code, a refresh): an id_token (OpenID
//! Connect Core §2) and an access token as a JWT (RFC 9068, `typ: at+jwt`), both RS256, both
//! with `sid` while the session they came from is signed in. Each access token's `jti` is
//! recorded with its grant and session: userinfo and introspection accept only a recorded token
//! whose session (if it names one) is signed in, so a revocation or a sign-out takes effect at
//! once.

use serde::{Deserialize, Serialize};

use super::Scopes;
use crate::server::{
    badge::{BadgeKeys, KeyAlgorithm, MintError},
    clock::unix_now,
    db::Db,
};

/// The `typ` of Badge's access tokens (RFC 9068 §2.1).
pub const ACCESS_TOKEN_TYPE: &str = "at+jwt";

#[derive(Serialize)]
struct IdTokenClaims<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    azp: &'a str,
    exp: i64,
    iat: i64,
    auth_time: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    nonce: Option<&'a str>,
    amr: Vec<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sid: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email_verified: Option<bool>,
}

/// An access token's claims (RFC 9068 §2.2); `aud` is the client, as DESIGN has it.
#[derive(Debug, Serialize, Deserialize)]
pub struct AccessClaims {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    pub client_id: String,
    pub exp: i64,
    pub iat: i64,
    pub jti: String,
    pub scope: String,
    pub auth_time: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
}

/// What the tokens are issued for.
pub struct Issuance<'a> {
    pub client_id: &'a str,
    pub user_id: &'a str,
    /// The hash of the code that started the grant.
    pub grant_id: &'a str,
    /// The session the grant came from, while it is signed in (`sid`).
    pub session_id: Option<&'a str>,
    pub scope: &'a str,
    pub auth_time: i64,
    pub amr: &'a str,
    /// Only when a code is redeemed (a refreshed id_token carries none).
    pub nonce: Option<&'a str>,
}

/// The person a code was issued for, as the id_token describes them.
pub struct Person<'a> {
    pub email: &'a str,
    pub email_verified: bool,
}

/// The token endpoint's answer.
pub struct Issued {
    pub access_token: String,
    pub id_token: String,
    pub expires_in: u64,
    pub scope: String,
}

#[derive(Debug, thiserror::Error)]
pub enum IssueError {
    #[error(transparent)]
    Sign(#[from] MintError),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
}

/// Signs the id_token and the access token for a grant and records the access token.
pub async fn issue(
    db: &Db,
    keys: &BadgeKeys,
    grant: &Issuance<'_>,
    person: Person<'_>,
) -> Result<Issued, IssueError> {
    let now = unix_now();
    let ttl = keys.ttl().as_secs();
    let exp = now.saturating_add(i64::try_from(ttl).unwrap_or(i64::MAX));
    let scopes = Scopes::parse(grant.scope);
    let with_email = scopes.has("email");
    let id_token = keys.sign(
        KeyAlgorithm::Rs256,
        "JWT",
        &IdTokenClaims {
            iss: keys.issuer(),
            sub: grant.user_id,
            aud: grant.client_id,
            azp: grant.client_id,
            exp,
            iat: now,
            auth_time: grant.auth_time,
            nonce: grant.nonce,
            amr: grant.amr.split_whitespace().collect(),
            sid: grant.session_id,
            email: with_email.then_some(person.email),
            email_verified: with_email.then_some(person.email_verified),
        },
    )?;
    let access = AccessClaims {
        iss: keys.issuer().to_owned(),
        sub: grant.user_id.to_owned(),
        aud: grant.client_id.to_owned(),
        client_id: grant.client_id.to_owned(),
        exp,
        iat: now,
        jti: uuid::Uuid::new_v4().to_string(),
        scope: scopes.to_string(),
        auth_time: grant.auth_time,
        sid: grant.session_id.map(str::to_owned),
    };
    let access_token = keys.sign(KeyAlgorithm::Rs256, ACCESS_TOKEN_TYPE, &access)?;
    sqlx::query(
        "INSERT INTO oauth_access_tokens (jti, code_hash, client_id, user_id, scope, expires_at, \
         session_id) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&access.jti)
    .bind(grant.grant_id)
    .bind(grant.client_id)
    .bind(grant.user_id)
    .bind(&access.scope)
    .bind(exp)
    .bind(grant.session_id)
    .execute(db)
    .await?;
    Ok(Issued {
        access_token,
        id_token,
        expires_in: ttl,
        scope: access.scope,
    })
}

/// The holder of a live access token, as userinfo and introspection answer for it.
#[derive(Debug, sqlx::FromRow)]
pub struct TokenHolder {
    pub id: String,
    pub email: String,
    pub email_verified_at: Option<i64>,
    pub scope: String,
    pub client_id: String,
}

/// Whom the recorded, unexpired access token `jti` stands for; `None` once it is revoked, its
/// session signed out, its client removed or its user deleted.
pub async fn holder(db: &Db, jti: &str) -> sqlx::Result<Option<TokenHolder>> {
    sqlx::query_as(
        "SELECT u.id, u.email, u.email_verified_at, t.scope, t.client_id \
         FROM oauth_access_tokens t JOIN users u ON u.id = t.user_id \
         WHERE t.jti = $1 AND t.expires_at > $2 AND (t.session_id IS NULL OR EXISTS \
         (SELECT 1 FROM sessions s WHERE s.id = t.session_id AND s.expires_at > $2))",
    )
    .bind(jti)
    .bind(unix_now())
    .fetch_optional(db)
    .await
}

/// Revokes `client_id`'s access token `jti` (RFC 7009); false when there was none.
pub async fn revoke(db: &Db, jti: &str, client_id: &str) -> sqlx::Result<bool> {
    let done = sqlx::query("DELETE FROM oauth_access_tokens WHERE jti = $1 AND client_id = $2")
        .bind(jti)
        .bind(client_id)
        .execute(db)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Deletes expired access-token records.
pub async fn prune_expired(db: &Db) -> sqlx::Result<u64> {
    let pruned = sqlx::query("DELETE FROM oauth_access_tokens WHERE expires_at <= $1")
        .bind(unix_now())
        .execute(db)
        .await?;
    Ok(pruned.rows_affected())
}
