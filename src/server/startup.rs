//! Building and running the server: `Application::build(config)` → `port()` → `run_until_stopped()`,
//! so `main` and the integration tests start exactly the same app.

use std::{future::Future, path::Path, sync::Arc, time::Duration};

use anyhow::Context;
use axum::Router;
use leptos::prelude::*;
use tokio::net::TcpListener;

use crate::server::{
    accounts::{
        passkeys::{RelyingParty, CEREMONY_TTL},
        passwords::PasswordHasher,
        sessions::Lifetime,
        two_factor::TwoFactorKeys,
        Accounts,
    },
    badge::{
        self,
        signing_keys::{life_cycle::Timings, KeyAlgorithm, KeyRing},
        BadgeKeys,
    },
    config::{Config, JwtAlgorithm, LimitStore},
    db,
    http::{
        challenge_cookie::ChallengeCookie, device_cookie::DeviceCookie,
        session_cookie::SessionCookie,
    },
    limits::{Counters, Limits, StoreChoice},
    mail, metrics, oauth,
    oidc::Providers,
    routes,
    secret::AuthSecret,
    serve::{self, Draining, ServeSettings},
    state::{AppServices, AppState},
};

const HOUSEKEEPING_INTERVAL: Duration = Duration::from_secs(600);
/// How long the outbox keeps the row of a mail sent or given up.
const FINISHED_MAILS_KEPT: Duration = Duration::from_secs(7 * 86_400);

pub struct Application {
    listener: TcpListener,
    router: Router,
    port: u16,
    settings: ServeSettings,
    draining: Draining,
}

impl Application {
    /// Connects the database, runs migrations, binds the listener and assembles the routes.
    pub async fn build(mut config: Config) -> anyhow::Result<Self> {
        if !badge::crypto::install() {
            tracing::warn!(
                "RS256 tokens are signed with RustCrypto's RSA, several times slower than ring: \
                 something used jsonwebtoken before the server started"
            );
        }
        let db = db::connect(&config.database_url, config.database_max_connections).await?;
        let listener = TcpListener::bind(config.site_addr)
            .await
            .with_context(|| format!("LEPTOS_SITE_ADDR: cannot listen on {}", config.site_addr))?;
        let bound = listener.local_addr()?;
        if config.site_url.is_none() && bound.ip().is_unspecified() {
            tracing::warn!(
                address = %bound,
                "SITE_URL is not set: only browsers on this machine (127.0.0.1, localhost) can \
                 sign in; set SITE_URL to the URL other hosts use, e.g. http://<host>:{}",
                bound.port()
            );
        }
        config.resolve_site(bound);
        warn_if_the_built_site_is_missing(&config.site_root);

        let leptos_options = LeptosOptions::builder()
            .output_name("badge")
            .site_root(config.site_root.to_string_lossy().as_ref())
            .site_pkg_dir("pkg")
            .site_addr(bound)
            .build();
        let hasher = PasswordHasher::new().context("preparing the password hasher")?;
        let badges = badge_keys(&config, &db).await?;
        // Links in mails go where people open the site: without SITE_URL, `localhost` (the
        // URL the log prints, where passkeys work too), so a link opens with their cookies.
        let site_url = url::Url::parse(&config.public_origin())
            .context("the site URL is resolved before the services start")?;
        let mail_seal =
            mail::MailSeal::new(config.auth_secret.expose(), &previous_secrets(&config));
        let mail = mail::start(&config.mail, &site_url, mail_seal, db.clone())
            .context("setting up mail")?;
        let accounts = Accounts::new(
            db.clone(),
            hasher,
            Lifetime {
                ttl: config.session_ttl,
                max_age: config.session_max_age,
            },
            mail,
            config.mail.require_verification,
            TwoFactorKeys::new(config.auth_secret.expose(), &previous_secrets(&config)),
            relying_party(&config),
        );
        let assigned = accounts
            .assign_missing_session_ids()
            .await
            .context("giving existing sessions their ids")?;
        if assigned > 0 {
            tracing::info!(assigned, "existing sessions got their own ids");
        }
        let limits = Limits::new(config.rate_limit, limit_counters(&config, &db).await?);
        let providers = Providers::new(config.oidc_providers.clone(), &config.public_origin())
            .context("setting up the external sign-in providers")?;
        providers.discover(true).await;
        providers.spawn_refresh();
        let state = AppState::new(AppServices {
            leptos_options,
            accounts,
            db,
            limits,
            session_cookie: SessionCookie::new(config.is_https(), config.session_ttl),
            device_cookie: DeviceCookie::new(config.is_https(), config.auth_secret.expose()),
            challenge_cookie: ChallengeCookie::two_factor(config.is_https()),
            passkey_cookie: ChallengeCookie::passkey_ceremony(config.is_https()),
            oidc_cookie: ChallengeCookie::provider_round_trip(config.is_https()),
            providers,
            badges,
            config,
        });
        spawn_housekeeping(state.clone());
        tracing::info!(address = %bound, url = %state.config.public_origin(), "listening");
        if let Some(addr) = state.config.operations.metrics_addr {
            metrics::serve(addr, state.clone()).await?;
        }
        let open_files = serve::raise_open_files_limit();
        let settings = ServeSettings {
            max_connections: state
                .config
                .operations
                .max_connections
                .unwrap_or_else(|| serve::default_max_connections(open_files)),
            shutdown_timeout: state.config.operations.shutdown_timeout,
        };
        let draining = Draining::default();
        Ok(Self {
            listener,
            router: routes::router(state, draining.clone()),
            port: bound.port(),
            settings,
            draining,
        })
    }

