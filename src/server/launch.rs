//! What the `badge` binary does with its command line: `.env` → logging → configuration → the
//! command (serving by default). Every failure is one line on stderr and a failing exit code.

use std::process::ExitCode;

use crate::server::{
    admin::{self, utc},
    badge::signing_keys::{
        self,
        life_cycle::KeyState,
        store::{self, KeyRow},
    },
    cli::{Cli, Command, KeysCommand, SessionsCommand, UsersCommand},
    clock::unix_now,
    config::{Config, Provision},
    db,
    startup::{self, Application},
    telemetry,
};

pub async fn run(cli: Cli) -> ExitCode {
    crate::server::badge::crypto::install();
    // `.env` first, so its RUST_LOG counts; then logging, so start-up warnings are seen.
    let command = cli.command.unwrap_or(Command::Serve);
    // Only serving and migrating may start an installation (a database, a secret).
    let provision = match command {
        Command::Serve | Command::Migrate => Provision::CreateMissing,
        _ => Provision::ExistingOnly,
    };
    let started = Config::load_dotenv()
        .and_then(|()| telemetry::init_from_env())
        .and_then(|log| Ok((log, Config::from_env(provision)?)));
    let (log, config) = match started {
        Ok(started) => started,
        Err(e) => {
            eprintln!("badge: {e}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = match command {
        Command::Serve => serve(config).await,
        Command::Keys(command) => keys(config, command).await,
        Command::Migrate => admin::migrate(&config).await,
        Command::Users(UsersCommand::List) => admin::list_users(&config).await,
        Command::Users(UsersCommand::Delete { email }) => admin::delete_user(&config, &email).await,
        Command::Users(UsersCommand::ResetTwoFactor { email }) => {
            admin::reset_two_factor(&config, &email).await
        }
        Command::Sessions(SessionsCommand::Revoke { email }) => {
            admin::revoke_sessions(&config, &email).await
        }
        Command::Clients(command) => admin::clients::run(&config, command).await,
        Command::Config => {
            print!(
                "{}",
                admin::config_lines(&config, |name| std::env::var(name).ok())
            );
            Ok(())
        }
    };
    // The log's buffer written out first, so a failure's one line comes last.
    drop(log);
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // `{:#}` keeps the whole cause chain on one line.
            eprintln!("badge: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let app = Application::build(config).await?;
    app.run_until_stopped()
        .await
        .map_err(|e| anyhow::anyhow!("server error: {e}"))
}

async fn keys(config: Config, command: KeysCommand) -> anyhow::Result<()> {
    let db = db::connect(&config.database_url, Some(2)).await?;
    let secret = config.auth_secret.expose();
    match command {
        KeysCommand::List => print!("{}", key_table(&store::all(&db).await?, unix_now())),
        KeysCommand::Rotate => {
            let algorithms = startup::signing_algorithms(config.jwt_algorithm);
            for (algorithm, kid) in signing_keys::rotate(&db, secret, &algorithms).await? {
                println!(
                    "{kid} signs {} from now on; the previous {0} key retired and stays published",
                    algorithm.name()
                );
            }
        }
        KeysCommand::Revoke { kid } => {
            signing_keys::revoke(&db, secret, &kid).await?;
            println!("{kid} revoked: removed from the JWKS and refused from now on");
        }
    }
    Ok(())
}

/// One line per key, oldest first, with a header; times in UTC.
fn key_table(rows: &[KeyRow], now: i64) -> String {
    let mut table = format!(
        "{:<43}  {:<7}  {:<9}  {:<20}  {:<20}  {}\n",
        "KID", "STATE", "ALGORITHM", "CREATED", "ACTIVATES", "RETIRES"
    );
    for row in rows {
        table.push_str(&format!(
            "{:<43}  {:<7}  {:<9}  {:<20}  {:<20}  {}\n",
            row.kid,
            KeyState::of(&row.times(), now).name(),
            row.algorithm,
            utc(row.created_at),
            utc(row.activates_at),
            row.retires_at.map_or_else(|| "-".to_owned(), utc),
        ));
    }
    if rows.is_empty() {
        table.push_str("(no signing keys: they are made when the server starts)\n");
    }
    table
}
