//! The clients the operator registered (`badge clients add|list|remove`): apps that sign people
//! in with Badge. Confidential clients hold a secret (shown once, only its SHA-256 stored);
//! public ones (a single-page or native app) prove themselves with PKCE alone; an
//! introspection-only client is a vault that may only check tokens. Redirect URIs match exactly.

use sqlx::FromRow;
use url::Url;

use super::{digest, random_token};
use crate::server::{clock::unix_now, db::Db};

/// Longest client name (it is shown on the consent page).
const MAX_NAME_CHARS: usize = 100;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientKind {
    Confidential,
    Public,
    Introspection,
}

impl ClientKind {
    pub fn name(self) -> &'static str {
        match self {
            Self::Confidential => "confidential",
            Self::Public => "public",
            Self::Introspection => "introspection",
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        [Self::Confidential, Self::Public, Self::Introspection]
            .into_iter()
            .find(|kind| kind.name() == name)
    }
}

#[derive(Clone, Debug)]
pub struct Client {
    pub client_id: String,
    pub name: String,
    pub kind: ClientKind,
    secret_hash: Option<String>,
    pub redirect_uris: Vec<String>,
    pub post_logout_uris: Vec<String>,
    pub first_party: bool,
    pub created_at: i64,
}

impl Client {
    /// Exactly one of the registered redirect URIs (no prefix, no normalisation).
    pub fn allows_redirect(&self, uri: &str) -> bool {
        self.redirect_uris
            .iter()
            .any(|registered| registered == uri)
    }

    /// True when `secret` is this confidential client's secret.
    pub fn secret_matches(&self, secret: &str) -> bool {
        // Both sides are SHA-256 digests: comparing them leaks nothing about the secret.
        self.secret_hash
            .as_deref()
            .is_some_and(|stored| stored == digest(secret))
    }
}

#[derive(FromRow)]
struct ClientRow {
    client_id: String,
    name: String,
    kind: String,
    secret_hash: Option<String>,
    redirect_uris: String,
    post_logout_uris: String,
    first_party: i64,
    created_at: i64,
}

impl ClientRow {
    fn into_client(self) -> Option<Client> {
        Some(Client {
            kind: ClientKind::from_name(&self.kind)?,
            client_id: self.client_id,
            name: self.name,
            secret_hash: self.secret_hash,
            redirect_uris: serde_json::from_str(&self.redirect_uris).ok()?,
            post_logout_uris: serde_json::from_str(&self.post_logout_uris).ok()?,
            first_party: self.first_party != 0,
            created_at: self.created_at,
        })
    }
}

/// What the operator asks for.
#[derive(Debug, Default)]
pub struct NewClient {
    pub name: String,
    pub redirect_uris: Vec<String>,
    pub post_logout_uris: Vec<String>,
    pub public: bool,
    pub first_party: bool,
    pub introspection_only: bool,
}

/// A registered client, with its secret (confidential clients) shown this once.
pub struct Registered {
    pub client: Client,
    pub secret: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("{0}")]
    Invalid(String),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
}

fn invalid(message: impl Into<String>) -> ClientError {
    ClientError::Invalid(message.into())
}

