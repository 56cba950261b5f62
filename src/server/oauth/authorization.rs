//! The authorization request (OpenID Connect Core §3.1.2.1), read and checked before anyone is
//! asked anything. An unknown client or a redirect URI that is not registered is answered with a
//! page (sending an error to an unverified address would make Badge an open redirector); every
//! other problem goes back to the client's redirect URI with `error` and `state`.

use std::collections::HashMap;

use super::{
    clients::{Client, ClientKind},
    Scopes, OFFLINE_ACCESS,
};

/// Longest `state` and `nonce` accepted: opaque values, echoed back.
const MAX_ECHOED_CHARS: usize = 512;

/// The parameters as received (query string or form body).
#[derive(Debug, Default)]
pub struct Params(HashMap<String, String>);

impl Params {
    /// Reads `name=value` pairs; a parameter given twice is remembered as such (RFC 6749 §3.1:
    /// none may be repeated).
    pub fn from_pairs<'a>(
        pairs: impl Iterator<Item = (std::borrow::Cow<'a, str>, std::borrow::Cow<'a, str>)>,
    ) -> (Self, Option<String>) {
        let mut params = HashMap::new();
        let mut repeated = None;
        for (name, value) in pairs {
            if params
                .insert(name.to_string(), value.into_owned())
                .is_some()
            {
                repeated.get_or_insert_with(|| name.into_owned());
            }
        }
        (Self(params), repeated)
    }

    /// Removes and returns a parameter (the consent form's `decision`).
    pub fn take(&mut self, name: &str) -> Option<String> {
        self.0.remove(name)
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// Every parameter, for carrying the request through the consent page unchanged.
    pub fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The same request as a query string, with `changes` applied (`None` removes a parameter).
    pub fn query_with(&self, changes: &[(&str, Option<&str>)]) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        let mut names: Vec<_> = self.0.keys().collect();
        names.sort();
        for name in names {
            if !changes.iter().any(|(changed, _)| changed == name) {
                query.append_pair(name, &self.0[name]);
            }
        }
        for (name, value) in changes {
            if let Some(value) = value {
                query.append_pair(name, value);
            }
        }
        query.finish()
    }
}

/// `prompt` (OpenID Connect Core §3.1.2.1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Prompt {
    pub none: bool,
    pub login: bool,
    pub consent: bool,
}

/// A request worth asking the person about.
#[derive(Debug)]
pub struct Request {
    pub client: Client,
    pub redirect_uri: String,
    pub scopes: Scopes,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub prompt: Prompt,
    /// Seconds since sign-in beyond which the person signs in again.
    pub max_age: Option<i64>,
    /// Sign-in must be at or after this unix time (set when Badge sent the person to sign in
    /// again for `prompt=login`).
    pub login_after: Option<i64>,
}

/// The error codes of RFC 6749 §4.1.2.1 and OpenID Connect Core §3.1.2.6.
#[derive(Debug, PartialEq, Eq)]
pub struct ClientError {
    pub error: &'static str,
    pub description: String,
}

#[derive(Debug)]
pub enum Refusal {
    /// Shown to the person; nothing is sent to the client.
    Page(String),
    /// Sent back to the client's (verified) redirect URI.
    Redirect {
        redirect_uri: String,
        state: Option<String>,
        error: ClientError,
    },
}

/// The internal parameter that carries `prompt=login`'s moment through the sign-in.
pub const LOGIN_AFTER: &str = "badge_login_after";

