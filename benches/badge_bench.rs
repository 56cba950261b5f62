//! `badge-bench`: the `badge` server built with the `bench` feature (it adds `/bench/ceiling`),
//! under its own name so `make bench` never replaces the `badge` binary you would deploy.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    use clap::Parser;

    badge::server::launch::run(badge::server::cli::Cli::parse()).await
}
