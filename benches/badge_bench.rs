//! `badge-bench`: the `badge` server built with the `bench` feature (it adds `/bench/ceiling`),
//! under its own name so `make bench` never replaces the `badge` binary you would deploy.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    badge::server::launch::serve_from_env().await
}
