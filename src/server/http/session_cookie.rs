//! The session cookie: its attributes, and the user it signs in. HttpOnly, SameSite=Lax,
//! Path=/, Max-Age = the session TTL; `Secure` and the `__Host-` prefix when the site is https.

use std::time::Duration;

use tower_cookies::{
    cookie::{time, CookieBuilder, SameSite},
    Cookie, Cookies,
};

use crate::{
    domain::SessionToken,
    server::{
        accounts::{sessions::ActiveSession, Accounts},
        clock::{secs, unix_now},
        error::Error,
    },
    wire::SignedIn,
};

#[derive(Clone, Debug)]
pub struct SessionCookie {
    name: &'static str,
    secure: bool,
    max_age: Duration,
}

impl SessionCookie {
    pub fn new(https: bool, max_age: Duration) -> Self {
        // `__Host-` makes browsers refuse the cookie unless Secure, Path=/ and host-only,
        // so a sibling subdomain cannot plant or overwrite it.
        Self {
            name: if https {
                "__Host-badge_session"
            } else {
                "badge_session"
            },
            secure: https,
            max_age,
        }
    }

    /// The cookie's value: `None` when absent, `Some(None)` when it holds nothing we issued.
    fn read(&self, cookies: &Cookies) -> Option<Option<SessionToken>> {
        cookies
            .get(self.name)
            .map(|cookie| SessionToken::parse(cookie.value()))
    }

    /// The token of the request's cookie, if it holds one.
    pub fn token(&self, cookies: &Cookies) -> Option<SessionToken> {
        self.read(cookies).flatten()
    }

    /// Sets the cookie of a new session (Max-Age: a new session's lifetime).
    pub fn set(&self, cookies: &Cookies, token: &SessionToken) {
        self.set_for(cookies, token, secs(self.max_age));
    }

    /// Sets the cookie for a session that has `seconds` left.
    fn set_for(&self, cookies: &Cookies, token: &SessionToken, seconds: i64) {
        let max_age = time::Duration::seconds(seconds.max(0));
        cookies.add(
            self.build(token.expose().to_owned())
                .max_age(max_age)
                .build(),
        );
    }

    pub fn clear(&self, cookies: &Cookies) {
        cookies.remove(self.build(String::new()).build());
    }

    fn build(&self, value: String) -> CookieBuilder<'static> {
        Cookie::build((self.name, value))
            .http_only(true)
            .same_site(SameSite::Lax)
            .path("/")
            .secure(self.secure)
    }

    /// The user the cookie signs in and how they signed in, if its session exists and has
    /// not expired.
    pub async fn signed_in_user(
        &self,
        accounts: &Accounts,
        cookies: &Cookies,
    ) -> Result<Option<SignedIn>, Error> {
        Ok(self
            .signed_in(accounts, cookies)
            .await?
            .map(|session| SignedIn {
                user: session.user,
                amr: session.amr,
            }))
    }

    /// The session the cookie carries, if it exists and has not expired. Keeps the cookie's
    /// Max-Age in step with a refreshed session, and clears a stale cookie.
    pub async fn signed_in(
        &self,
        accounts: &Accounts,
        cookies: &Cookies,
    ) -> Result<Option<ActiveSession>, Error> {
        let token = match self.read(cookies) {
            None => return Ok(None),
            Some(Some(token)) => token,
            Some(None) => {
                self.clear(cookies);
                return Ok(None);
            }
        };
        match accounts.session(&token).await? {
            Some(session) => {
                if session.refreshed {
                    let left = session.expires_at.saturating_sub(unix_now());
                    self.set_for(cookies, &token, left);
                }
                Ok(Some(session))
            }
            None => {
                self.clear(cookies);
                Ok(None)
            }
        }
    }
}
