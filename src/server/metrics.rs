//! Metrics in Prometheus' text format on `METRICS_ADDR`, a listener of its own (never on the
//! public port): requests by route template and status with a latency histogram, sign-in and
//! sign-up outcomes, rate-limit refusals, the password-hash queue, badges minted and refused by
//! reason, the database pool, and the outbox backlog. Without `METRICS_ADDR` nothing is
//! recorded (no recorder, and `record_request` returns at once).

use std::{
    net::SocketAddr,
    sync::{
        atomic::{AtomicBool, Ordering},
        OnceLock,
    },
    time::Duration,
};

use anyhow::Context;
use axum::{extract::State, routing::get, Router};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tokio::net::TcpListener;

use crate::server::{mail::outbox, state::AppState};

static ENABLED: AtomicBool = AtomicBool::new(false);
/// One recorder per process (tests start many apps in one process).
static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

const LATENCY_BUCKETS: [f64; 12] = [
    0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

/// Counts a finished request (called by the access log).
pub fn record_request(route: &str, status: u16, latency: Duration) {
    if !ENABLED.load(Ordering::Relaxed) {
        return;
    }
    metrics::counter!("badge_http_requests_total", "route" => route.to_owned(), "status" => status.to_string())
        .increment(1);
    metrics::histogram!("badge_http_request_duration_seconds", "route" => route.to_owned())
        .record(latency.as_secs_f64());
}

/// Starts recording and serves `/metrics` on `addr`.
pub async fn serve(addr: SocketAddr, state: AppState) -> anyhow::Result<()> {
    let handle = match HANDLE.get() {
        Some(handle) => handle.clone(),
        None => {
            let handle = PrometheusBuilder::new()
                .set_buckets(&LATENCY_BUCKETS)
                .context("metrics buckets")?
                .install_recorder()
                .context("installing the metrics recorder")?;
            let _ = HANDLE.set(handle.clone());
            let upkeep = handle.clone();
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(Duration::from_secs(5)).await;
                    upkeep.run_upkeep();
                }
            });
            handle
        }
    };
    ENABLED.store(true, Ordering::Relaxed);
    let listener = TcpListener::bind(addr)
        .await
        .with_context(|| format!("METRICS_ADDR: cannot listen on {addr}"))?;
    tracing::info!(address = %listener.local_addr()?, "metrics at /metrics");
    let app = Router::new()
        .route("/metrics", get(scrape))
        .with_state((handle, state));
    tokio::spawn(async move {
        if let Err(error) = axum::serve(listener, app).await {
            tracing::error!(%error, "the metrics listener stopped");
        }
    });
    Ok(())
}

/// The counters and histograms as `/metrics` shows them, once an app in this process records
/// them (`None` before); tests read them here instead of through a listener's port.
pub fn render() -> Option<String> {
    HANDLE.get().map(PrometheusHandle::render)
}

/// The gauges are read at scrape time, then everything is rendered.
async fn scrape(State((handle, state)): State<(PrometheusHandle, AppState)>) -> String {
    metrics::gauge!("badge_db_pool_connections").set(f64::from(state.db.size()));
    metrics::gauge!("badge_db_pool_idle").set(state.db.num_idle() as f64);
    metrics::gauge!("badge_password_hash_queue").set(state.accounts.hash_queue_length() as f64);
    match outbox::backlog(&state.db).await {
        Ok(backlog) => metrics::gauge!("badge_outbox_backlog").set(backlog as f64),
        Err(error) => tracing::warn!(%error, "metrics: reading the outbox backlog failed"),
    }
    handle.render()
}
