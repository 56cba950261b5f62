//! The two-factor challenge cookie (`badge_2fa`, `__Host-badge_2fa` on https): after a right
//! password with two-factor on, it ties this browser to the server-side challenge (the row holds
//! only the token's SHA-256). HttpOnly, SameSite=Lax, Path=/, five minutes, like the session
//! cookie; it opens nothing by itself.

use tower_cookies::{
    cookie::{time, SameSite},
    Cookie, Cookies,
};

use crate::{
    domain::SessionToken,
    server::{accounts::two_factor::CHALLENGE_TTL, clock::secs},
};

#[derive(Clone, Debug)]
pub struct ChallengeCookie {
    name: &'static str,
    secure: bool,
}

impl ChallengeCookie {
    pub fn new(https: bool) -> Self {
        Self {
            name: if https {
                "__Host-badge_2fa"
            } else {
                "badge_2fa"
            },
            secure: https,
        }
    }

    pub fn set(&self, cookies: &Cookies, token: &SessionToken) {
        cookies.add(
            self.build(token.expose().to_owned())
                .max_age(time::Duration::seconds(secs(CHALLENGE_TTL)))
                .build(),
        );
    }

    /// The challenge this browser holds, if any.
    pub fn token(&self, cookies: &Cookies) -> Option<SessionToken> {
        SessionToken::parse(cookies.get(self.name)?.value())
    }

    pub fn clear(&self, cookies: &Cookies) {
        cookies.remove(self.build(String::new()).build());
    }

    fn build(&self, value: String) -> tower_cookies::cookie::CookieBuilder<'static> {
        Cookie::build((self.name, value))
            .http_only(true)
            .same_site(SameSite::Lax)
            .path("/")
            .secure(self.secure)
    }
}
