//! Database connection: one `sqlx::AnyPool` whose engine (SQLite or PostgreSQL) is picked at run
//! time from `DATABASE_URL`, with the embedded migrations applied at start-up.

use std::{
    path::{Path, PathBuf},
    time::Duration,
};

use anyhow::Context;
use sqlx::{
    any::{install_default_drivers, AnyPoolOptions},
    AnyPool, Executor,
};

mod housekeeping;

pub use housekeeping::HousekeepingDb;

pub type Db = AnyPool;

/// Every SQLite connection's settings. WAL lets readers run beside the writer; the busy timeout
/// makes concurrent writers queue instead of failing with SQLITE_BUSY. A 1 MiB page cache per
/// connection (SQLite's default is 2 MiB) keeps the footprint small; the working set is tiny.
/// `secure_delete` overwrites deleted content (used links, erased mails) instead of leaving it
/// in free pages for anyone who copies the file.
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; \
    PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -1024; \
    PRAGMA secure_delete = ON;";

/// How long a request waits for a pooled connection before failing (and `/healthz` turning 503).
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

/// Connects, prepares the engine, and runs the migrations in `migrations/`. The pool reconnects
/// on its own after an outage; requests meanwhile fail with 503 after `ACQUIRE_TIMEOUT`.
pub async fn connect(database_url: &str, max_connections: Option<u32>) -> anyhow::Result<Db> {
    install_default_drivers();
    let is_sqlite = database_url.starts_with("sqlite:");
    let url = if is_sqlite {
        prepare_sqlite_file(database_url)?
    } else {
        database_url.to_owned()
    };

    let pool = AnyPoolOptions::new()
        // SQLite has one writer anyway; PostgreSQL's default limit (100) leaves room for
        // several instances of 10.
        .max_connections(max_connections.unwrap_or(if is_sqlite { 8 } else { 10 }))
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .after_connect(move |conn, _meta| {
            Box::pin(async move {
                if is_sqlite {
                    conn.execute(SQLITE_PRAGMAS).await?;
                }
                Ok(())
            })
        })
        .connect(&url)
        .await
        .with_context(|| format!("DATABASE_URL: cannot connect to {}", redacted(database_url)))?;

    sqlx::migrate!("./migrations")
        .run(&pool)
        .await
        .context("DATABASE_URL: running the migrations failed")?;
    Ok(pool)
}

/// The applied migrations (version, description), oldest first.
pub async fn applied_migrations(db: &Db) -> sqlx::Result<Vec<(i64, String)>> {
    sqlx::query_as(
        "SELECT version, description FROM _sqlx_migrations WHERE success ORDER BY version",
    )
    .fetch_all(db)
    .await
}

/// True when the database answers a trivial query.
pub async fn is_healthy(db: &Db) -> bool {
    matches!(
        tokio::time::timeout(Duration::from_secs(2), sqlx::query("SELECT 1").execute(db)).await,
        Ok(Ok(_))
    )
}

/// True for errors that mean "the database cannot be reached right now" (retryable).
pub fn is_connectivity_error(error: &sqlx::Error) -> bool {
    matches!(
        error,
        sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::WorkerCrashed
    ) || error
        .as_database_error()
        .and_then(|e| e.code())
        .is_some_and(|code| is_unavailable_code(&code))
}

/// PostgreSQL codes meaning "not reachable now": class 08 (connection exception), 53
/// (insufficient resources, e.g. too many connections), 57P (shutdown, terminated connection),
/// and 55000 as raised when the database does not accept connections.
fn is_unavailable_code(code: &str) -> bool {
    code.starts_with("08") || code.starts_with("53") || code.starts_with("57P") || code == "55000"
}

/// The database file a `sqlite:` URL names (`None` for other engines and in-memory databases).
pub fn sqlite_file(database_url: &str) -> Option<PathBuf> {
    let (path, query) = sqlite_path_and_query(database_url)?;
    if path == ":memory:" || path.is_empty() || query.contains("mode=memory") {
        return None;
    }
    percent_decoded(path).ok()
}

/// A `sqlite:` URL's file name (still percent-encoded) and query.
fn sqlite_path_and_query(database_url: &str) -> Option<(&str, &str)> {
    let rest = database_url
        .strip_prefix("sqlite:")?
        .trim_start_matches("//");
    Some(rest.split_once('?').unwrap_or((rest, "")))
}

/// Creates the SQLite file's folder (0700) and, unless the URL opens it read-only or in memory,
/// the empty database file (0600), so it never follows the umask: SQLite gives its `-wal` and
/// `-shm` files the database file's mode.
fn prepare_sqlite_file(database_url: &str) -> anyhow::Result<String> {
    let (path, query) = sqlite_path_and_query(database_url).unwrap_or_default();
    if path != ":memory:" && !path.is_empty() {
        // sqlx percent-decodes the file name (so it can hold `?` or `#`); so must we.
        let path = percent_decoded(path).context("DATABASE_URL: the file name is not UTF-8")?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            create_private_dir(dir).with_context(|| {
                format!("DATABASE_URL: cannot create the folder {}", dir.display())
            })?;
        }
        if !query.contains("mode=") || query.contains("mode=rwc") {
            create_private_file(&path).with_context(|| {
                format!(
                    "DATABASE_URL: cannot create the database {}",
                    path.display()
                )
            })?;
        }
    }
    Ok(if query.contains("mode=") {
        database_url.to_owned()
    } else if query.is_empty() {
        format!("{database_url}?mode=rwc")
    } else {
        format!("{database_url}&mode=rwc")
    })
}

