//! The `badge` server: configuration → telemetry → `Application::build` → run.

#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() -> std::process::ExitCode {
    use badge::server::{config::Config, startup::Application, telemetry};
    use std::process::ExitCode;

    telemetry::init("info");
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("badge: {e}");
            return ExitCode::FAILURE;
        }
    };
    let app = match Application::build(config).await {
        Ok(app) => app,
        Err(e) => {
            // `{:#}` keeps the whole cause chain on one line.
            eprintln!("badge: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    match app.run_until_stopped().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("badge: server error: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(not(feature = "ssr"))]
fn main() {
    // The browser build has no binary; see `hydrate()` in lib.rs.
}
