//! External sign-in providers: `OIDC_PROVIDERS=google,corp`, then per id `OIDC_<ID>_ISSUER`,
//! `_CLIENT_ID`, `_CLIENT_SECRET`, optional `_NAME` and `_SCOPES`. `google` and `gitlab` know
//! their issuer and name. Issuers are https, except loopback names for development and tests.

use secrecy::SecretString;
use url::Url;

use super::parse::ConfigError;

const VAR: &str = "OIDC_PROVIDERS";
const DEFAULT_SCOPES: &str = "openid email profile";

/// One provider as configured.
#[derive(Clone, Debug)]
pub struct ProviderConfig {
    /// The lower-case id in URLs (`/api/auth/oidc/{id}/…`).
    pub id: String,
    /// On the button: **Continue with {name}**.
    pub name: String,
    pub issuer: Url,
    pub client_id: String,
    pub client_secret: SecretString,
    pub scopes: Vec<String>,
}

/// Issuers and names of the providers known by id.
fn well_known(id: &str) -> Option<(&'static str, &'static str)> {
    match id {
        "google" => Some(("https://accounts.google.com", "Google")),
        "gitlab" => Some(("https://gitlab.com", "GitLab")),
        _ => None,
    }
}

pub(super) fn providers_from_vars(
    var: impl Fn(&str) -> Option<String>,
) -> Result<Vec<ProviderConfig>, ConfigError> {
    let Some(list) = var(VAR) else {
        return Ok(Vec::new());
    };
    let mut providers: Vec<ProviderConfig> = Vec::new();
    for id in list.split(',').map(str::trim).filter(|id| !id.is_empty()) {
        let id = id.to_ascii_lowercase();
        let valid = id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if !valid || id.len() > 32 {
            return Err(problem(format!(
                "has `{id}`: an id is letters, digits and dashes (it goes into URLs)"
            )));
        }
        if providers.iter().any(|p| p.id == id) {
            return Err(problem(format!("names `{id}` twice")));
        }
        let setting = |name: &str| var(&format!("OIDC_{}_{name}", env_name(&id)));
        let required = |name: &str| {
            setting(name).ok_or_else(|| {
                problem(format!(
                    "names `{id}`, which needs OIDC_{}_{name}",
                    env_name(&id)
                ))
            })
        };
        let known = well_known(&id);
        let issuer = match known {
            Some((issuer, _)) => setting("ISSUER").unwrap_or_else(|| issuer.to_owned()),
            None => required("ISSUER")?,
        };
        let issuer = parse_issuer(&id, &issuer)?;
        providers.push(ProviderConfig {
            name: setting("NAME")
                .or_else(|| known.map(|(_, name)| name.to_owned()))
                .unwrap_or_else(|| id.clone()),
            issuer,
            client_id: required("CLIENT_ID")?,
            client_secret: required("CLIENT_SECRET")?.into(),
            scopes: setting("SCOPES")
                .unwrap_or_else(|| DEFAULT_SCOPES.into())
                .split_whitespace()
                .map(str::to_owned)
                .collect(),
            id,
        });
    }
    Ok(providers)
}

/// `corp-sso` → `CORP_SSO`, as its variables are spelled.
fn env_name(id: &str) -> String {
    id.to_ascii_uppercase().replace('-', "_")
}

fn parse_issuer(id: &str, issuer: &str) -> Result<Url, ConfigError> {
    let url = Url::parse(issuer)
        .map_err(|_| problem(format!("`{id}`: its issuer `{issuer}` is not a URL")))?;
    let loopback = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    if url.scheme() != "https" && !(url.scheme() == "http" && loopback) {
        return Err(problem(format!(
            "`{id}`: its issuer must be https (plain http only on localhost), not `{issuer}`"
        )));
    }
    Ok(url)
}

fn problem(text: String) -> ConfigError {
    ConfigError::new(VAR, text)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn parse(vars: &[(&str, &str)]) -> Result<Vec<ProviderConfig>, ConfigError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        providers_from_vars(|name| vars.get(name).cloned())
    }

    #[test]
    fn google_needs_only_its_client() {
        let providers = parse(&[
            ("OIDC_PROVIDERS", "Google"),
            ("OIDC_GOOGLE_CLIENT_ID", "id"),
            ("OIDC_GOOGLE_CLIENT_SECRET", "secret"),
        ])
        .unwrap();
        assert_eq!(providers[0].id, "google");
        assert_eq!(providers[0].name, "Google");
        assert_eq!(providers[0].issuer.as_str(), "https://accounts.google.com/");
        assert_eq!(providers[0].scopes, ["openid", "email", "profile"]);
    }

    #[test]
    fn another_provider_needs_its_issuer_and_says_which_variable_is_missing() {
        let error = parse(&[
            ("OIDC_PROVIDERS", "corp-sso"),
            ("OIDC_CORP_SSO_CLIENT_ID", "id"),
            ("OIDC_CORP_SSO_CLIENT_SECRET", "secret"),
        ])
        .unwrap_err();
        assert!(
            error.to_string().contains("OIDC_CORP_SSO_ISSUER"),
            "{error}"
        );
    }

    #[test]
    fn issuers_are_https_except_on_loopback() {
        let with = |issuer: &str| {
            parse(&[
                ("OIDC_PROVIDERS", "corp"),
                ("OIDC_CORP_ISSUER", issuer),
                ("OIDC_CORP_CLIENT_ID", "id"),
                ("OIDC_CORP_CLIENT_SECRET", "secret"),
            ])
        };
        assert!(with("https://sso.example.com").is_ok());
        assert!(with("http://localhost:4000").is_ok());
        assert!(with("http://sso.example.com").is_err());
        assert!(parse(&[("OIDC_PROVIDERS", "a/b")]).is_err());
    }
}
