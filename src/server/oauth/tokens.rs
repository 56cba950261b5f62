//! What the token endpoint issues for a redeemed code: an id_token (OpenID Connect Core §2) and
//! an access token as a JWT (RFC 9068, `typ: at+jwt`), both RS256. Each access token's `jti` is
//! recorded with the code it came from: userinfo accepts only a recorded token, so revoking the
//! code's tokens (a reused code) takes effect at once.

use serde::{Deserialize, Serialize};

use super::{codes::Redeemed, Scopes};
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

/// Signs the id_token and the access token for a redeemed code and records the access token.
pub async fn issue(
    db: &Db,
    keys: &BadgeKeys,
    client_id: &str,
    code: &Redeemed,
    person: Person<'_>,
) -> Result<Issued, IssueError> {
    let now = unix_now();
    let ttl = keys.ttl().as_secs();
    let exp = now.saturating_add(i64::try_from(ttl).unwrap_or(i64::MAX));
    let scopes = Scopes::parse(&code.scope);
    let with_email = scopes.has("email");
    let id_token = keys.sign(
        KeyAlgorithm::Rs256,
        "JWT",
        &IdTokenClaims {
            iss: keys.issuer(),
            sub: &code.user_id,
            aud: client_id,
            azp: client_id,
            exp,
            iat: now,
            auth_time: code.auth_time,
            nonce: code.nonce.as_deref(),
            amr: code.amr.split_whitespace().collect(),
            email: with_email.then_some(person.email),
            email_verified: with_email.then_some(person.email_verified),
        },
    )?;
    let access = AccessClaims {
        iss: keys.issuer().to_owned(),
        sub: code.user_id.clone(),
        aud: client_id.to_owned(),
        client_id: client_id.to_owned(),
        exp,
        iat: now,
        jti: uuid::Uuid::new_v4().to_string(),
        scope: scopes.to_string(),
        auth_time: code.auth_time,
    };
    let access_token = keys.sign(KeyAlgorithm::Rs256, ACCESS_TOKEN_TYPE, &access)?;
    sqlx::query(
        "INSERT INTO oauth_access_tokens (jti, code_hash, client_id, user_id, scope, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&access.jti)
    .bind(&code.code_hash)
    .bind(client_id)
    .bind(&code.user_id)
    .bind(&access.scope)
    .bind(exp)
    .execute(db)
    .await?;
    Ok(Issued {
        access_token,
        id_token,
        expires_in: ttl,
        scope: access.scope,
    })
}

/// The holder of a live access token, as userinfo answers for it.
#[derive(Debug, sqlx::FromRow)]
pub struct TokenHolder {
    pub id: String,
    pub email: String,
    pub email_verified_at: Option<i64>,
    pub scope: String,
}

/// Whom the recorded, unexpired access token `jti` stands for; `None` once it is revoked, its
/// client removed or its user deleted.
pub async fn holder(db: &Db, jti: &str) -> sqlx::Result<Option<TokenHolder>> {
    sqlx::query_as(
        "SELECT u.id, u.email, u.email_verified_at, t.scope FROM oauth_access_tokens t \
         JOIN users u ON u.id = t.user_id WHERE t.jti = $1 AND t.expires_at > $2",
    )
    .bind(jti)
    .bind(unix_now())
    .fetch_optional(db)
    .await
}

/// Deletes expired access-token records.
pub async fn prune_expired(db: &Db) -> sqlx::Result<u64> {
    let pruned = sqlx::query("DELETE FROM oauth_access_tokens WHERE expires_at <= $1")
        .bind(unix_now())
        .execute(db)
        .await?;
    Ok(pruned.rows_affected())
}
