//! Unit tests of the configuration: defaults, parsing, and one-line errors.

use super::*;
use std::collections::HashMap;

fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let mut map: HashMap<String, String> = [("AUTH_SECRET", "x".repeat(32))]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
    map.extend(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    Config::from_lookup(|k| map.get(k).cloned())
}

#[test]
fn defaults_match_the_design() {
    let c = config(&[]).unwrap();
    assert_eq!(c.database_url, "sqlite://data/badge.db");
    assert_eq!(c.jwt_ttl, Duration::from_secs(900));
    assert_eq!(c.session_ttl, Duration::from_secs(7 * 86_400));
    assert_eq!(c.site_origin(), "http://127.0.0.1:3000");
    assert_eq!(c.issuer(), "http://127.0.0.1:3000");
    assert!(!c.trust_proxy && !c.is_https() && c.jwt_audience.is_none());
    assert!(c.rate_limit);
    assert_eq!(c.jwt_algorithm, JwtAlgorithm::Hs256);
    assert_eq!(c.jwt_key_rotation, Some(Duration::from_secs(30 * 86_400)));
}

#[test]
fn eddsa_and_rotation_off_are_read() {
    let c = config(&[("JWT_ALGORITHM", "eddsa"), ("JWT_KEY_ROTATION", "off")]).unwrap();
    assert_eq!(c.jwt_algorithm, JwtAlgorithm::EdDsa);
    assert_eq!(c.jwt_key_rotation, None);
}

#[test]
fn humane_durations_are_parsed() {
    let c = config(&[("JWT_TTL", "90s"), ("SESSION_TTL", "2days")]).unwrap();
    assert_eq!(c.jwt_ttl, Duration::from_secs(90));
    assert_eq!(c.session_ttl, Duration::from_secs(2 * 86_400));
}

#[test]
fn each_bad_value_names_its_variable() {
    for (var, value) in [
        ("DATABASE_URL", "nonsense"),
        ("AUTH_SECRET", "short"),
        ("BETTER_AUTH_SECRET", "short"),
        ("SITE_URL", "not a url"),
        ("LEPTOS_SITE_ADDR", "localhost"),
        ("JWT_TTL", "soon"),
        ("SESSION_TTL", "0s"),
        ("TRUSTED_ORIGINS", "ftp://x"),
        ("TRUST_PROXY", "maybe"),
        ("AUTH_RATE_LIMIT", "sometimes"),
        ("AUTH_SECRET_PREVIOUS", "short"),
        ("VAULT_URL", "vault.example.com"),
        ("JWT_ALGORITHM", "RS256"),
        ("JWT_KEY_ROTATION", "sometimes"),
        ("DATABASE_MAX_CONNECTIONS", "0"),
        ("SESSION_MAX_AGE", "1h"),
        ("REDIS_URL", "localhost:6379"),
        ("RATE_LIMIT_STORE", "everywhere"),
        ("RATE_LIMIT_STORE", "postgres"),
        ("RATE_LIMIT_STORE", "redis"),
    ] {
        let mut vars = vec![(var, value)];
        if var == "BETTER_AUTH_SECRET" {
            vars.push(("AUTH_SECRET", ""));
        }
        let err = config(&vars).expect_err(var);
        assert_eq!(err.var, var);
        assert!(err.to_string().contains(var), "{err}");
        assert!(!err.to_string().contains('\n'));
    }
}

#[test]
fn previous_secrets_are_a_comma_separated_list() {
    let (a, b) = ("a".repeat(32), "b".repeat(40));
    let c = config(&[("AUTH_SECRET_PREVIOUS", &format!("{a}, {b},"))]).unwrap();
    let previous: Vec<&[u8]> = c.auth_secret_previous.iter().map(|s| s.expose()).collect();
    assert_eq!(previous, [a.as_bytes(), b.as_bytes()]);
}

#[test]
fn trusted_origins_are_normalised() {
    let c = config(&[(
        "TRUSTED_ORIGINS",
        "https://app.example.com/, http://localhost:5173",
    )])
    .unwrap();
    assert_eq!(
        c.trusted_origins,
        ["https://app.example.com", "http://localhost:5173"]
    );
}

#[test]
fn https_site_url_sets_issuer_and_secure_mode() {
    let c = config(&[("SITE_URL", "https://badge.example.com/")]).unwrap();
    assert!(c.is_https());
    assert_eq!(c.issuer(), "https://badge.example.com");
    let c = config(&[
        ("SITE_URL", "https://badge.example.com"),
        ("JWT_ISSUER", "badge"),
    ])
    .unwrap();
    assert_eq!(c.issuer(), "badge");
}

#[test]
fn mail_defaults_match_the_design() {
    let c = config(&[]).unwrap();
    assert!(c.mail.smtp_url().is_none());
    assert_eq!(c.mail.reset_ttl, Duration::from_secs(30 * 60));
    assert!(!c.mail.require_verification);
    assert_eq!(
        c.mail.sender("badge.example.com").to_string(),
        "Badge <no-reply@badge.example.com>"
    );
}

