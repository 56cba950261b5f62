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

/// Connects, prepares the engine, and runs the migrations in `migrations/`.
pub async fn connect(database_url: &str) -> anyhow::Result<Db> {
    install_default_drivers();
    let is_sqlite = database_url.starts_with("sqlite:");
    let url = if is_sqlite {
        prepare_sqlite_file(database_url)?
    } else {
        database_url.to_owned()
    };

    let pool = AnyPoolOptions::new()
        .max_connections(if is_sqlite { 8 } else { 16 })
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .after_connect(move |conn, _meta| {
            Box::pin(async move {
                if is_sqlite {
                    // WAL lets readers run beside the writer; the busy timeout makes concurrent
                    // writers queue instead of failing with SQLITE_BUSY.
                    conn.execute("PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;")
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