/// Checks the request against the client registered as `params`' `client_id` (`client`, looked
/// up by the caller).
pub fn check(
    params: &Params,
    repeated: Option<&str>,
    client: Option<Client>,
) -> Result<Request, Refusal> {
    if params.get("client_id").is_none() {
        return Err(Refusal::Page(
            "The request names no client (client_id is missing).".into(),
        ));
    }
    let client = client
        .filter(|c| c.kind != ClientKind::Introspection)
        .ok_or_else(|| {
            Refusal::Page("The app that sent you here is not registered with Badge.".into())
        })?;
    let redirect_uri = params
        .get("redirect_uri")
        .filter(|uri| client.allows_redirect(uri))
        .ok_or_else(|| {
            Refusal::Page(format!(
                "{} sent you here with a return address (redirect_uri) it did not register, so \
                 Badge will not send you there.",
                client.name
            ))
        })?
        .to_owned();
    if matches!(repeated, Some("client_id" | "redirect_uri")) {
        return Err(Refusal::Page(
            "The request repeats client_id or redirect_uri.".into(),
        ));
    }
    let state = params.get("state").map(str::to_owned);
    let refuse = |error: &'static str, description: &str| Refusal::Redirect {
        redirect_uri: redirect_uri.clone(),
        state: state
            .clone()
            .filter(|s| s.chars().count() <= MAX_ECHOED_CHARS),
        error: ClientError {
            error,
            description: description.to_owned(),
        },
    };
    if let Some(name) = repeated {
        return Err(refuse(
            "invalid_request",
            &format!("the parameter {name} is repeated"),
        ));
    }
    if params.get("request").is_some() {
        return Err(refuse(
            "request_not_supported",
            "request objects are not supported",
        ));
    }
    if params.get("request_uri").is_some() {
        return Err(refuse(
            "request_uri_not_supported",
            "request_uri is not supported",
        ));
    }
    match params.get("response_type") {
        None => return Err(refuse("invalid_request", "response_type is missing")),
        Some("code") => {}
        Some(_) => {
            return Err(refuse(
                "unsupported_response_type",
                "only response_type=code is supported",
            ))
        }
    }
    if params
        .get("response_mode")
        .is_some_and(|mode| mode != "query")
    {
        return Err(refuse(
            "invalid_request",
            "only response_mode=query is supported",
        ));
    }
    let scopes = Scopes::parse(params.get("scope").unwrap_or_default());
    if !scopes.has("openid") {
        return Err(refuse("invalid_scope", "the scope must include openid"));
    }
    for echoed in ["state", "nonce"] {
        if params
            .get(echoed)
            .is_some_and(|v| v.chars().count() > MAX_ECHOED_CHARS)
        {
            return Err(refuse("invalid_request", &format!("{echoed} is too long")));
        }
    }
    let code_challenge =
        pkce_challenge(params, client.kind).map_err(|why| refuse("invalid_request", why))?;
    let prompt = prompt(params.get("prompt")).map_err(|why| refuse("invalid_request", why))?;
    // OpenID Connect Core §11: offline_access is ignored unless the person is asked.
    let scopes = if prompt.consent {
        scopes
    } else {
        scopes.without(OFFLINE_ACCESS)
    };
    let seconds = |name: &str| -> Result<Option<i64>, Refusal> {
        params
            .get(name)
            .map(|v| v.parse::<i64>().ok().filter(|n| *n >= 0))
            .map(|n| {
                n.ok_or_else(|| {
                    refuse(
                        "invalid_request",
                        &format!("{name} must be a number of seconds"),
                    )
                })
            })
            .transpose()
    };
    let max_age = seconds("max_age")?;
    let login_after = seconds(LOGIN_AFTER)?;
    Ok(Request {
        client,
        redirect_uri,
        scopes,
        state: params.get("state").map(str::to_owned),
        nonce: params.get("nonce").map(str::to_owned),
        code_challenge,
        prompt,
        max_age,
        login_after,
    })
}

/// PKCE (RFC 7636): S256 only (`plain` would hand the verifier to whoever sees the request);
/// required of public clients, accepted from every client.
fn pkce_challenge(params: &Params, kind: ClientKind) -> Result<Option<String>, &'static str> {
    let challenge = params.get("code_challenge");
    match (challenge, params.get("code_challenge_method")) {
        (None, None) if kind == ClientKind::Public => {
            Err("public clients must use PKCE (code_challenge with code_challenge_method=S256)")
        }
        (None, None) => Ok(None),
        (None, Some(_)) => Err("code_challenge_method without a code_challenge"),
        (Some(_), Some("S256")) => {
            let challenge = challenge.unwrap_or_default();
            let well_formed = challenge.len() == 43
                && challenge
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            if well_formed {
                Ok(Some(challenge.to_owned()))
            } else {
                Err("code_challenge must be the base64url SHA-256 of the verifier (43 characters)")
            }
        }
        (Some(_), _) => Err("only code_challenge_method=S256 is supported (plain is not)"),
    }
}

fn prompt(raw: Option<&str>) -> Result<Prompt, &'static str> {
    let mut prompt = Prompt::default();
    for value in raw.unwrap_or_default().split(' ').filter(|v| !v.is_empty()) {
        match value {
            "none" => prompt.none = true,
            "login" => prompt.login = true,
            "consent" => prompt.consent = true,
            // One account per browser: there is nothing to select.
            "select_account" => {}
            _ => return Err("prompt may only be none, login, consent or select_account"),
        }
    }
    if prompt.none && (prompt.login || prompt.consent) {
        return Err("prompt=none cannot be combined with other values");
    }
    Ok(prompt)
}

/// The S256 transform of a verifier (RFC 7636 §4.2), to compare with the stored challenge.
pub fn s256(verifier: &str) -> String {
    use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
    use sha2::{Digest, Sha256};
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// A verifier as RFC 7636 §4.1 defines it: 43 to 128 unreserved characters.
pub fn well_formed_verifier(verifier: &str) -> bool {
    (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompt_none_stands_alone_and_unknown_values_are_refused() {
        assert_eq!(
            prompt(Some("login consent")).unwrap(),
            Prompt {
                none: false,
                login: true,
                consent: true
            }
        );
        assert!(prompt(Some("none login")).is_err());
        assert!(prompt(Some("sometimes")).is_err());
        assert_eq!(prompt(None).unwrap(), Prompt::default());
    }

    #[test]
    fn the_s256_transform_matches_rfc_7636_appendix_b() {
        assert_eq!(
            s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        assert!(well_formed_verifier(
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
        ));
        assert!(!well_formed_verifier("short"));
    }
}
