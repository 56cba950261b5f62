//! The `badge` binary: reads its command line, then `server::launch` does the rest.

#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() -> std::process::ExitCode {
    use clap::Parser;

    badge::server::launch::run(badge::server::cli::Cli::parse()).await
}

#[cfg(not(feature = "ssr"))]
fn main() {
    // The browser build has no binary; see `hydrate()` in lib.rs.
}
