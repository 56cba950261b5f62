//! The `badge` server; everything it does is in `server::launch`.

#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() -> std::process::ExitCode {
    badge::server::launch::serve_from_env().await
}

#[cfg(not(feature = "ssr"))]
fn main() {
    // The browser build has no binary; see `hydrate()` in lib.rs.
}
