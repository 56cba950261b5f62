//! Browser-side calls to the JSON API: fetch a badge, then show it to the hello-world route (or
//! to the external vault at `VAULT_URL`).
//! Failures are told in the app's own words (`AppError`'s messages), never as a code or a
//! sentence taken from the wire.

use std::fmt;

use crate::{error::AppError, wire::Hello};

#[derive(Clone, Debug)]
pub enum HelloOutcome {
    Authorized(Hello),
    /// `/api/token` said there is no session.
    SignedOut,
}

/// Which step failed, and why.
#[derive(Clone, Debug)]
pub struct CallFailed {
    step: &'static str,
    error: AppError,
}

impl fmt::Display for CallFailed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} failed: {}", self.step, self.error)
    }
}

/// Fetches a badge for the session cookie, then presents it to the API.
#[cfg(feature = "hydrate")]
pub async fn fetch_hello() -> Result<HelloOutcome, CallFailed> {
    use gloo_net::http::{Request, Response};

    use crate::wire::BadgeAnswer;

    const GETTING_A_BADGE: &str = "Getting a badge";
    const CALLING_THE_API: &str = "Calling the API";

    let unreachable = |step| {
        move |_| CallFailed {
            step,
            error: AppError::Unreachable,
        }
    };
    /// Our error body when there is one, else what the status means.
    async fn refused(step: &'static str, response: Response) -> CallFailed {
        let error = match json::<AppError>(&response).await {
            Ok(error) => error,
            Err(_) => AppError::from_status(response.status()),
        };
        CallFailed { step, error }
    }
    let garbled = |step| {
        move |_| CallFailed {
            step,
            error: AppError::Internal,
        }
    };

    let response = Request::get("/api/token")
        .send()
        .await
        .map_err(unreachable(GETTING_A_BADGE))?;
    if response.status() == 401 {
        return Ok(HelloOutcome::SignedOut);
    }
    if !response.ok() {
        return Err(refused(GETTING_A_BADGE, response).await);
    }
    let BadgeAnswer { token } = json(&response).await.map_err(garbled(GETTING_A_BADGE))?;

    let hello_world = format!("{}/api/hello-world", vault_url().unwrap_or_default());
    let response = Request::get(&hello_world)
        .header("Authorization", &format!("Bearer {token}"))
        .send()
        .await
        .map_err(unreachable(CALLING_THE_API))?;
    if !response.ok() {
        return Err(refused(CALLING_THE_API, response).await);
    }
    json::<Hello>(&response)
        .await
        .map(HelloOutcome::Authorized)
        .map_err(garbled(CALLING_THE_API))
}

/// `Response::json`, read with `serde_json::from_slice` like every other JSON in the browser
/// (one JSON reader in the bundle instead of two).
#[cfg(feature = "hydrate")]
async fn json<T: serde::de::DeserializeOwned>(
    response: &gloo_net::http::Response,
) -> Result<T, ()> {
    let text = response.text().await.map_err(|_| ())?;
    serde_json::from_slice(text.as_bytes()).map_err(|_| ())
}

/// `VAULT_URL` as the server rendered it into the page, if set.
#[cfg(feature = "hydrate")]
fn vault_url() -> Option<String> {
    use crate::wire::VaultUrl;

    leptos::prelude::document()
        .query_selector(&format!("meta[name=\"{}\"]", VaultUrl::META_NAME))
        .ok()
        .flatten()
        .and_then(|meta| meta.get_attribute("content"))
        .filter(|url| !url.is_empty())
}

/// The server never runs the click handler; this keeps the shared component compiling.
#[cfg(not(feature = "hydrate"))]
pub async fn fetch_hello() -> Result<HelloOutcome, CallFailed> {
    Err(CallFailed {
        step: "Calling the API",
        error: AppError::Unreachable,
    })
}
