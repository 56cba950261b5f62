//! Start-up of the real binary: a bad value stops it with one line naming the variable.

use std::process::Command;

fn start_with(vars: &[(&str, &str)]) -> (bool, String) {
    // A scratch working directory, so no `.env` or `data/` of the developer's is read.
    let cwd = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_badge"))
        .current_dir(cwd.path())
        .env_clear()
        .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
        .envs(vars.iter().copied())
        .output()
        .expect("binary runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).trim().to_owned(),
    )
}

#[test]
fn a_short_auth_secret_stops_start_up_naming_auth_secret() {
    let (ok, stderr) = start_with(&[("AUTH_SECRET", "short")]);

    assert!(!ok);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("AUTH_SECRET"), "{stderr}");
}

#[test]
fn a_nonsense_database_url_stops_start_up_naming_database_url() {
    let (ok, stderr) = start_with(&[
        ("AUTH_SECRET", &"s".repeat(32)),
        ("DATABASE_URL", "nonsense"),
    ]);

    assert!(!ok);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("DATABASE_URL"), "{stderr}");
}

#[test]
fn an_unreachable_postgres_stops_start_up_naming_the_host_but_not_the_password() {
    let (ok, stderr) = start_with(&[
        ("AUTH_SECRET", &"s".repeat(32)),
        ("DATABASE_URL", "postgres://app:hunter2@127.0.0.1:1/badge"),
    ]);

    assert!(!ok);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("DATABASE_URL") && stderr.contains("127.0.0.1:1"),
        "{stderr}"
    );
    assert!(!stderr.contains("hunter2"), "{stderr}");
}
