//! Where housekeeping (pruning expired rows) runs its statements, so that it gives way to
//! requests. SQLite runs every statement inside this process, on the connection's worker
//! thread, which competes with request handling for the CPU: housekeeping gets a connection of
//! its own, opened from a thread at the lowest priority, which its worker thread inherits.
//! PostgreSQL runs statements in its own processes: there housekeeping uses the pool.

use sqlx::{
    any::{AnyArguments, AnyConnectOptions, AnyQueryResult},
    query::Query,
    Any, AnyConnection, ConnectOptions, Executor,
};
use tokio::sync::oneshot;
use url::Url;

use super::{Db, SQLITE_PRAGMAS};
use crate::server::priority;

pub enum HousekeepingDb {
    /// SQLite on a file: a connection whose worker thread runs at nice 19. Closed when dropped.
    Niced(AnyConnection),
    /// PostgreSQL, or SQLite in memory (another connection would open another database).
    Pool(Db),
}

impl HousekeepingDb {
    pub async fn open(db: &Db) -> sqlx::Result<Self> {
        let options = db.connect_options();
        if !runs_in_this_process(&options.database_url) {
            return Ok(Self::Pool(db.clone()));
        }
        let (opened, connection) = oneshot::channel();
        std::thread::Builder::new()
            .name("housekeeping".into())
            .spawn(move || {
                priority::lower_this_thread();
                let connection = tokio::runtime::Builder::new_current_thread()
                    .build()
                    .map_err(sqlx::Error::Io)
                    .and_then(|runtime| runtime.block_on(connect(&options)));
                // If the caller has gone, the connection is dropped here, which closes it.
                let _ = opened.send(connection);
            })
            .map_err(sqlx::Error::Io)?;
        let connection = connection.await.map_err(|_| sqlx::Error::WorkerCrashed)??;
        Ok(Self::Niced(connection))
    }

    pub async fn execute<'q>(
        &mut self,
        query: Query<'q, Any, AnyArguments<'q>>,
    ) -> sqlx::Result<AnyQueryResult> {
        match self {
            Self::Niced(connection) => query.execute(connection).await,
            Self::Pool(db) => query.execute(&*db).await,
        }
    }
}

/// The SQLite connection runs nothing on the async runtime that opened it (its statements run
/// on the worker thread it starts), so it outlives this short-lived runtime.
async fn connect(options: &AnyConnectOptions) -> sqlx::Result<AnyConnection> {
    let mut connection = options.connect().await?;
    connection.execute(SQLITE_PRAGMAS).await?;
    Ok(connection)
}

/// SQLite on a file, where a second connection opens the same database.
fn runs_in_this_process(url: &Url) -> bool {
    let in_memory = url.path().ends_with(":memory:")
        || url
            .query_pairs()
            .any(|(key, value)| key == "mode" && value == "memory");
    url.scheme() == "sqlite" && !in_memory
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_sqlite_on_a_file_gets_a_connection_of_its_own() {
        for (url, own) in [
            ("sqlite:///var/lib/badge/badge.db", true),
            ("sqlite://data/badge.db?mode=rwc", true),
            ("sqlite::memory:", false),
            ("sqlite://data/badge.db?mode=memory", false),
            ("postgres://badge@localhost/badge", false),
        ] {
            assert_eq!(
                runs_in_this_process(&Url::parse(url).unwrap()),
                own,
                "{url}"
            );
        }
    }

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn on_sqlite_housekeeping_runs_on_a_worker_thread_at_the_lowest_priority() {
        let folder = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/badge.db", folder.path().display());
        let db = super::super::connect(&url, None).await.unwrap();
        let before = niced_sqlite_workers();

        let mut housekeeping = HousekeepingDb::open(&db).await.unwrap();
        let deleted = housekeeping
            .execute(sqlx::query("DELETE FROM sessions"))
            .await
            .unwrap();

        assert_eq!(deleted.rows_affected(), 0);
        assert!(matches!(housekeeping, HousekeepingDb::Niced(_)));
        // Other tests of this process open SQLite connections too, so the threads are read a
        // few times before concluding (one read in twelve runs of the suite missed it).
        let mut new = Vec::new();
        for _ in 0..50 {
            new = niced_sqlite_workers()
                .difference(&before)
                .cloned()
                .collect();
            if !new.is_empty() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        assert!(
            !new.is_empty(),
            "no new SQLite worker thread at nice 19; workers now: {:?}",
            sqlite_workers_and_nice()
        );
    }

    /// Every SQLite worker thread of this process with its nice value (for a failure message).
    #[cfg(target_os = "linux")]
    fn sqlite_workers_and_nice() -> Vec<(String, String)> {
        std::fs::read_dir("/proc/self/task")
            .unwrap()
            .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
            .map(|tid| {
                let stat = std::fs::read_to_string(format!("/proc/self/task/{tid}/stat"))
                    .unwrap_or_default();
                (tid, stat)
            })
            .filter(|(_, stat)| stat.contains("(sqlx-sqlite"))
            .map(|(tid, stat)| {
                let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
                let nice = after_name.split_whitespace().nth(16).unwrap_or("?");
                (tid, nice.to_owned())
            })
            .collect()
    }

    /// Thread ids of this process's SQLite worker threads running at nice 19 (`/proc`'s
    /// `stat`: the nice value is the 17th field after the parenthesised name).
    #[cfg(target_os = "linux")]
    fn niced_sqlite_workers() -> std::collections::BTreeSet<String> {
        let read = |tid: &str, file: &str| {
            std::fs::read_to_string(format!("/proc/self/task/{tid}/{file}")).unwrap_or_default()
        };
        std::fs::read_dir("/proc/self/task")
            .unwrap()
            .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
            .filter(|tid| read(tid, "comm").starts_with("sqlx-sqlite"))
            .filter(|tid| {
                let stat = read(tid, "stat");
                let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
                after_name.split_whitespace().nth(16) == Some("19")
            })
            .collect()
    }
}
