//! The operator's commands beside serving and the signing keys: `badge migrate`, `badge users
//! list|delete|reset-two-factor`, `badge sessions revoke` and `badge config`. Each prints its result on stdout;
//! a failure is an error that `launch` prints as one line.

use std::time::{Duration, UNIX_EPOCH};

use anyhow::{bail, Context};

use crate::{
    domain::Email,
    server::{
        accounts::{email_tokens, sessions, two_factor, users},
        config::Config,
        db::{self, Db},
        oauth::grants,
    },
};

pub mod clients;
mod settings;

pub use settings::config_lines;

/// Unix seconds as a UTC time, e.g. `2026-11-25T10:00:00Z`.
pub fn utc(secs: i64) -> String {
    let at = UNIX_EPOCH + Duration::from_secs(u64::try_from(secs).unwrap_or(0));
    humantime::format_rfc3339_seconds(at).to_string()
}

/// The commands' connection: the server's migrations run first, as at start-up.
pub(crate) async fn connect(config: &Config) -> anyhow::Result<Db> {
    db::connect(&config.database_url, Some(2)).await
}

/// `badge migrate`: applies the pending migrations and names the latest.
pub async fn migrate(config: &Config) -> anyhow::Result<()> {
    let db = connect(config).await?;
    let applied = db::applied_migrations(&db)
        .await
        .context("reading the applied migrations")?;
    let latest = applied.last().map_or_else(
        || "none".to_owned(),
        |(version, description)| format!("{version} {description}"),
    );
    println!(
        "{} is at the latest migration: {} applied (the last: {latest})",
        db::redacted(&config.database_url),
        applied.len(),
    );
    db.close().await;
    Ok(())
}

/// `badge users list`: one line per user, oldest first, with a header.
pub async fn list_users(config: &Config) -> anyhow::Result<()> {
    let db = connect(config).await?;
    let rows = users::overview(&db).await.context("reading the users")?;
    print!("{}", user_table(&rows));
    db.close().await;
    Ok(())
}

fn user_table(rows: &[users::UserOverview]) -> String {
    let width = rows
        .iter()
        .map(|row| row.email.chars().count())
        .max()
        .unwrap_or(0)
        .max("EMAIL".len());
    let line = |id: &str, email: &str, verified: &str, created: &str, sessions: &str| {
        format!("{id:<36}  {email:<width$}  {verified:<8}  {created:<20}  {sessions}\n")
    };
    let mut table = line("ID", "EMAIL", "VERIFIED", "CREATED", "SESSIONS");
    for row in rows {
        let verified = if row.email_verified_at.is_some() {
            "yes"
        } else {
            "no"
        };
        table.push_str(&line(
            &row.id,
            &row.email,
            verified,
            &utc(row.created_at),
            &row.sessions.to_string(),
        ));
    }
    if rows.is_empty() {
        table.push_str("(no users yet: accounts are made by signing up)\n");
    }
    table
}

/// The email as accounts store it, or one line naming the problem.
fn parse_email(raw: &str) -> anyhow::Result<Email> {
    Email::parse(raw).map_err(|problem| anyhow::anyhow!("{raw:?} is not an email: {problem}"))
}

/// The id of the user with this email, or the error naming the email.
async fn user_id(db: &Db, email: &Email) -> anyhow::Result<String> {
    match users::find_by_email(db, email)
        .await
        .context("looking up the user")?
    {
        Some(found) => Ok(found.user.id),
        None => bail!("no user has the email {email}"),
    }
}

/// `badge users delete EMAIL`: the user, their sessions and their mailed links, all or nothing.
pub async fn delete_user(config: &Config, raw_email: &str) -> anyhow::Result<()> {
    let email = parse_email(raw_email)?;
    let db = connect(config).await?;
    let id = user_id(&db, &email).await?;
    let mut tx = db.begin().await.context("starting a transaction")?;
    let ended = sessions::delete_all(&mut *tx, &id)
        .await
        .context("deleting the sessions")?;
    grants::revoke_for_user(&mut tx, &id, None)
        .await
        .context("revoking the apps' tokens")?;
    email_tokens::delete_for_user(&mut *tx, &id, None)
        .await
        .context("deleting the mailed links")?;
    if !users::delete(&mut *tx, &id)
        .await
        .context("deleting the user")?
    {
        bail!("no user has the email {email}");
    }
    tx.commit().await.context("committing the deletion")?;
    println!(
        "deleted {email} (id {id}) with {ended} session(s) and their mailed links; badges \
         already issued expire within JWT_TTL ({})",
        humantime::format_duration(config.jwt_ttl),
    );
    db.close().await;
    Ok(())
}

/// `badge users reset-two-factor EMAIL`: the recovery for a lost phone and lost backup codes.
pub async fn reset_two_factor(config: &Config, raw_email: &str) -> anyhow::Result<()> {
    let email = parse_email(raw_email)?;
    let db = connect(config).await?;
    let id = user_id(&db, &email).await?;
    let mut tx = db.begin().await.context("starting a transaction")?;
    let had = two_factor::store::delete_all(&mut tx, &id)
        .await
        .context("deleting the two-factor set-up")?;
    tx.commit().await.context("committing")?;
    if had {
        println!("{email}: two-factor authentication is off; the password alone signs in now");
    } else {
        println!("{email}: two-factor authentication was not on; nothing changed");
    }
    db.close().await;
    Ok(())
}

/// `badge sessions revoke EMAIL`: signs the user out everywhere, apps' refresh tokens too.
pub async fn revoke_sessions(config: &Config, raw_email: &str) -> anyhow::Result<()> {
    let email = parse_email(raw_email)?;
    let db = connect(config).await?;
    let id = user_id(&db, &email).await?;
    let mut tx = db.begin().await.context("starting a transaction")?;
    let ended = sessions::delete_all(&mut *tx, &id)
        .await
        .context("deleting the sessions")?;
    let tokens = grants::revoke_for_user(&mut tx, &id, None)
        .await
        .context("revoking the apps' tokens")?;
    tx.commit().await.context("committing")?;
    println!(
        "{email}: {ended} session(s) and {tokens} app token(s) revoked, signed out everywhere; \
         introspection says so at once, badges already issued expire within JWT_TTL ({})",
        humantime::format_duration(config.jwt_ttl),
    );
    db.close().await;
    Ok(())
}
