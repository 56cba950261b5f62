//! The badge's payload: exactly `sub`, `email`, `email_verified` (the OpenID Connect claim),
//! `amr` (RFC 8176: how the person signed in, so a vault can demand `mfa`), `sid` (the session it
//! came from, which introspection checks), `iat`, `exp`, `iss`, and `aud` only when
//! `JWT_AUDIENCE` is set (PyJWT refuses a token with `aud` when the caller names none).

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub email: String,
    pub email_verified: bool,
    /// Badges minted before the claim existed have none: read as empty.
    #[serde(default)]
    pub amr: Vec<String>,
    /// The session of `/api/auth/sessions` the badge was minted for; older badges have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    pub iat: u64,
    pub exp: u64,
    pub iss: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<String>,
}
