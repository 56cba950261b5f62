//! A grant: what one authorization code started. The access tokens issued from it and its
//! refresh-token family share the code's hash as their grant id, so ending a grant ends them
//! all. A person's grants end with their credentials: signing out everywhere else, a new
//! password or a reset, the operator's `badge sessions revoke`, and Connected apps' **Revoke**.

use sqlx::AnyConnection;

/// Ends the grant `grant_id`: its access tokens and its refresh tokens. Returns how many tokens
/// ended.
pub async fn revoke(conn: &mut AnyConnection, grant_id: &str) -> sqlx::Result<u64> {
    let access = sqlx::query("DELETE FROM oauth_access_tokens WHERE code_hash = $1")
        .bind(grant_id)
        .execute(&mut *conn)
        .await?;
    let refresh = sqlx::query("DELETE FROM oauth_refresh_tokens WHERE family_id = $1")
        .bind(grant_id)
        .execute(&mut *conn)
        .await?;
    Ok(access.rows_affected() + refresh.rows_affected())
}

/// Ends every refresh token of `user_id`, and every access token not bound to `keep_session`
/// (the session that stays signed in, if any). Returns how many tokens ended.
pub async fn revoke_for_user(
    conn: &mut AnyConnection,
    user_id: &str,
    keep_session: Option<&str>,
) -> sqlx::Result<u64> {
    let refresh = sqlx::query("DELETE FROM oauth_refresh_tokens WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    let access = match keep_session {
        Some(kept) => {
            sqlx::query(
                "DELETE FROM oauth_access_tokens WHERE user_id = $1 \
                 AND (session_id IS NULL OR session_id <> $2)",
            )
            .bind(user_id)
            .bind(kept)
            .execute(&mut *conn)
            .await?
        }
        None => {
            sqlx::query("DELETE FROM oauth_access_tokens WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut *conn)
                .await?
        }
    };
    Ok(refresh.rows_affected() + access.rows_affected())
}

/// Connected apps' **Revoke**: what `user_id` allowed `client_id` and every token it holds for
/// them. False when the person had not allowed that client anything.
pub async fn revoke_for_client(
    conn: &mut AnyConnection,
    user_id: &str,
    client_id: &str,
) -> sqlx::Result<bool> {
    let consent = sqlx::query("DELETE FROM oauth_consents WHERE user_id = $1 AND client_id = $2")
        .bind(user_id)
        .bind(client_id)
        .execute(&mut *conn)
        .await?;
    for table in ["oauth_refresh_tokens", "oauth_access_tokens"] {
        sqlx::query(&format!(
            "DELETE FROM {table} WHERE user_id = $1 AND client_id = $2"
        ))
        .bind(user_id)
        .bind(client_id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(consent.rows_affected() > 0)
}
