//! Cookies that tie this browser to a short step kept on the server (the row holds only the
//! token's SHA-256): the two-factor challenge a right password leaves (`badge_2fa`), and a
//! passkey ceremony under way (`badge_passkey`). `__Host-` on https; HttpOnly, SameSite=Lax,
//! Path=/, five minutes, like the step itself. They open nothing by themselves.

use std::time::Duration;

use tower_cookies::{
    cookie::{time, SameSite},
    Cookie, Cookies,
};

use crate::{
    domain::SessionToken,
    server::{
        accounts::{passkeys::CEREMONY_TTL, two_factor::CHALLENGE_TTL},
        clock::secs,
    },
};

#[derive(Clone, Debug)]
pub struct ChallengeCookie {
    name: &'static str,
    secure: bool,
    ttl: Duration,
}

impl ChallengeCookie {
    /// The two-factor challenge's cookie.
    pub fn two_factor(https: bool) -> Self {
        let name = if https {
            "__Host-badge_2fa"
        } else {
            "badge_2fa"
        };
        Self::named(name, https, CHALLENGE_TTL)
    }

    /// A passkey ceremony's cookie.
    pub fn passkey_ceremony(https: bool) -> Self {
        let name = if https {
            "__Host-badge_passkey"
        } else {
            "badge_passkey"
        };
        Self::named(name, https, CEREMONY_TTL)
    }

    /// A round trip to an external provider (`badge_oidc`): as long as the person may take there.
    pub fn provider_round_trip(https: bool) -> Self {
        let name = if https {
            "__Host-badge_oidc"
        } else {
            "badge_oidc"
        };
        Self::named(name, https, crate::server::oidc::ROUND_TRIP_TTL)
    }

    fn named(name: &'static str, secure: bool, ttl: Duration) -> Self {
        Self { name, secure, ttl }
    }

    pub fn set(&self, cookies: &Cookies, token: &SessionToken) {
        cookies.add(
            self.build(token.expose().to_owned())
                .max_age(time::Duration::seconds(secs(self.ttl)))
                .build(),
        );
    }

    /// The token this browser holds, if any.
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
