//! The configuration from any variables: every value is read or refused with one line naming
//! its variable; nothing panics. `AUTH_SECRET` is always given, so nothing is written to disk.
#![no_main]

use std::collections::HashMap;

use badge::server::config::Config;
use libfuzzer_sys::fuzz_target;

/// The variables Badge reads, so the fuzzer spends its time on values.
const NAMES: &[&str] = &[
    "DATABASE_URL",
    "DATABASE_MAX_CONNECTIONS",
    "AUTH_SECRET_PREVIOUS",
    "SITE_URL",
    "LEPTOS_SITE_ADDR",
    "LEPTOS_SITE_ROOT",
    "JWT_TTL",
    "SESSION_TTL",
    "SESSION_MAX_AGE",
    "JWT_ISSUER",
    "JWT_AUDIENCE",
    "JWT_ALGORITHM",
    "JWT_KEY_ROTATION",
    "TRUSTED_ORIGINS",
    "VAULT_URL",
    "TRUST_PROXY",
    "AUTH_RATE_LIMIT",
    "REDIS_URL",
    "RATE_LIMIT_STORE",
    "SMTP_URL",
    "MAIL_FROM",
    "RESET_TTL",
    "REQUIRE_EMAIL_VERIFICATION",
    "METRICS_ADDR",
    "REQUEST_TIMEOUT",
    "SHUTDOWN_TIMEOUT",
    "MAX_CONNECTIONS",
    "LOG_FORMAT",
    "MAIL_OUTBOX_DIR",
];

fuzz_target!(|values: Vec<(u8, String)>| {
    let mut vars: HashMap<&str, String> = values
        .into_iter()
        .map(|(name, value)| (NAMES[usize::from(name) % NAMES.len()], value))
        .collect();
    vars.insert(
        "AUTH_SECRET",
        "a fuzzing secret that is long enough!".into(),
    );
    if let Err(error) = Config::from_lookup(|name| vars.get(name).cloned()) {
        assert!(!error.to_string().contains('\n'), "{error}");
    }
});
