//! Database connection: one `sqlx::AnyPool` whose engine (SQLite or PostgreSQL) is picked at run
//! time from `DATABASE_URL`, with the embedded migrations applied at start-up.

use std::{path::Path, time::Duration};

use anyhow::Context;
use sqlx::{
    any::{install_default_drivers, AnyPoolOptions},
    AnyPool, Executor,
};

pub type Db = AnyPool;

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
                    // WAL lets readers run beside the writer; the busy timeout makes concurrent
                    // writers queue instead of failing with SQLITE_BUSY.
                    // A 1 MiB page cache per connection (SQLite's default is 2 MiB) keeps the
                    // footprint small; the working set here is tiny.
                    conn.execute("PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -1024;")
                        .await?;
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

/// Creates the SQLite file's folder and asks SQLite to create the file itself.
fn prepare_sqlite_file(database_url: &str) -> anyhow::Result<String> {
    let rest = database_url
        .trim_start_matches("sqlite:")
        .trim_start_matches("//");
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path != ":memory:" && !path.is_empty() {
        if let Some(dir) = Path::new(path)
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
        {
            std::fs::create_dir_all(dir).with_context(|| {
                format!("DATABASE_URL: cannot create the folder {}", dir.display())
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

/// The URL without its password, for error messages.
pub fn redacted(database_url: &str) -> String {
    match url::Url::parse(database_url) {
        Ok(mut url) if url.password().is_some() => {
            let _ = url.set_password(Some("***"));
            url.to_string()
        }
        Ok(url) => url.to_string(),
        Err(_) => "(unparseable URL)".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