    /// The port actually bound (tests bind port 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until Ctrl-C or SIGTERM, then finishes in-flight requests and returns.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Serves until `stop` completes, then drains (see `serve`): requests still arriving are
    /// answered with `Connection: close`, and whatever is open after `SHUTDOWN_TIMEOUT` is
    /// dropped.
    pub async fn run_until(
        self,
        stop: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        serve::serve(
            self.listener,
            self.router,
            self.settings,
            self.draining,
            stop,
        )
        .await;
        Ok(())
    }
}

/// Every route of the app: JSON API, server functions, SSR pages, static files.
/// The badge keys of the configured mode. Stored signing keys are sealed again under the current
/// secret; a key of each algorithm in use is made sure to sign, and the key set is kept fresh in
/// the background.
async fn badge_keys(config: &Config, db: &db::Db) -> anyhow::Result<BadgeKeys> {
    let secret = config.auth_secret.expose();
    let previous = previous_secrets(config);
    let (issuer, audience, ttl) = (config.issuer(), config.jwt_audience.clone(), config.jwt_ttl);
    let timings = Timings {
        rotation: config.jwt_key_rotation,
        badge_ttl: config.jwt_ttl,
    };
    let algorithms = signing_algorithms(config.jwt_algorithm);
    let ring = Arc::new(KeyRing::open(db.clone(), secret, &previous, timings, algorithms).await?);
    tokio::spawn(ring.clone().maintain());
    Ok(match config.jwt_algorithm {
        JwtAlgorithm::Hs256 => BadgeKeys::hs256(secret, issuer, audience, ttl)
            .accepting_previous(previous)
            .with_key_ring(ring),
        JwtAlgorithm::EdDsa => BadgeKeys::eddsa(ring, issuer, audience, ttl),
    })
}

/// The stored keys' algorithms in use: RS256 for the OpenID Provider always, EdDSA for badges
/// in that mode.
pub fn signing_algorithms(mode: JwtAlgorithm) -> Vec<KeyAlgorithm> {
    match mode {
        JwtAlgorithm::Hs256 => vec![KeyAlgorithm::Rs256],
        JwtAlgorithm::EdDsa => vec![KeyAlgorithm::EdDsa, KeyAlgorithm::Rs256],
    }
}

