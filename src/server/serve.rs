//! Serving connections: HTTP/1.1 through hyper with a header-read timeout (which also closes
//! idle keep-alive connections), a cap on open connections so the process never runs out of
//! file descriptors, and a drain on shutdown that answers instead of dropping:
//!
//! 1. stop accepting;
//! 2. answer every request that still arrives on an open connection, with `Connection: close`
//!    (the `Draining` flag, read by `http::edge`), for a short grace period;
//! 3. close the connections that stayed idle, let the busy ones finish their request;
//! 4. give up on whatever is left when `SHUTDOWN_TIMEOUT` has passed since the signal.

use std::{
    future::Future,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::Duration,
};

use axum::{body::Body, extract::ConnectInfo, http::Request, Router};
use hyper::{body::Incoming, server::conn::http1};
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    service::TowerToHyperService,
};
use tokio::{
    net::TcpListener,
    sync::{watch, Semaphore},
    time::Instant,
};
use tower::ServiceExt;

/// Request headers must arrive within this long (slowloris); an idle keep-alive connection is
/// closed after it too.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// How long the drain answers new requests on open connections before closing idle ones.
const DRAIN_GRACE: Duration = Duration::from_secs(1);
/// Descriptors kept free for the database pool, the site's files and logs.
const RESERVED_DESCRIPTORS: u64 = 128;

/// Set once shutdown begins: responses then carry `Connection: close`.
#[derive(Clone, Default)]
pub struct Draining(Arc<AtomicBool>);

impl Draining {
    pub fn is_set(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    fn set(&self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

pub struct ServeSettings {
    pub max_connections: usize,
    pub shutdown_timeout: Duration,
}

/// Raises the soft limit on open files to the hard limit; returns the limit now in force.
pub fn raise_open_files_limit() -> u64 {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit only read and write the struct passed to them.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return 1024;
        }
        if limit.rlim_cur < limit.rlim_max {
            let raised = libc::rlimit {
                rlim_cur: limit.rlim_max,
                rlim_max: limit.rlim_max,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                limit = raised;
            }
        }
    }
    limit.rlim_cur
}

/// The default connection cap for an open-files limit.
pub fn default_max_connections(open_files_limit: u64) -> usize {
    let free = open_files_limit
        .saturating_sub(RESERVED_DESCRIPTORS)
        .max(32);
    usize::try_from(free.min(100_000)).unwrap_or(100_000)
}

/// Serves `router` on `listener` until `stop`, then drains (see the module comment).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    settings: ServeSettings,
    draining: Draining,
    stop: impl Future<Output = ()>,
) {
    let slots = Arc::new(Semaphore::new(settings.max_connections));
    let (close_idle, close_idle_rx) = watch::channel(false);
    tokio::pin!(stop);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of descriptors (EMFILE) or a connection reset before accept: back off a
                    // little instead of spinning.
                    tracing::warn!(%error, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            // Over the cap: close at once rather than queue (the kernel backlog would hold it).
            tracing::warn!(%peer, "connection refused: MAX_CONNECTIONS are open");
            drop(stream);
            continue;
        };
        // Each request carries its peer, as `ConnectInfo` (the client IP for rate limits).
        let router = router.clone();
        let service = tower::service_fn(move |mut request: Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            router.clone().oneshot(request.map(Body::new))
        });
        let connection = http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(HEADER_READ_TIMEOUT)
            .keep_alive(true)
            .serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let mut close_idle = close_idle_rx.clone();
        tokio::spawn(async move {
            tokio::pin!(connection);
            tokio::select! {
                _ = connection.as_mut() => {}
                // The value only ever changes from false to true.
                _ = close_idle.changed() => {
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
            drop(slot);
        });
    }

    let deadline = Instant::now() + settings.shutdown_timeout;
    drop(listener);
    draining.set();
    let all_closed =
        slots.acquire_many(u32::try_from(settings.max_connections).unwrap_or(u32::MAX));
    tokio::pin!(all_closed);
    let grace_end = (Instant::now() + DRAIN_GRACE).min(deadline);
    if tokio::time::timeout_at(grace_end, all_closed.as_mut())
        .await
        .is_err()
    {
        let _ = close_idle.send(true);
        if tokio::time::timeout_at(deadline, all_closed).await.is_err() {
            tracing::warn!(
                open = settings.max_connections - slots.available_permits(),
                "SHUTDOWN_TIMEOUT passed: closing the connections still open"
            );
            return;
        }
    }
    tracing::info!("every connection closed");
}
