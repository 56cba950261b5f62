//! How a client proves itself to the endpoints it calls from its server (token, introspection,
//! revocation): `client_secret_basic`, `client_secret_post`, or, for a public client, its id
//! alone (RFC 6749 §2.3). And the RFC 6749 §5.2 refusal those endpoints answer with.

use axum::{
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use base64::{engine::general_purpose::STANDARD, Engine};

use super::replies::json_error;
use crate::server::{
    oauth::{
        authorization::Params,
        clients::{self, Client, ClientKind},
    },
    state::AppState,
};

/// A refusal: the RFC 6749 §5.2 code and what to say.
pub struct Refused {
    pub status: StatusCode,
    pub error: &'static str,
    pub description: String,
    /// The client tried HTTP Basic: the 401 names the scheme (RFC 6749 §5.2).
    pub basic: bool,
}

pub fn bad(error: &'static str, description: impl Into<String>) -> Refused {
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

/// The form of a client's call about one token (introspection, revocation): the client,
/// authenticated, and the `token` it names.
pub async fn token_call(
    state: &AppState,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(Client, String), Refused> {
    let (params, repeated) = Params::from_pairs(form_urlencoded::parse(body));
    if let Some(name) = repeated {
        return Err(bad(
            "invalid_request",
            format!("the parameter {name} is repeated"),
        ));
    }
    let client = authenticate(state, headers, &params).await?;
    let token = params
        .get("token")
        .ok_or_else(|| bad("invalid_request", "token is missing"))?;
    Ok((client, token.to_owned()))
}

/// An introspection-only client (a vault) calling anything but introspection.
pub fn only_introspects() -> Refused {
    Refused {
        status: StatusCode::BAD_REQUEST,
        error: "unauthorized_client",
        description: "an introspection-only client can only introspect tokens".into(),
        basic: false,
    }
}

/// RFC 6749 §2.3: exactly one way of authenticating; a public client sends only its id. Which
/// kinds of client may call an endpoint is the endpoint's to check.
pub async fn authenticate(
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
        (ClientKind::Public, None) => Ok(client),
        (ClientKind::Public, Some(_)) => Err(invalid_client("a public client has no secret")),
        (_, Some(secret)) if client.secret_matches(&secret) => Ok(client),
        (_, _) => Err(invalid_client("the client secret is wrong or missing")),
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

pub fn unavailable(error: &sqlx::Error) -> Refused {
    tracing::error!(%error, "the token endpoint could not read the database");
    Refused {
        status: StatusCode::SERVICE_UNAVAILABLE,
        error: "temporarily_unavailable",
        description: "Badge could not read its database; try again".into(),
        basic: false,
    }
}
