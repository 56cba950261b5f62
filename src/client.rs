//! Browser-side calls to the JSON API (badge, then hello-world).

use serde::Deserialize;

/// `/api/hello-world`'s answer.
#[derive(Clone, Debug, Deserialize)]
pub struct Hello {
    pub message: String,
    pub your_user_id: String,
    pub your_email: String,
}

#[derive(Clone, Debug)]
pub enum HelloOutcome {
    Authorized(Hello),
    /// `/api/token` said there is no session.
    SignedOut,
}

/// Fetches a badge for the session cookie, then presents it to the API.
/// Errors are human-readable reasons, shown to the user as they are.
#[cfg(feature = "hydrate")]
pub async fn fetch_hello() -> Result<HelloOutcome, String> {
    use gloo_net::http::{Request, Response};

    #[derive(Deserialize)]
    struct TokenBody {
        token: String,
    }
    #[derive(Deserialize)]
    struct ErrorBody {
        error: String,
    }

    async fn failure(what: &str, response: Response) -> String {
        let detail = match response.json::<ErrorBody>().await {
            Ok(body) => body.error,
            Err(_) => response.status_text(),
        };
        format!("{what} failed: HTTP {} ({detail})", response.status())
    }
    let network = |what: &str, e: gloo_net::Error| format!("{what} failed: network error ({e})");

    let response = Request::get("/api/token")
        .send()
        .await
        .map_err(|e| network("Getting a badge", e))?;
    if response.status() == 401 {
        return Ok(HelloOutcome::SignedOut);
    }
    if !response.ok() {
        return Err(failure("Getting a badge", response).await);
    }
    let TokenBody { token } = response
        .json()
        .await
        .map_err(|e| format!("Getting a badge failed: unexpected answer ({e})"))?;

    let response = Request::get("/api/hello-world")
        .header("Authorization", &format!("Bearer {token}"))
        .send()
        .await
        .map_err(|e| network("Calling the API", e))?;
    if !response.ok() {
        return Err(failure("Calling the API", response).await);
    }
    response
        .json::<Hello>()
        .await
        .map(HelloOutcome::Authorized)
        .map_err(|e| format!("Calling the API failed: unexpected answer ({e})"))
}

/// The server never runs the click handler; this keeps the shared component compiling.
#[cfg(not(feature = "hydrate"))]
pub async fn fetch_hello() -> Result<HelloOutcome, String> {
    Err("The hello-world call runs in the browser only".into())
}
