//! The device cookie: a browser the owner signed in on before. Set at each password sign-in,
//! it names the account it was earned for under a MAC keyed from `AUTH_SECRET`, so nobody can
//! make one for an account they never signed in to. A password check from such a browser
//! counts against that browser's own budget, not the account's ceiling, so strangers spending
//! the ceiling do not lock the owner out (OWASP's "device cookies"). HttpOnly, SameSite=Lax,
//! `Secure` and `__Host-` on https, like the session cookie; it grants no access by itself.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use tower_cookies::{
    cookie::{time, SameSite},
    Cookie, Cookies,
};

use crate::{
    domain::random_token,
    server::sealing::{derived_key, DEVICE_COOKIE},
};

/// How long a browser stays known without signing in again.
const LIFETIME_DAYS: i64 = 180;

#[derive(Clone)]
pub struct DeviceCookie {
    name: &'static str,
    secure: bool,
    key: [u8; 32],
}

impl DeviceCookie {
    pub fn new(https: bool, secret: &[u8]) -> Self {
        Self {
            name: if https {
                "__Host-badge_device"
            } else {
                "badge_device"
            },
            secure: https,
            key: derived_key(secret, DEVICE_COOKIE),
        }
    }

    /// Marks this browser as one the owner of `email` signed in on.
    pub fn remember(&self, cookies: &Cookies, email: &str) {
        let device = random_token();
        let tag = URL_SAFE_NO_PAD.encode(self.mac(email, &device).finalize().into_bytes());
        cookies.add(
            Cookie::build((self.name, format!("{device}.{tag}")))
                .http_only(true)
                .same_site(SameSite::Lax)
                .path("/")
                .secure(self.secure)
                .max_age(time::Duration::days(LIFETIME_DAYS))
                .build(),
        );
    }

    /// The id of this browser when its cookie was earned for `email`.
    pub fn device_for(&self, cookies: &Cookies, email: &str) -> Option<String> {
        let cookie = cookies.get(self.name)?;
        let (device, tag) = cookie.value().split_once('.')?;
        let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
        // Constant-time comparison of the tag.
        self.mac(email, device).verify_slice(&tag).ok()?;
        Some(device.to_owned())
    }

    fn mac(&self, email: &str, device: &str) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.key)
            .expect("HMAC-SHA256 takes a key of any length");
        // The device id never contains a NUL, so the two parts cannot be shifted into each other.
        mac.update(device.as_bytes());
        mac.update(b"\0");
        mac.update(email.as_bytes());
        mac
    }
}
