//! Start-up configuration: environment variables (and an optional `.env`), parsed once,
//! with one clear line naming the variable whenever a value is wrong.

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use url::Url;

use crate::server::secret::AuthSecret;
pub use parse::ConfigError;
use parse::{
    origin_of, parse_bool, parse_duration, parse_origin_url, require_existing_database,
    secret_error, validate_database_url,
};

mod mail;
mod oidc;
mod operations;
mod parse;
mod site;

pub use mail::MailConfig;
pub use oidc::ProviderConfig;
pub use operations::OperationsConfig;

/// Where the generated secret is kept when `AUTH_SECRET` is not given.
const GENERATED_SECRET_PATH: &str = "data/auth-secret";
const DEFAULT_DATABASE_URL: &str = "sqlite://data/badge.db";
const DEFAULT_SITE_ADDR: &str = "127.0.0.1:3000";

/// Whether loading the configuration may start an installation: create the SQLite database and
/// generate the secret when they are missing. Only serving and `badge migrate` do; an operator
/// command run in the wrong folder would otherwise start an empty one there and report on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Provision {
    CreateMissing,
    ExistingOnly,
}

/// How badges are signed (`JWT_ALGORITHM`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JwtAlgorithm {
    /// A shared secret: the recipe other teams already use.
    Hs256,
    /// Ed25519: verifiers need only the public keys (JWKS), never a secret.
    EdDsa,
}

/// Everything the server needs to start, already validated.
#[derive(Clone, Debug)]
pub struct Config {
    pub database_url: String,
    /// Pool size per instance (`DATABASE_MAX_CONNECTIONS`); `None` picks the engine's default.
    pub database_max_connections: Option<u32>,
    pub auth_secret: AuthSecret,
    /// Older secrets still accepted (`AUTH_SECRET_PREVIOUS`): badges they signed verify until
    /// they expire; nothing new is signed with them.
    pub auth_secret_previous: Vec<AuthSecret>,
    /// The public URL of the site (`SITE_URL`); when unset, resolved at start-up from the
    /// bound port (see `resolve_site`).
    pub site_url: Option<Url>,
    /// Other origins that are this same site: without `SITE_URL`, the loopback names of the
    /// bound port.
    pub site_aliases: Vec<String>,
    pub site_addr: SocketAddr,
    /// Folder holding the built site (`pkg/`, CSS, public assets); Leptos' `LEPTOS_SITE_ROOT`.
    pub site_root: PathBuf,
    pub jwt_algorithm: JwtAlgorithm,
    /// Automatic signing-key rotation (`JWT_KEY_ROTATION`); `None` when `off`.
    pub jwt_key_rotation: Option<Duration>,
    pub jwt_ttl: Duration,
    pub session_ttl: Duration,
    /// `SESSION_MAX_AGE`: a session ends this long after sign-in, however active.
    pub session_max_age: Duration,
    pub jwt_issuer: Option<String>,
    pub jwt_audience: Option<String>,
    /// Extra origins (scheme://host[:port]) allowed by CORS and the origin check.
    pub trusted_origins: Vec<String>,
    /// An external vault the hello-world card calls instead of the built-in route (`VAULT_URL`,
    /// without a trailing slash).
    pub vault_url: Option<String>,
    /// Take the client IP from `X-Forwarded-For` (only behind a proxy you control).
    pub trust_proxy: bool,
    /// Sign-in/sign-up rate limits (`AUTH_RATE_LIMIT`, default on; off only for load tests).
    pub rate_limit: bool,
    /// `REDIS_URL`: attempt counters in Redis instead of PostgreSQL or memory (may hold a
    /// password: never printed as it is).
    pub redis_url: Option<secrecy::SecretString>,
    /// Where attempt counters live (`RATE_LIMIT_STORE`; by default Redis with `REDIS_URL`, else
    /// PostgreSQL when the database is, else memory).
    pub limit_store: LimitStore,
    pub mail: MailConfig,
    pub operations: OperationsConfig,
    /// External sign-in providers (`OIDC_PROVIDERS`).
    pub oidc_providers: Vec<ProviderConfig>,
    /// How long an authorization code Badge issues as an OpenID Provider lives
    /// (`OAUTH_CODE_TTL`).
    pub oauth_code_ttl: Duration,
    /// How long a refresh token lives unused (`OAUTH_REFRESH_TTL`).
    pub oauth_refresh_ttl: Duration,
}

impl Config {
    /// Reads `.env` (if present) into the process environment, without overriding variables
    /// already set. Call it before logging starts, so `RUST_LOG` there counts too.
    pub fn load_dotenv() -> Result<(), ConfigError> {
        match dotenvy::dotenv() {
            Err(err) if !err.not_found() => {
                Err(ConfigError::new(".env", format!("cannot be read: {err}")))
            }
            _ => Ok(()),
        }
    }

    /// Reads the process environment (after `load_dotenv`).
    pub fn from_env(provision: Provision) -> Result<Self, ConfigError> {
        Self::from_lookup_with(|name| std::env::var(name).ok(), provision)
    }

