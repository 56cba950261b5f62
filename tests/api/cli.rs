//! The command line against a live deployment's database: `badge keys list|rotate|revoke`, and
//! the help and version every command line owes its operator. The other operator commands
//! (`migrate`, `users`, `sessions`, `config`) are in `cli/admin.rs`.

use std::process::Command;

use crate::helpers::{spawn_app_with, TEST_SECRET};

mod admin;

/// Runs `badge ARGS` with the deployment's settings; returns (success, stdout, stderr).
pub(crate) fn badge(db_url: &str, args: &[&str]) -> (bool, String, String) {
    badge_with(db_url, &[], args)
}

/// `badge ARGS` with the deployment's settings and `vars` on top.
fn badge_with(db_url: &str, vars: &[(&str, &str)], args: &[&str]) -> (bool, String, String) {
    let cwd = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_badge"))
        .current_dir(cwd.path())
        .env_clear()
        .env("DATABASE_URL", db_url)
        .env("AUTH_SECRET", TEST_SECRET)
        .env("JWT_ALGORITHM", "EdDSA")
        .env("RUST_LOG", "warn")
        .envs(vars.iter().copied())
        .args(args)
        .output()
        .expect("the binary runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).trim().to_owned(),
    )
}

/// (kid, state) of each EdDSA key on `badge keys list` (the RS256 keys are listed too).
fn listed(db_url: &str) -> Vec<(String, String)> {
    let (ok, stdout, stderr) = badge(db_url, &["keys", "list"]);
    assert!(ok, "{stderr}");
    stdout
        .lines()
        .skip(1)
        .filter_map(|line| {
            let mut columns = line.split_whitespace();
            let kid = columns.next().unwrap_or_default().to_owned();
            let state = columns.next().unwrap_or_default().to_owned();
            (columns.next() == Some("EdDSA")).then_some((kid, state))
        })
        .collect()
}

#[tokio::test]
async fn keys_list_rotate_and_revoke_act_on_the_live_key_set() {
    let app = spawn_app_with(|vars| {
        vars.insert("JWT_ALGORITHM", "EdDSA".into());
    })
    .await;

    let before = listed(&app.db_url);
    assert_eq!(before.len(), 1);
    assert_eq!(before[0].1, "active");

    let (ok, stdout, stderr) = badge(&app.db_url, &["keys", "rotate"]);
    assert!(ok, "{stderr}");
    let rotated = listed(&app.db_url);
    assert_eq!(rotated.len(), 2);
    assert_eq!(rotated[0], (before[0].0.clone(), "retired".into()));
    assert_eq!(rotated[1].1, "active");
    assert!(stdout.contains(&rotated[1].0), "{stdout}");

    let (ok, _, stderr) = badge(&app.db_url, &["keys", "revoke", &rotated[1].0]);
    assert!(ok, "{stderr}");
    let revoked = listed(&app.db_url);
    assert!(revoked.iter().all(|(kid, _)| *kid != rotated[1].0));
    assert_eq!(
        revoked
            .iter()
            .filter(|(_, state)| state == "active")
            .count(),
        1,
        "a new key took over: {revoked:?}"
    );
}

#[tokio::test]
async fn revoking_an_unknown_key_is_one_line_naming_it() {
    let app = spawn_app_with(|vars| {
        vars.insert("JWT_ALGORITHM", "EdDSA".into());
    })
    .await;

    // Kids are base64url, so one may start with `-`: it is the kid, not an option.
    for kid in ["no-such-kid", "-jq2"] {
        let (ok, _, stderr) = badge(&app.db_url, &["keys", "revoke", kid]);

        assert!(!ok, "{kid}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains(kid), "{stderr}");
    }
}

#[test]
fn help_lists_every_command() {
    let (ok, help, _) = badge("sqlite::memory:", &["--help"]);
    assert!(ok);
    for command in ["serve", "keys", "migrate", "users", "sessions", "config"] {
        assert!(help.contains(command), "{command} in {help}");
    }

    let (ok, help, _) = badge("sqlite::memory:", &["users", "--help"]);
    assert!(ok);
    assert!(help.contains("list") && help.contains("delete"), "{help}");

    let (ok, help, _) = badge("sqlite::memory:", &["sessions", "--help"]);
    assert!(ok);
    assert!(help.contains("revoke"), "{help}");
}

#[test]
fn version_names_the_release() {
    let (ok, version, _) = badge("sqlite::memory:", &["--version"]);
    assert!(ok);
    assert!(version.contains(env!("CARGO_PKG_VERSION")), "{version}");
}
