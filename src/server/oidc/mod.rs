//! "Continue with …": Badge as an OpenID Connect relying party, with the `openidconnect` crate.
//! Each configured provider's discovery document is fetched at start-up and refreshed (an
//! unreachable provider is a warning and an unavailable button, never a failed start); a round
//! trip is the authorization code flow with PKCE S256, `state` and `nonce`, and its `id_token`
//! is checked (signature from the provider's JWKS, `iss`, `aud`, `exp`, `nonce`), with the
//! userinfo endpoint asked when the token carries no email. Who the person then is, and whether
//! a session opens, is the accounts' decision (`accounts::external`).

pub mod round_trips;

use std::{sync::Arc, time::Duration};

use openidconnect::{
    core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata, CoreUserInfoClaims},
    reqwest, AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce,
    OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
};
use secrecy::ExposeSecret;
use std::sync::RwLock;

use crate::{
    server::{accounts::external::Identity, config::ProviderConfig},
    wire::ProviderButton,
};

/// How long the person may take at the provider (the round trip's row and cookie).
pub const ROUND_TRIP_TTL: Duration = Duration::from_secs(600);
/// How long a provider may take to answer one request.
const PROVIDER_TIMEOUT: Duration = Duration::from_secs(10);
/// How often discovery documents (and with them the signing keys) are fetched again.
const REFRESH_EVERY: Duration = Duration::from_secs(3600);
/// How soon an unreachable provider is tried again.
const RETRY_EVERY: Duration = Duration::from_secs(60);

/// Why a round trip did not give an identity. `Display` is for the log, never for people.
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    #[error("no provider `{0}` is configured")]
    UnknownProvider(String),
    #[error("the provider's discovery document could not be read (yet)")]
    Unavailable,
    #[error("the code exchange failed: {0}")]
    Exchange(String),
    #[error("the id_token was refused: {0}")]
    IdToken(String),
    #[error("userinfo failed: {0}")]
    UserInfo(String),
}

/// The configured providers, their discovery documents as last fetched, and the HTTP client.
#[derive(Clone)]
pub struct Providers(Arc<Inner>);

struct Inner {
    providers: Vec<Provider>,
    http: reqwest::Client,
    /// `{site}/api/auth/oidc/`: a provider's redirect URI is this, its id and `/callback`.
    callback_base: String,
}

struct Provider {
    config: ProviderConfig,
    metadata: RwLock<Option<CoreProviderMetadata>>,
}

impl Provider {
    /// The discovery document as last fetched.
    fn discovered(&self) -> Option<CoreProviderMetadata> {
        self.metadata
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }
}

/// A round trip begun: where to send the browser, and what the callback must match.
pub struct Begun {
    pub url: url::Url,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

impl Providers {
    /// The providers of `configs`, their redirect URIs under `site_origin`. Nothing is fetched
    /// yet (`discover`).
    pub fn new(configs: Vec<ProviderConfig>, site_origin: &str) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            // Following redirects would let a provider send these requests anywhere (SSRF).
            .redirect(reqwest::redirect::Policy::none())
            .timeout(PROVIDER_TIMEOUT)
            .build()?;
        Ok(Self(Arc::new(Inner {
            providers: configs
                .into_iter()
                .map(|config| Provider {
                    config,
                    metadata: RwLock::new(None),
                })
                .collect(),
            http,
            callback_base: format!("{site_origin}/api/auth/oidc/"),
        })))
    }

    /// The redirect URI to register at the provider `id`.
    pub fn redirect_uri(&self, id: &str) -> String {
        format!("{}{id}/callback", self.0.callback_base)
    }

    /// Fetches every provider's discovery document that is missing or due; a failure is a
    /// warning and leaves that provider unavailable (or on its last good document).
    pub async fn discover(&self, all: bool) {
        let mut fetches = tokio::task::JoinSet::new();
        for index in 0..self.0.providers.len() {
            let providers = self.clone();
            fetches.spawn(async move { providers.discover_one(index, all).await });
        }
        while fetches.join_next().await.is_some() {}
    }