    /// Builds the configuration from any variable source (tests pass a map), as the server does.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        Self::from_lookup_with(lookup, Provision::CreateMissing)
    }

    fn from_lookup_with(
        lookup: impl Fn(&str) -> Option<String>,
        provision: Provision,
    ) -> Result<Self, ConfigError> {
        let var = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };

        let database_url = var("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.into());
        validate_database_url(&database_url)?;
        if provision == Provision::ExistingOnly {
            require_existing_database(&database_url)?;
        }

        // Secrets are used byte for byte, spaces included (the same bytes the other backends
        // hold); only an empty value counts as unset.
        let secret_var = |name: &str| lookup(name).filter(|v| !v.is_empty());
        let auth_secret = match secret_var("AUTH_SECRET") {
            Some(value) => AuthSecret::parse(value).map_err(secret_error("AUTH_SECRET"))?,
            None => match secret_var("BETTER_AUTH_SECRET") {
                Some(value) => {
                    AuthSecret::parse(value).map_err(secret_error("BETTER_AUTH_SECRET"))?
                }
                None => match provision {
                    Provision::CreateMissing => {
                        AuthSecret::load_or_generate(GENERATED_SECRET_PATH.as_ref())
                    }
                    Provision::ExistingOnly => {
                        AuthSecret::load_existing(GENERATED_SECRET_PATH.as_ref())
                    }
                }
                .map_err(secret_error("AUTH_SECRET"))?,
            },
        };

        // A list: spaces around its commas are formatting (documented).
        let auth_secret_previous = var("AUTH_SECRET_PREVIOUS")
            .map(|list| {
                list.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|s| {
                        AuthSecret::parse(s.to_owned())
                            .map_err(secret_error("AUTH_SECRET_PREVIOUS"))
                    })
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?
            .unwrap_or_default();

        let site_addr = var("LEPTOS_SITE_ADDR")
            .unwrap_or_else(|| DEFAULT_SITE_ADDR.into())
            .parse::<SocketAddr>()
            .map_err(|_| {
                ConfigError::new("LEPTOS_SITE_ADDR", "must be an address like 127.0.0.1:3000")
            })?;

        let site_url = var("SITE_URL")
            .map(|v| parse_origin_url("SITE_URL", &v))
            .transpose()?;
        let trusted_origins = var("TRUSTED_ORIGINS")
            .map(|list| {
                list.split(',')
                    .map(str::trim)
                    .filter(|o| !o.is_empty())
                    .map(|o| parse_origin_url("TRUSTED_ORIGINS", o).map(|u| origin_of(&u)))
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?
            .unwrap_or_default();

        let database_max_connections = var("DATABASE_MAX_CONNECTIONS")
            .map(|v| match v.parse::<u32>() {
                Ok(n) if (1..=1000).contains(&n) => Ok(n),
                _ => Err(ConfigError::new(
                    "DATABASE_MAX_CONNECTIONS",
                    format!("must be a number from 1 to 1000, got {v:?}"),
                )),
            })
            .transpose()?;

        let session_ttl = parse_duration(
            "SESSION_TTL",
            var("SESSION_TTL"),
            Duration::from_secs(7 * 86_400),
        )?;
        let session_max_age = session_max_age(var("SESSION_MAX_AGE"), session_ttl)?;
        let redis_url = var("REDIS_URL")
            .map(|value| validate_redis_url(&value).map(|()| value))
            .transpose()?;
        let limit_store =
            LimitStore::parse(var("RATE_LIMIT_STORE"), &database_url, redis_url.is_some())?;
        Ok(Self {
            database_url,
            database_max_connections,
            auth_secret,
            auth_secret_previous,
            site_url,
            site_aliases: Vec::new(),
            site_addr,
            site_root: var("LEPTOS_SITE_ROOT")
                .unwrap_or_else(|| "target/site".into())
                .into(),
            jwt_algorithm: match var("JWT_ALGORITHM").as_deref() {
                None => JwtAlgorithm::Hs256,
                Some(v) if v.eq_ignore_ascii_case("HS256") => JwtAlgorithm::Hs256,
                Some(v) if v.eq_ignore_ascii_case("EdDSA") => JwtAlgorithm::EdDsa,
                Some(other) => {
                    return Err(ConfigError::new(
                        "JWT_ALGORITHM",
                        format!("must be HS256 or EdDSA, got {other:?}"),
                    ))
                }
            },
            jwt_key_rotation: match var("JWT_KEY_ROTATION") {
                Some(v) if v.eq_ignore_ascii_case("off") => None,
                value => Some(parse_duration(
                    "JWT_KEY_ROTATION",
                    value,
                    Duration::from_secs(30 * 86_400),
                )?),
            },
            jwt_ttl: parse_duration("JWT_TTL", var("JWT_TTL"), Duration::from_secs(15 * 60))?,
            session_ttl,
            session_max_age,
            jwt_issuer: var("JWT_ISSUER"),
            jwt_audience: var("JWT_AUDIENCE"),
            trusted_origins,
            vault_url: var("VAULT_URL")
                .map(|v| parse_origin_url("VAULT_URL", &v))
                .transpose()?
                .map(|url| url.as_str().trim_end_matches('/').to_owned()),
            trust_proxy: parse_bool("TRUST_PROXY", var("TRUST_PROXY"))?.unwrap_or(false),
            rate_limit: parse_bool("AUTH_RATE_LIMIT", var("AUTH_RATE_LIMIT"))?.unwrap_or(true),
            redis_url: redis_url.map(Into::into),
            limit_store,
            mail: MailConfig::from_vars(var)?,
            oidc_providers: oidc::providers_from_vars(var)?,
            operations: OperationsConfig::from_vars(var)?,
            oauth_code_ttl: oauth_code_ttl(var("OAUTH_CODE_TTL"))?,
            oauth_refresh_ttl: oauth_refresh_ttl(var("OAUTH_REFRESH_TTL"))?,
        })
    }
}

#[cfg(test)]
mod tests;

/// `SESSION_MAX_AGE`: 30 days by default, or `SESSION_TTL` when that is longer (a setting that
/// predates the absolute lifetime keeps working); never shorter than `SESSION_TTL`.
fn session_max_age(value: Option<String>, ttl: Duration) -> Result<Duration, ConfigError> {
    let given = value.is_some();
    let max_age = parse_duration(
        "SESSION_MAX_AGE",
        value,
        Duration::from_secs(30 * 86_400).max(ttl),
    )?;
    if given && max_age < ttl {
        return Err(ConfigError::new(
            "SESSION_MAX_AGE",
            "must be at least SESSION_TTL (a session's absolute lifetime cannot be shorter than \
             its idle lifetime)",
        ));
    }
    Ok(max_age)
}

/// `REDIS_URL`: `redis://[user:password@]host[:port][/db]`, or `rediss://` for TLS.
fn validate_redis_url(value: &str) -> Result<(), ConfigError> {
    let url = url::Url::parse(value).ok();
    match url {
        Some(url)
            if matches!(url.scheme(), "redis" | "rediss")
                && url.host_str().is_some_and(|host| !host.is_empty()) =>
        {
            Ok(())
        }
        _ => Err(ConfigError::new(
            "REDIS_URL",
            "must be redis://host:port (or redis://:password@host:port/db, rediss:// for TLS)",
        )),
    }
}

/// Where attempt counters live.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LimitStore {
    /// This process's memory: one instance (SQLite), or limits per instance.
    Memory,
    /// The `rate_limits` table, shared by every instance on the database.
    Postgres,
    /// `REDIS_URL`, shared by every instance that names it.
    Redis,
}

impl LimitStore {
    /// `RATE_LIMIT_STORE`, or the default: Redis with `REDIS_URL`, else PostgreSQL when the
    /// database is, else memory.
    fn parse(
        value: Option<String>,
        database_url: &str,
        has_redis: bool,
    ) -> Result<Self, ConfigError> {
        let on_postgres = database_url.starts_with("postgres");
        let store = match value.as_deref().map(str::to_ascii_lowercase).as_deref() {
            None if has_redis => Self::Redis,
            None if on_postgres => Self::Postgres,
            None | Some("memory") => Self::Memory,
            Some("postgres" | "postgresql") => Self::Postgres,
            Some("redis") => Self::Redis,
            Some(_) => {
                return Err(ConfigError::new(
                    "RATE_LIMIT_STORE",
                    "must be memory, postgres or redis",
                ))
            }
        };
        match store {
            Self::Postgres if !on_postgres => Err(ConfigError::new(
                "RATE_LIMIT_STORE",
                "postgres needs a PostgreSQL DATABASE_URL",
            )),
            Self::Redis if !has_redis => Err(ConfigError::new(
                "RATE_LIMIT_STORE",
                "redis needs REDIS_URL",
            )),
            store => Ok(store),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Memory => "memory",
            Self::Postgres => "postgres",
            Self::Redis => "redis",
        }
    }
}

/// `OAUTH_CODE_TTL`: 60 s by default; at most 10 minutes (RFC 6749 §4.1.2: codes are short-lived).
fn oauth_code_ttl(value: Option<String>) -> Result<Duration, ConfigError> {
    const LONGEST: Duration = Duration::from_secs(600);
    let ttl = parse_duration("OAUTH_CODE_TTL", value, Duration::from_secs(60))?;
    if ttl > LONGEST || ttl.is_zero() {
        return Err(ConfigError::new(
            "OAUTH_CODE_TTL",
            "must be between 1s and 10m (authorization codes are short-lived)",
        ));
    }
    Ok(ttl)
}

/// `OAUTH_REFRESH_TTL`: 30 days by default; each use starts it again (the token rotates).
fn oauth_refresh_ttl(value: Option<String>) -> Result<Duration, ConfigError> {
    let ttl = parse_duration("OAUTH_REFRESH_TTL", value, Duration::from_secs(30 * 86_400))?;
    if ttl < Duration::from_secs(60) {
        return Err(ConfigError::new(
            "OAUTH_REFRESH_TTL",
            "must be at least 1m (a refresh token outlives the access token it renews)",
        ));
    }
    Ok(ttl)
}