/// `%XX` decoded as sqlx decodes a SQLite file name; anything else is kept as written.
fn percent_decoded(path: &str) -> Result<PathBuf, std::string::FromUtf8Error> {
    let hex = |digit: Option<&u8>| digit.and_then(|&d| char::from(d).to_digit(16));
    let (bytes, mut decoded) = (path.as_bytes(), Vec::with_capacity(path.len()));
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        match (byte, hex(bytes.get(i + 1)), hex(bytes.get(i + 2))) {
            (b'%', Some(high), Some(low)) => {
                // Two hex digits: at most 0xFF.
                decoded.push((high * 16 + low) as u8);
                i += 3;
            }
            _ => {
                decoded.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8(decoded).map(PathBuf::from)
}

/// Creates `dir` and any missing parents with mode 0700; folders that exist keep their mode.
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Creates an empty file with mode 0600 unless one is there (an existing file is left as is).
fn create_private_file(path: &Path) -> std::io::Result<()> {
    if path.exists() {
        return Ok(());
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        // Another instance starting at the same moment made it first.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        opened => opened.map(drop),
    }
}

/// The URL without its password, for error messages.
pub fn redacted(database_url: &str) -> String {
    let Ok(mut url) = url::Url::parse(database_url) else {
        return "(unparseable URL)".into();
    };
    if url.password().is_some() {
        let _ = url.set_password(Some("***"));
    }
    // PostgreSQL also takes `?password=…`.
    if url.query_pairs().any(|(key, _)| key == "password") {
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(key, value)| {
                let value = if key == "password" {
                    "***".into()
                } else {
                    value.into_owned()
                };
                (key.into_owned(), value)
            })
            .collect();
        url.query_pairs_mut().clear().extend_pairs(pairs);
    }
    url.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_in_the_query_never_appears_either() {
        let shown = redacted("postgres://app@db.internal/badge?password=hunter2&sslmode=require");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("sslmode=require"));
    }

    #[test]
    fn passwords_never_appear_in_messages() {
        let shown = redacted("postgres://app:hunter2@db.internal:5432/badge");
        assert!(!shown.contains("hunter2"));
        assert!(shown.contains("db.internal"));
    }

    #[test]
    fn sqlite_urls_get_create_mode() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/nested/x.db", dir.path().display());
        assert_eq!(
            prepare_sqlite_file(&url).unwrap(),
            format!("{url}?mode=rwc")
        );
        assert!(dir.path().join("nested").is_dir());
    }

    #[cfg(unix)]
    fn mode(path: &Path) -> u32 {
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(path).unwrap().permissions())
            & 0o777
    }

    #[cfg(unix)]
    #[test]
    fn a_new_database_file_and_its_folders_are_private_whatever_the_umask() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("data/nested");
        let url = format!("sqlite://{}/badge.db", folder.display());

        prepare_sqlite_file(&url).unwrap();

        assert_eq!(mode(&dir.path().join("data")), 0o700);
        assert_eq!(mode(&folder), 0o700);
        assert_eq!(mode(&folder.join("badge.db")), 0o600);
    }

    #[cfg(unix)]
    #[test]
    fn an_existing_folder_and_database_keep_their_modes_and_contents() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("badge.db");
        std::fs::write(&db, b"not empty").unwrap();
        std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o640)).unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o750)).unwrap();

        prepare_sqlite_file(&format!("sqlite://{}", db.display())).unwrap();

        assert_eq!((mode(dir.path()), mode(&db)), (0o750, 0o640));
        assert_eq!(std::fs::read(&db).unwrap(), b"not empty");
    }

    #[test]
    fn the_file_is_created_where_sqlx_will_look_for_it() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/a%20b%3F.db", dir.path().display());

        prepare_sqlite_file(&url).unwrap();

        assert!(dir.path().join("a b?.db").is_file());
        assert!(!dir.path().join("a%20b%3F.db").exists());
    }

    #[test]
    fn no_file_is_created_for_read_only_or_in_memory_urls() {
        let dir = tempfile::tempdir().unwrap();
        for (name, query) in [
            ("ro.db", "?mode=ro"),
            ("mem.db", "?mode=memory"),
            ("rw.db", "?mode=rw"),
        ] {
            prepare_sqlite_file(&format!("sqlite://{}/{name}{query}", dir.path().display()))
                .unwrap();
            assert!(!dir.path().join(name).exists(), "{name}");
        }
        assert!(prepare_sqlite_file("sqlite::memory:").is_ok());
    }
}
