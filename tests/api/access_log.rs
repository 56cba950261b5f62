//! The access log as `make run` writes it: through a buffered writer on a thread of its own, yet
//! complete. Every request's line is in the log once the server has shut down cleanly, and the
//! latency reads as milliseconds to the microsecond.

use std::time::Duration;

use crate::{helpers::TestDatabase, process::Process};

#[tokio::test]
async fn every_request_is_in_the_log_after_a_clean_shutdown() {
    let database = TestDatabase::create().await;
    let mut app = Process::start(database.url(), &[("RUST_LOG", "info")], "").await;
    let client = reqwest::Client::new();
    let ids: Vec<String> = (0..300).map(|n| format!("access-log-{n}")).collect();
    for id in &ids {
        let answer = client
            .get(format!("{}/api/hello-world", app.address))
            .header("x-request-id", id)
            .send()
            .await
            .expect("answered");
        assert_eq!(answer.status(), 401);
    }

    app.terminate();
    assert!(
        app.exited_within(Duration::from_secs(10)).await.is_some(),
        "{}",
        app.log()
    );

    let log = app.log();
    let lines: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("badge::access"))
        .collect();
    for id in &ids {
        let field = format!("request_id=\"{id}\"");
        assert!(
            lines.iter().any(|line| line.ends_with(&field)),
            "no access line for {id}: {:?}",
            lines.last()
        );
    }
    for line in &lines {
        let latency = line
            .split_whitespace()
            .find_map(|field| field.strip_prefix("latency_ms="))
            .expect("a latency");
        let decimals = latency.split('.').nth(1).map_or(0, str::len);
        assert!(decimals <= 3, "{line}");
    }
}
