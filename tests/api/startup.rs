//! Start-up of the real binary: a bad value stops it with one line naming the variable, and
//! what would silently misbehave is warned about.

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

#[test]
fn an_invalid_rust_log_stops_start_up_naming_rust_log() {
    let (ok, stderr) = start_with(&[("AUTH_SECRET", &"s".repeat(32)), ("RUST_LOG", "badge=loud")]);

    assert!(!ok);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("RUST_LOG"), "{stderr}");
}

#[test]
fn rust_log_in_dot_env_is_read_before_logging_starts() {
    let cwd = tempfile::tempdir().unwrap();
    std::fs::write(cwd.path().join(".env"), "RUST_LOG=badge=loud\n").unwrap();

    let output = Command::new(env!("CARGO_BIN_EXE_badge"))
        .current_dir(cwd.path())
        .env_clear()
        .env("AUTH_SECRET", "s".repeat(32))
        .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
        .output()
        .expect("binary runs");

    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(stderr.contains("RUST_LOG"), "{stderr}");
}

#[test]
fn start_up_names_the_bound_address_and_the_public_url() {
    let lines = log_until_listening(&[]);

    let listening = lines.iter().find(|l| l.contains("listening")).unwrap();
    assert!(listening.contains("address=127.0.0.1:"), "{listening}");
    // Without SITE_URL, the name where passkeys work too (the issuer stays 127.0.0.1).
    assert!(listening.contains("url=http://localhost:"), "{listening}");
}

#[test]
fn the_binary_signs_rs256_with_ring_chosen_before_any_key_is_touched() {
    let lines = log_until_listening(&[]);

    // `Application::build` warns when jsonwebtoken had already picked its own provider.
    assert!(
        !lines.iter().any(|l| l.contains("RustCrypto")),
        "{lines:#?}"
    );
}

#[test]
fn a_missing_built_site_is_warned_about_at_start_up() {
    let empty = tempfile::tempdir().unwrap();
    let root = empty.path().display().to_string();

    let lines = log_until_listening(&[("LEPTOS_SITE_ROOT", &root)]);

    assert!(
        lines
            .iter()
            .any(|l| l.contains("WARN") && l.contains("LEPTOS_SITE_ROOT") && l.contains(&root)),
        "{lines:#?}"
    );
}

#[test]
fn bound_to_all_interfaces_without_site_url_start_up_warns_to_set_it() {
    let lines = log_until_listening(&[("LEPTOS_SITE_ADDR", "0.0.0.0:0")]);

    assert!(
        lines
            .iter()
            .any(|l| l.contains("WARN") && l.contains("SITE_URL is not set")),
        "{lines:#?}"
    );
}

#[cfg(unix)]
fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    let metadata = std::fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    metadata.permissions().mode() & 0o777
}

#[cfg(unix)]
#[test]
fn under_umask_000_the_data_folder_the_database_and_its_wal_are_private() {
    use std::time::{Duration, Instant};
    // With AUTH_SECRET the database creates `data/`; without, the generated secret does.
    for secret in [Some("s".repeat(32)), None] {
        let cwd = tempfile::tempdir().unwrap();
        let vars: Vec<(&str, &str)> = secret.iter().map(|s| ("AUTH_SECRET", s.as_str())).collect();

        let lines = log_until_listening_in(cwd.path(), "umask 000;", &vars, |data| {
            // SQLite makes the WAL on the first write; give it a moment after "listening".
            let deadline = Instant::now() + Duration::from_secs(5);
            while !data.join("badge.db-wal").exists() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
        });

        let data = cwd.path().join("data");
        assert!(lines.iter().any(|l| l.contains("listening")), "{lines:#?}");
        let shown = |mode: u32| format!("{mode:o}");
        assert_eq!(shown(mode(&data)), "700", "data/ ({secret:?})");
        assert_eq!(shown(mode(&data.join("badge.db"))), "600", "badge.db");
        for extra in ["badge.db-wal", "badge.db-shm", "auth-secret"] {
            if data.join(extra).exists() {
                assert_eq!(shown(mode(&data.join(extra))), "600", "{extra}");
            }
        }
    }
}

#[cfg(unix)]
#[test]
fn a_stored_auth_secret_other_users_can_read_is_warned_about_naming_chmod_600() {
    use std::os::unix::fs::PermissionsExt;
    for (file_mode, warned) in [(0o644, true), (0o600, false)] {
        let cwd = tempfile::tempdir().unwrap();
        let secret = cwd.path().join("data/auth-secret");
        std::fs::create_dir(cwd.path().join("data")).unwrap();
        std::fs::write(&secret, "s".repeat(40)).unwrap();
        std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(file_mode)).unwrap();

        let lines = log_until_listening_in(cwd.path(), "", &[], |_| {});

        assert!(lines.iter().any(|l| l.contains("listening")), "{lines:#?}");
        let warning = lines.iter().find(|l| l.contains("chmod 600"));
        assert_eq!(warning.is_some(), warned, "{file_mode:o}: {lines:#?}");
        if let Some(warning) = warning {
            assert!(warning.contains("WARN"), "{warning}");
            assert!(warning.contains("data/auth-secret"), "{warning}");
        }
    }
}

/// Starts the real binary in a scratch folder and returns its log lines up to "listening".
fn log_until_listening(vars: &[(&str, &str)]) -> Vec<String> {
    let cwd = tempfile::tempdir().unwrap();
    let secret = "s".repeat(32);
    let mut all = vec![("AUTH_SECRET", secret.as_str())];
    all.extend_from_slice(vars);
    log_until_listening_in(cwd.path(), "", &all, |_| {})
}

/// Starts the real binary in `cwd` through `sh` (so `shell_prefix`, e.g. `umask 000;`, applies
/// to it) with only `vars` set, collects its log lines up to "listening", calls `while_running`
/// with the `data/` folder, and stops it.
fn log_until_listening_in(
    cwd: &std::path::Path,
    shell_prefix: &str,
    vars: &[(&str, &str)],
    while_running: impl FnOnce(&std::path::Path),
) -> Vec<String> {
    use std::{
        io::{BufRead, BufReader},
        process::Stdio,
        sync::mpsc,
        time::Duration,
    };

    let mut child = Command::new("/bin/sh")
        .arg("-c")
        .arg(format!("{shell_prefix} exec \"$0\""))
        .arg(env!("CARGO_BIN_EXE_badge"))
        .current_dir(cwd)
        .env_clear()
        .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
        .envs(vars.iter().copied())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary starts");
    let stderr = child.stderr.take().expect("stderr");
    let (sender, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    let mut seen = Vec::new();
    while let Ok(line) = lines.recv_timeout(Duration::from_secs(60)) {
        let done = line.contains("listening");
        seen.push(line);
        if done {
            break;
        }
    }
    while_running(&cwd.join("data"));
    let _ = child.kill();
    let _ = child.wait();
    seen
}