    async fn discover_one(&self, index: usize, all: bool) {
        let provider = &self.0.providers[index];
        if !all && provider.discovered().is_some() {
            return;
        }
        let issuer = provider
            .config
            .issuer
            .as_str()
            .trim_end_matches('/')
            .to_owned();
        let found = match IssuerUrl::new(issuer) {
            Ok(issuer) => CoreProviderMetadata::discover_async(issuer, &self.0.http)
                .await
                .map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        match found {
            Ok(metadata) => {
                let mut slot = provider
                    .metadata
                    .write()
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                *slot = Some(metadata);
            }
            Err(error) => tracing::warn!(
                provider = %provider.config.id,
                issuer = %provider.config.issuer,
                %error,
                "an OpenID provider is unreachable: its button says so until discovery succeeds"
            ),
        }
    }

    /// Keeps the discovery documents fresh: every hour, and every minute for one unreachable.
    pub fn spawn_refresh(&self) {
        if self.0.providers.is_empty() {
            return;
        }
        let providers = self.clone();
        tokio::spawn(async move {
            let mut since_full = Duration::ZERO;
            loop {
                tokio::time::sleep(RETRY_EVERY).await;
                since_full += RETRY_EVERY;
                let full = since_full >= REFRESH_EVERY;
                if full {
                    since_full = Duration::ZERO;
                }
                providers.discover(full).await;
            }
        });
    }

    /// Every configured provider, for the buttons.
    pub fn buttons(&self) -> Vec<ProviderButton> {
        self.0
            .providers
            .iter()
            .map(|provider| ProviderButton {
                id: provider.config.id.clone(),
                name: provider.config.name.clone(),
                available: provider.discovered().is_some(),
            })
            .collect()
    }

    /// Starts a round trip with the provider `id`.
    pub async fn begin(&self, id: &str) -> Result<Begun, OidcError> {
        let provider = self.provider(id)?;
        let client = self.client(provider).await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .set_pkce_challenge(challenge);
        for scope in provider.config.scopes.iter().filter(|s| *s != "openid") {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        let (url, state, nonce) = request.url();
        Ok(Begun {
            url,
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
        })
    }

    /// Finishes a round trip: exchanges `code` (with the PKCE verifier), verifies the
    /// `id_token` against `nonce`, and reads the email (from userinfo when the token has none).
    pub async fn finish(
        &self,
        id: &str,
        code: String,
        nonce: String,
        pkce_verifier: String,
    ) -> Result<Identity, OidcError> {
        let provider = self.provider(id)?;
        let client = self.client(provider).await?;
        let tokens = client
            .exchange_code(AuthorizationCode::new(code))
            .map_err(|e| OidcError::Exchange(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier))
            .request_async(&self.0.http)
            .await
            .map_err(|e| OidcError::Exchange(e.to_string()))?;
        let id_token = tokens
            .extra_fields()
            .id_token()
            .ok_or_else(|| OidcError::IdToken("the token answer has no id_token".into()))?;
        let claims = id_token
            .claims(&client.id_token_verifier(), &Nonce::new(nonce))
            .map_err(|e| OidcError::IdToken(e.to_string()))?;
        let subject = claims.subject().clone();
        let mut email = claims.email().map(|email| email.to_string());
        let mut email_verified = claims.email_verified().unwrap_or(false);
        if email.is_none() {
            let info: CoreUserInfoClaims = client
                .user_info(tokens.access_token().clone(), Some(subject.clone()))
                .map_err(|e| OidcError::UserInfo(e.to_string()))?
                .request_async(&self.0.http)
                .await
                .map_err(|e| OidcError::UserInfo(e.to_string()))?;
            email = info.email().map(|email| email.to_string());
            email_verified = info.email_verified().unwrap_or(false);
        }
        Ok(Identity {
            provider: provider.config.id.clone(),
            subject: subject.to_string(),
            email,
            email_verified,
        })
    }

    fn provider(&self, id: &str) -> Result<&Provider, OidcError> {
        self.0
            .providers
            .iter()
            .find(|p| p.config.id == id)
            .ok_or_else(|| OidcError::UnknownProvider(id.chars().take(32).collect()))
    }

    async fn client(
        &self,
        provider: &Provider,
    ) -> Result<
        CoreClient<
            openidconnect::EndpointSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointMaybeSet,
            openidconnect::EndpointMaybeSet,
        >,
        OidcError,
    > {
        let metadata = provider.discovered().ok_or(OidcError::Unavailable)?;
        let redirect = RedirectUrl::new(self.redirect_uri(&provider.config.id))
            .map_err(|e| OidcError::Exchange(e.to_string()))?;
        Ok(CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(provider.config.client_id.clone()),
            Some(ClientSecret::new(
                provider.config.client_secret.expose_secret().to_owned(),
            )),
        )
        .set_redirect_uri(redirect))
    }
}