/// Checks what the operator asked for and stores the client.
pub async fn add(db: &Db, new: NewClient) -> Result<Registered, ClientError> {
    let name = new.name.trim().to_owned();
    if name.is_empty()
        || name.chars().count() > MAX_NAME_CHARS
        || name.chars().any(char::is_control)
    {
        return Err(invalid(format!(
            "the name must be 1 to {MAX_NAME_CHARS} characters, without control characters"
        )));
    }
    let kind = match (new.introspection_only, new.public) {
        (true, true) => return Err(invalid("an introspection-only client cannot be --public")),
        (true, false) if new.first_party || !new.redirect_uris.is_empty() => {
            return Err(invalid(
                "an introspection-only client has no --redirect-uri and no --first-party: it \
                 only checks tokens",
            ))
        }
        (true, false) => ClientKind::Introspection,
        (false, true) => ClientKind::Public,
        (false, false) => ClientKind::Confidential,
    };
    if kind != ClientKind::Introspection && new.redirect_uris.is_empty() {
        return Err(invalid(
            "give at least one --redirect-uri (where Badge sends people back with a code)",
        ));
    }
    for uri in new.redirect_uris.iter().chain(&new.post_logout_uris) {
        check_redirect_uri(uri)?;
    }
    let secret = (kind != ClientKind::Public).then(random_token);
    let client = Client {
        client_id: random_token()[..22].to_owned(),
        name,
        kind,
        secret_hash: secret.as_deref().map(digest),
        redirect_uris: new.redirect_uris,
        post_logout_uris: new.post_logout_uris,
        first_party: new.first_party,
        created_at: unix_now(),
    };
    sqlx::query(
        "INSERT INTO oauth_clients (client_id, name, secret_hash, redirect_uris, \
         post_logout_uris, kind, first_party, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&client.client_id)
    .bind(&client.name)
    .bind(client.secret_hash.as_deref())
    .bind(json_list(&client.redirect_uris))
    .bind(json_list(&client.post_logout_uris))
    .bind(kind.name())
    .bind(i64::from(client.first_party))
    .bind(client.created_at)
    .execute(db)
    .await?;
    Ok(Registered { client, secret })
}

fn json_list(items: &[String]) -> String {
    serde_json::Value::from(items.to_vec()).to_string()
}

/// An absolute URL without a fragment (RFC 6749 §3.1.2), https, or http on this machine
/// (development; RFC 8252 §7.3): a code sent over plain http to another host could be read on
/// the way.
fn check_redirect_uri(uri: &str) -> Result<(), ClientError> {
    let url =
        Url::parse(uri).map_err(|e| invalid(format!("{uri:?} is not an absolute URL: {e}")))?;
    if url.fragment().is_some() {
        return Err(invalid(format!(
            "{uri:?} has a #fragment, which a redirect URI may not"
        )));
    }
    let loopback = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    match url.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        _ => Err(invalid(format!(
            "{uri:?} must be https (http only for localhost, 127.0.0.1 or [::1])"
        ))),
    }
}

const COLUMNS: &str = "client_id, name, kind, secret_hash, redirect_uris, post_logout_uris, \
                       first_party, created_at";

pub async fn find(db: &Db, client_id: &str) -> sqlx::Result<Option<Client>> {
    let row: Option<ClientRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM oauth_clients WHERE client_id = $1"
    ))
    .bind(client_id)
    .fetch_optional(db)
    .await?;
    Ok(row.and_then(ClientRow::into_client))
}

/// Every client, oldest first.
pub async fn list(db: &Db) -> sqlx::Result<Vec<Client>> {
    let rows: Vec<ClientRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM oauth_clients ORDER BY created_at, client_id"
    ))
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(ClientRow::into_client)
        .collect())
}

/// Removes a client with its consents, codes and tokens. False when there was none.
pub async fn remove(db: &Db, client_id: &str) -> sqlx::Result<bool> {
    let removed = sqlx::query("DELETE FROM oauth_clients WHERE client_id = $1")
        .bind(client_id)
        .execute(db)
        .await?;
    Ok(removed.rows_affected() == 1)
}

#[cfg(test)]
mod tests {
    use super::check_redirect_uri;

    #[test]
    fn redirect_uris_are_https_or_loopback_http_without_fragments() {
        for good in [
            "https://app.example/callback",
            "http://localhost:8000/cb",
            "http://127.0.0.1:9/callback?x=1",
        ] {
            assert!(check_redirect_uri(good).is_ok(), "{good}");
        }
        for bad in [
            "http://app.example/callback",
            "https://app.example/cb#frag",
            "/callback",
            "javascript:alert(1)",
        ] {
            assert!(check_redirect_uri(bad).is_err(), "{bad}");
        }
    }
}
