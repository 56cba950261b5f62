//! Where the site is: its URL (`SITE_URL`, or resolved from the bound port), the origins that
//! are this site, the issuer, https, where passkeys work and the origin people open.

use std::net::SocketAddr;

use url::Url;

use super::{parse::origin_of, Config};

/// Without `SITE_URL`, these names of the bound port are all this site.
const LOOPBACK_HOSTS: [&str; 3] = ["127.0.0.1", "localhost", "[::1]"];

impl Config {
    /// Without `SITE_URL`: on loopback or all interfaces, the site is `http://127.0.0.1:PORT`
    /// (the issuer) and `localhost` and `[::1]` on the same port are the same site; on one
    /// other address, the site is that address.
    pub fn resolve_site(&mut self, bound: SocketAddr) {
        if self.site_url.is_some() {
            return;
        }
        let port = bound.port();
        if bound.ip().is_loopback() || bound.ip().is_unspecified() {
            self.site_url = Url::parse(&format!("http://127.0.0.1:{port}")).ok();
            self.site_aliases = LOOPBACK_HOSTS
                .iter()
                .map(|host| format!("http://{host}:{port}"))
                .collect();
        } else {
            self.site_url = Url::parse(&format!("http://{bound}")).ok();
        }
    }

    /// True when `origin` is this site (or one of its names) or a `TRUSTED_ORIGINS` entry.
    pub fn is_allowed_origin(&self, origin: &str) -> bool {
        origin == self.site_origin()
            || self.site_aliases.iter().any(|alias| alias == origin)
            || self.trusted_origins.iter().any(|trusted| trusted == origin)
    }

    /// The site's origin (`scheme://host[:port]`), as browsers send it in `Origin`.
    pub fn site_origin(&self) -> String {
        self.site_url
            .as_ref()
            .map(origin_of)
            .unwrap_or_else(|| format!("http://{}", self.site_addr))
    }

    /// The badge issuer: `JWT_ISSUER`, else the site origin.
    pub fn issuer(&self) -> String {
        self.jwt_issuer
            .clone()
            .unwrap_or_else(|| self.site_origin())
    }

    /// Where passkeys work: the relying party's ID (a host name) and the origin of the pages
    /// that may use them. `SITE_URL`'s host and origin; without it, `localhost` on the bound
    /// port (browsers refuse IP addresses as RP IDs). `None` when the site is an IP address.
    pub fn passkey_site(&self) -> Option<(String, Url)> {
        let site = self.site_url.as_ref()?;
        if !self.site_aliases.is_empty() {
            let port = site.port_or_known_default()?;
            let origin = Url::parse(&format!("http://localhost:{port}")).ok()?;
            return Some(("localhost".into(), origin));
        }
        match site.host()? {
            url::Host::Domain(name) => Some((name.to_owned(), Url::parse(&origin_of(site)).ok()?)),
            _ => None,
        }
    }

    /// The origin people open: `SITE_URL`'s, or without it on loopback `http://localhost:PORT`,
    /// where everything works (passkeys too). Providers' redirect URIs are made from it.
    pub fn public_origin(&self) -> String {
        match self.passkey_site() {
            Some((_, origin)) if !self.site_aliases.is_empty() => origin_of(&origin),
            _ => self.site_origin(),
        }
    }

    /// True when the site is served over https (cookies get `Secure` and `__Host-`).
    pub fn is_https(&self) -> bool {
        self.site_url
            .as_ref()
            .is_some_and(|u| u.scheme() == "https")
    }
}