/// Where attempt counters live (`RATE_LIMIT_STORE`, by default Redis with `REDIS_URL`, else
/// PostgreSQL when the database is, else this process's memory: SQLite runs one instance).
async fn limit_counters(config: &Config, db: &db::Db) -> anyhow::Result<Counters> {
    let choice = match (config.limit_store, &config.redis_url) {
        (LimitStore::Redis, Some(url)) => {
            StoreChoice::Redis(secrecy::ExposeSecret::expose_secret(url))
        }
        (LimitStore::Postgres, _) => StoreChoice::Postgres(db.clone()),
        _ => StoreChoice::Memory,
    };
    let counters = Counters::open(choice).await?;
    tracing::info!(store = counters.name(), "attempt limits");
    Ok(counters)
}

/// `AUTH_SECRET_PREVIOUS`, as bytes.
/// The relying party passkeys are bound to, or `None` (with a warning saying why) when the site
/// is an IP address.
fn relying_party(config: &Config) -> Option<RelyingParty> {
    let Some((id, origin)) = config.passkey_site() else {
        tracing::warn!(
            site = %config.site_origin(),
            "passkeys are off: the site's address is an IP address and browsers bind passkeys \
             to a name; set SITE_URL to the site's name (e.g. https://auth.example.com)"
        );
        return None;
    };
    match RelyingParty::new(&id, &origin, CEREMONY_TTL) {
        Ok(rp) => Some(rp),
        Err(error) => {
            tracing::warn!(rp_id = %id, %origin, %error, "passkeys are off: webauthn refused this site");
            None
        }
    }
}

fn previous_secrets(config: &Config) -> Vec<&[u8]> {
    config
        .auth_secret_previous
        .iter()
        .map(AuthSecret::expose)
        .collect()
}

/// Pages load `/pkg/badge.js` (and the CSS) from `LEPTOS_SITE_ROOT`; without it they render but
/// never hydrate and look unstyled, which is easy to miss. Relative paths start from the
/// working folder.
fn warn_if_the_built_site_is_missing(site_root: &Path) {
    let script = site_root.join("pkg").join("badge.js");
    if !script.is_file() {
        let folder =
            std::env::current_dir().map_or_else(|_| "?".into(), |d| d.display().to_string());
        tracing::warn!(
            "LEPTOS_SITE_ROOT: {} holds no pkg/badge.js (working folder {folder}): pages will load \
             without their script and styles; run `make build`, or point LEPTOS_SITE_ROOT at the \
             built site",
            site_root.display()
        );
    }
}

/// Every few minutes: delete expired sessions and old outbox rows, forget recovered limit keys.
fn spawn_housekeeping(state: AppState) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(HOUSEKEEPING_INTERVAL);
        loop {
            every.tick().await;
            match state.accounts.prune_expired_sessions().await {
                Ok(0) => {}
                Ok(pruned) => tracing::info!(pruned, "expired sessions deleted"),
                Err(e) => tracing::warn!(error = %e, "pruning expired sessions failed"),
            }
            match mail::outbox::prune_finished(&state.db, FINISHED_MAILS_KEPT).await {
                Ok(0) => {}
                Ok(pruned) => tracing::info!(pruned, "old outbox rows deleted"),
                Err(e) => tracing::warn!(error = %e, "pruning the outbox failed"),
            }
            let codes = oauth::codes::prune_expired(&state.db).await;
            let tokens = oauth::tokens::prune_expired(&state.db).await;
            let refresh = oauth::refresh::prune_expired(&state.db).await;
            if let Err(e) = codes.and(tokens).and(refresh) {
                tracing::warn!(error = %e, "pruning expired authorization codes and tokens failed");
            }
            state.limits.sweep().await;
        }
    });
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
