//! A bearer token as `/api/hello-world` receives it: our `crit` scan, then jsonwebtoken's
//! verification with the pinned algorithm. Never a panic; a token not signed with the secret
//! is never accepted.
#![no_main]

use std::{sync::LazyLock, time::Duration};

use badge::server::badge::BadgeKeys;
use libfuzzer_sys::fuzz_target;

static KEYS: LazyLock<BadgeKeys> = LazyLock::new(|| {
    BadgeKeys::hs256(
        b"a fuzzing secret that is long enough!",
        "http://badge.test".into(),
        None,
        Duration::from_secs(900),
    )
});
static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime")
});

fuzz_target!(|token: &str| {
    let verified = RUNTIME.block_on(KEYS.verify(token));
    assert!(verified.is_err(), "a forged token was accepted: {token:?}");
});
