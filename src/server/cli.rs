//! The command line: `badge` (or `badge serve`) serves; the other commands operate a
//! deployment (migrations, signing keys, users and sessions, the effective configuration).
//! Same configuration (environment and `.env`) as the server.

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "badge",
    version,
    about = "The front door and the vault of a web app, in one binary.",
    long_about = "The front door (sign-up, sign-in, sessions) and the vault (a JWT-guarded API) of \
                  a web app, in one binary.\n\nWithout a command it serves, configured by \
                  environment variables and an optional .env file in the working folder (see the \
                  README). The other commands act on the same database with the same settings, \
                  so run them with the server's environment."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the app (what `badge` does without a command).
    Serve,
    /// Manage the signing keys (RS256 for id_tokens; EdDSA badges with JWT_ALGORITHM=EdDSA).
    /// Every instance follows a change
    /// within 30 seconds.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Bring the database to the latest migration (the server does this at start too) and say
    /// how many are applied.
    Migrate,
    /// List or delete accounts.
    #[command(subcommand)]
    Users(UsersCommand),
    /// End sessions (sign users out).
    #[command(subcommand)]
    Sessions(SessionsCommand),
    /// Register the apps that sign people in with Badge (Badge as an OpenID Provider).
    #[command(subcommand)]
    Clients(ClientsCommand),
    /// Print the effective configuration, one NAME=value line per variable, secrets redacted.
    /// Does not connect to the database.
    Config,
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// List the stored keys: kid, state (next, active, retired), algorithm and their times (UTC).
    List,
    /// Sign with a new key (one per algorithm in use) from now on; the old key retires and stays
    /// published until the tokens it signed have expired.
    Rotate,
    /// Remove a key at once, from the JWKS too: badges it signed are refused. If it was the
    /// signing key, a new key takes over. For a leaked key.
    Revoke {
        /// The key's id, as `badge keys list` shows it. Kids are base64url, so one may start
        /// with `-`: it is still the id, not an option.
        #[arg(allow_hyphen_values = true)]
        kid: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// List the accounts, oldest first: id, email, verified, created (UTC), active sessions.
    List,
    /// Delete an account with its sessions and mailed links, in one transaction; the email can
    /// sign up again.
    Delete {
        /// The account's email (case and surrounding spaces do not matter).
        email: String,
    },
    /// Turn two-factor authentication off for an account (a lost phone and lost backup codes):
    /// its secret, backup codes and open sign-in challenges deleted; the password signs in again.
    ResetTwoFactor {
        /// The account's email (case and surrounding spaces do not matter).
        email: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum SessionsCommand {
    /// Sign a user out everywhere: delete every session of the account.
    Revoke {
        /// The account's email (case and surrounding spaces do not matter).
        email: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ClientsCommand {
    /// Register an app. Prints `client_id: …` and, for a confidential or introspection-only
    /// client, `client_secret: …`: shown this once, only its hash is kept.
    Add {
        /// The app's name, shown on the consent page ("NAME wants to …").
        name: String,
        /// Where Badge may send people back with a code; matched exactly. Repeat for several.
        #[arg(long = "redirect-uri", value_name = "URI")]
        redirect_uris: Vec<String>,
        /// A browser or native app that cannot keep a secret: no secret, PKCE required.
        #[arg(long)]
        public: bool,
        /// Your own app: people are not asked for consent.
        #[arg(long)]
        first_party: bool,
        /// Where the app may send people after they sign out of Badge. Repeat for several.
        #[arg(long = "post-logout-uri", value_name = "URI")]
        post_logout_uris: Vec<String>,
        /// A vault that only checks tokens (introspection, with its secret): no redirect URI, no
        /// sign-in.
        #[arg(long)]
        introspection_only: bool,
    },
    /// List the registered apps: client id, kind, name, redirect URIs.
    List,
    /// Remove an app, with the consents people gave it and the tokens it holds.
    Remove {
        /// The id `badge clients list` shows (it may start with `-`).
        #[arg(allow_hyphen_values = true)]
        client_id: String,
    },
}
