//! `POST /oauth2/token` (RFC 6749 §4.1.3, OpenID Connect Core §3.1.3): a code for an id_token and
//! an access token. The client proves itself with `client_secret_basic`, `client_secret_post`,
//! or, for a public client, with nothing but the PKCE verifier.

use axum::{
    body::Bytes,
    extract::State,
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use base64::{engine::general_purpose::STANDARD, Engine};
use serde_json::json;

use super::replies::{json_error, no_store};
use crate::server::{
    accounts::users,
    oauth::{
        authorization::{s256, well_formed_verifier, Params},
        clients::{self, Client, ClientKind},
        codes::{self, Redeemed, Redemption},
        tokens::{self, Person},
    },
    state::AppState,
};

/// A refusal: the RFC 6749 §5.2 code and what to say.
struct Refused {
    status: StatusCode,
    error: &'static str,
    description: String,
    /// The client tried HTTP Basic: the 401 names the scheme (RFC 6749 §5.2).
    basic: bool,
}

fn bad(error: &'static str, description: impl Into<String>) -> Refused {
    Refused {
        status: StatusCode::BAD_REQUEST,
        error,
        description: description.into(),
        basic: false,
    }
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        let mut response = json_error(self.status, self.error, &self.description);
        if self.basic {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"badge\""),
            );
        }
        response
    }
}

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
    match params.get("grant_type") {
        None => return Err(bad("invalid_request", "grant_type is missing")),
        Some("authorization_code") => {}
        Some(_) => {
            return Err(bad(
                "unsupported_grant_type",
                "only grant_type=authorization_code is supported",
            ))
        }
    }
    let client = authenticate(state, headers, &params).await?;
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
    check_binding(&params, &redeemed)?;
    let user = users::find_by_id(&state.db, &redeemed.user_id)
        .await
        .map_err(|e| unavailable(&e))?
        .ok_or_else(|| bad("invalid_grant", "the account no longer exists"))?
        .user;
    let person = Person {
        email: &user.email,
        email_verified: user.email_verified,
    };
    let issued = tokens::issue(
        &state.db,
        &state.badges,
        &client.client_id,
        &redeemed,
        person,
    )
    .await
    .map_err(|error| {
        tracing::error!(%error, "issuing tokens failed");
        Refused {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            error: "server_error",
            description: "Badge could not issue the tokens; try again".into(),
            basic: false,
        }
    })?;
    metrics::counter!("badge_oauth_tokens_issued_total").increment(1);
    Ok(no_store(
        Json(json!({
            "access_token": issued.access_token,
            "token_type": "Bearer",
            "expires_in": issued.expires_in,
            "id_token": issued.id_token,
            "scope": issued.scope,
        }))
        .into_response(),
    ))
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

/// RFC 6749 §2.3: exactly one way of authenticating; a public client sends only its id.
async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    params: &Params,
) -> Result<Client, Refused> {
    let basic = basic_credentials(headers)?;
    let used_basic = basic.is_some();
    let invalid_client = |description: &str| Refused {
        status: StatusCode::UNAUTHORIZED,
        error: "invalid_client",
        description: description.to_owned(),
        basic: used_basic,
    };
    let (client_id, secret) = match (basic, params.get("client_secret")) {
        (Some(_), Some(_)) => {
            return Err(bad(
                "invalid_request",
                "use one client authentication method, not two",
            ))
        }
        (Some((id, secret)), None) => {
            if params.get("client_id").is_some_and(|body_id| body_id != id) {
                return Err(bad(
                    "invalid_request",
                    "client_id differs from the one authenticated",
                ));
            }
            (id, Some(secret))
        }
        (None, secret) => (
            params
                .get("client_id")
                .ok_or_else(|| invalid_client("the client is not identified (client_id)"))?
                .to_owned(),
            secret.map(str::to_owned),
        ),
    };
    let client = clients::find(&state.db, &client_id)
        .await
        .map_err(|e| unavailable(&e))?
        .ok_or_else(|| invalid_client("unknown client"))?;
    match (client.kind, secret) {
        (ClientKind::Confidential, Some(secret)) if client.secret_matches(&secret) => Ok(client),
        (ClientKind::Confidential, _) => {
            Err(invalid_client("the client secret is wrong or missing"))
        }
        (ClientKind::Public, None) => Ok(client),
        (ClientKind::Public, Some(_)) => Err(invalid_client("a public client has no secret")),
        (ClientKind::Introspection, _) => Err(Refused {
            status: StatusCode::BAD_REQUEST,
            error: "unauthorized_client",
            description: "an introspection-only client cannot exchange codes".into(),
            basic: false,
        }),
    }
}

/// `Authorization: Basic` with the form-urlencoded client id and secret (RFC 6749 §2.3.1).
fn basic_credentials(headers: &HeaderMap) -> Result<Option<(String, String)>, Refused> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let unreadable = || {
        bad(
            "invalid_request",
            "the Authorization header is not HTTP Basic",
        )
    };
    let value = value.to_str().map_err(|_| unreadable())?;
    let (scheme, encoded) = value.trim().split_once(' ').ok_or_else(unreadable)?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(unreadable());
    }
    let decoded = STANDARD.decode(encoded.trim()).map_err(|_| unreadable())?;
    let decoded = String::from_utf8(decoded).map_err(|_| unreadable())?;
    let (id, secret) = decoded.split_once(':').ok_or_else(unreadable)?;
    let plain = |part: &str| {
        percent_encoding::percent_decode_str(&part.replace('+', " "))
            .decode_utf8()
            .map(|text| text.into_owned())
            .map_err(|_| unreadable())
    };
    Ok(Some((plain(id)?, plain(secret)?)))
}

fn unavailable(error: &sqlx::Error) -> Refused {
    tracing::error!(%error, "the token endpoint could not read the database");
    Refused {
        status: StatusCode::SERVICE_UNAVAILABLE,
        error: "temporarily_unavailable",
        description: "Badge could not read its database; try again".into(),
        basic: false,
    }
}
