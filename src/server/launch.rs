//! Serving from the environment, as the `badge` binary does: `.env` → logging → configuration →
//! `Application::build` → run. Every failure is one line on stderr and a failing exit code.

use std::process::ExitCode;

use crate::server::{config::Config, startup::Application, telemetry};

pub async fn serve_from_env() -> ExitCode {
    // `.env` first, so its RUST_LOG counts; then logging, so start-up warnings are seen.
    let config = Config::load_dotenv()
        .and_then(|()| telemetry::init_from_env())
        .and_then(|()| Config::from_env());
    let config = match config {
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