#[test]
fn mail_settings_are_read() {
    let c = config(&[
        (
            "SMTP_URL",
            "smtp://user:secret@mail.example.com:587?tls=required",
        ),
        ("MAIL_FROM", "Team <team@example.com>"),
        ("RESET_TTL", "1h"),
        ("REQUIRE_EMAIL_VERIFICATION", "true"),
    ])
    .unwrap();
    assert_eq!(
        c.mail.smtp_url(),
        Some("smtp://user:secret@mail.example.com:587?tls=required")
    );
    assert_eq!(c.mail.sender("x").to_string(), "Team <team@example.com>");
    assert_eq!(c.mail.reset_ttl, Duration::from_secs(3600));
    assert!(c.mail.require_verification);
    assert!(
        !format!("{c:?}").contains("user:secret@"),
        "the SMTP password is never printed"
    );
}

#[test]
fn bad_mail_settings_name_their_variable() {
    for (var, value) in [
        ("SMTP_URL", "mail.example.com:25"),
        ("SMTP_URL", "http://mail.example.com"),
        ("MAIL_FROM", "not an address"),
        ("RESET_TTL", "soon"),
        ("REQUIRE_EMAIL_VERIFICATION", "maybe"),
    ] {
        let error = config(&[(var, value)]).unwrap_err();
        assert!(error.to_string().contains(var), "{var}={value}: {error}");
    }
}

#[test]
fn the_auth_secret_is_used_byte_for_byte() {
    let padded = format!(" {} ", "s".repeat(32));
    let c = config(&[("AUTH_SECRET", padded.as_str())]).unwrap();
    assert_eq!(c.auth_secret.expose(), padded.as_bytes());
}

#[test]
fn the_limit_store_follows_redis_then_the_database_unless_chosen() {
    let store = |vars: &[(&str, &str)]| config(vars).unwrap().limit_store;
    let postgres = ("DATABASE_URL", "postgres://db.example/badge");
    let redis = ("REDIS_URL", "redis://127.0.0.1:6379");

    assert_eq!(store(&[]), LimitStore::Memory);
    assert_eq!(store(&[postgres]), LimitStore::Postgres);
    assert_eq!(store(&[postgres, redis]), LimitStore::Redis);
    assert_eq!(store(&[redis]), LimitStore::Redis);
    assert_eq!(
        store(&[postgres, ("RATE_LIMIT_STORE", "memory")]),
        LimitStore::Memory
    );
}

#[test]
fn a_session_lives_at_most_30_days_unless_its_idle_lifetime_is_longer() {
    assert_eq!(
        config(&[]).unwrap().session_max_age,
        Duration::from_secs(30 * 86_400)
    );
    let long = config(&[("SESSION_TTL", "60d")]).unwrap();
    assert_eq!(long.session_max_age, Duration::from_secs(60 * 86_400));
}

#[test]
fn refresh_tokens_live_thirty_days_unless_told_and_never_under_a_minute() {
    let default = config(&[]).unwrap();
    assert_eq!(default.oauth_refresh_ttl, Duration::from_secs(30 * 86_400));
    let short = config(&[("OAUTH_REFRESH_TTL", "12h")]).unwrap();
    assert_eq!(short.oauth_refresh_ttl, Duration::from_secs(12 * 3600));
    let error = config(&[("OAUTH_REFRESH_TTL", "30s")]).unwrap_err();
    assert_eq!(error.var, "OAUTH_REFRESH_TTL");
}

proptest::proptest! {
    #[test]
    fn any_value_of_any_variable_is_read_or_refused_in_one_line_naming_it(
        index in 0usize..22,
        value in "\\PC{0,40}",
    ) {
        const NAMES: [&str; 22] = [
            "DATABASE_URL", "SITE_URL", "LEPTOS_SITE_ADDR", "JWT_TTL", "SESSION_TTL",
            "SESSION_MAX_AGE", "JWT_ALGORITHM", "JWT_KEY_ROTATION", "TRUSTED_ORIGINS", "VAULT_URL",
            "TRUST_PROXY", "AUTH_RATE_LIMIT", "REDIS_URL", "RATE_LIMIT_STORE", "SMTP_URL",
            "MAIL_FROM", "RESET_TTL", "REQUEST_TIMEOUT", "DATABASE_MAX_CONNECTIONS",
            "AUTH_SECRET_PREVIOUS", "OAUTH_CODE_TTL", "OAUTH_REFRESH_TTL",
        ];
        if let Err(error) = config(&[(NAMES[index], &value)]) {
            proptest::prop_assert!(!error.to_string().contains('\n'), "{}", error);
            proptest::prop_assert!(error.to_string().contains(error.var), "{}", error);
        }
    }
}
