//! Account and session operations as plain functions over `AppState`: no HTTP here, so they
//! read like the rules they implement.

use sqlx::Row;
use tower_cookies::Cookies;

use crate::{
    auth::{
        password::Verified,
        session::{self, ActiveSession, ClientInfo},
        User,
    },
    domain::{Email, Password},
    error::AppError,
    state::AppState,
};

/// Creates the account and its first session; returns the raw session token for the cookie.
/// A taken email is 409, also when two sign-ups race: the unique constraint decides.
#[tracing::instrument(skip_all, fields(email = %email))]
pub async fn create_account(
    state: &AppState,
    email: Email,
    password: Password,
    client: &ClientInfo,
) -> Result<String, AppError> {
    // Cheap early answer for the common case; the insert below is what guarantees uniqueness.
    if find_user(state, &email).await?.is_some() {
        return Err(AppError::EmailTaken);
    }
    let password_hash = state.hasher.hash(&password).await.map_err(internal)?;
    let user = User {
        id: uuid::Uuid::new_v4().to_string(),
        email: email.as_str().to_owned(),
    };

    let mut tx = state.db.begin().await.map_err(db_error)?;
    let inserted = sqlx::query(
        "INSERT INTO users (id, email, password_hash, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(&user.id)
    .bind(&user.email)
    .bind(&password_hash)
    .bind(session::unix_now())
    .execute(&mut *tx)
    .await;
    match inserted {
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            return Err(AppError::EmailTaken)
        }
        other => other.map_err(db_error)?,
    };
    let token = session::create(&mut *tx, &user.id, state.session_cookie.ttl(), client)
        .await
        .map_err(db_error)?;
    tx.commit().await.map_err(db_error)?;

    tracing::info!(user_id = %user.id, "account created");
    Ok(token)
}

/// Checks the password and opens a fresh session (never reusing one: no session fixation);
/// returns the raw session token for the cookie.
/// Unknown email and wrong password give the same error after the same amount of work.
#[tracing::instrument(skip_all, fields(email = %email))]
pub async fn sign_in(
    state: &AppState,
    email: Email,
    password: Password,
    client: &ClientInfo,
) -> Result<String, AppError> {
    let found = find_user(state, &email).await?;
    let stored_hash = found.as_ref().map(|(_, hash)| hash.as_str());
    let verified = state
        .hasher
        .verify(&password, stored_hash)
        .await
        .map_err(internal)?;
    let (user, rehashed) = match (found, verified) {
        (Some((user, _)), Verified::Yes) => (user, None),
        (Some((user, _)), Verified::YesRehashed(new_hash)) => (user, Some(new_hash)),
        _ => {
            tracing::info!("sign-in failed");
            return Err(AppError::InvalidCredentials);
        }
    };
    if let Some(new_hash) = rehashed {
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(new_hash)
            .bind(&user.id)
            .execute(&state.db)
            .await
            .map_err(db_error)?;
        tracing::info!(user_id = %user.id, "password rehashed with current parameters");
    }
    let token = session::create(&state.db, &user.id, state.session_cookie.ttl(), client)
        .await
        .map_err(db_error)?;
    tracing::info!(user_id = %user.id, "signed in");
    Ok(token)
}

/// The user behind the session cookie, if its session exists and has not expired. Keeps the
/// cookie's Max-Age in step with a refreshed session, and clears a stale cookie.
pub async fn user_from_cookie(
    state: &AppState,
    cookies: &Cookies,
) -> Result<Option<User>, AppError> {
    let Some(token) = state.session_cookie.token(cookies) else {
        return Ok(None);
    };
    let active = session::lookup(&state.db, &token, state.session_cookie.ttl())
        .await
        .map_err(db_error)?;
    match active {
        Some(ActiveSession { user, refreshed }) => {
            if refreshed {
                state.session_cookie.set(cookies, token);
            }
            Ok(Some(user))
        }
        None => {
            state.session_cookie.clear(cookies);
            Ok(None)
        }
    }
}

/// Deletes the session server-side; an unknown token is fine (sign-out is idempotent).
pub async fn sign_out(state: &AppState, token: &str) -> Result<(), AppError> {
    session::delete(&state.db, token).await.map_err(db_error)?;
    tracing::info!("signed out");
    Ok(())
}

async fn find_user(state: &AppState, email: &Email) -> Result<Option<(User, String)>, AppError> {
    let row = sqlx::query("SELECT id, email, password_hash FROM users WHERE email = $1")
        .bind(email.as_str())
        .fetch_optional(&state.db)
        .await
        .map_err(db_error)?;
    row.map(|row| -> Result<_, sqlx::Error> {
        Ok((
            User {
                id: row.try_get("id")?,
                email: row.try_get("email")?,
            },
            row.try_get("password_hash")?,
        ))
    })
    .transpose()
    .map_err(internal)
}

/// Logs the cause (with the current span) and hides it from the caller.
pub fn internal(cause: impl std::fmt::Display) -> AppError {
    tracing::error!(error = %cause, "internal error");
    AppError::Internal
}

/// A database error: "unavailable" (503, retry later) when the database cannot be reached,
/// otherwise internal. Logged either way.
pub fn db_error(error: sqlx::Error) -> AppError {
    if crate::db::is_connectivity_error(&error) {
        tracing::warn!(error = %error, "database unavailable");
        AppError::Unavailable
    } else {
        internal(error)
    }
}
