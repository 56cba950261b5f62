//! The relying party passkeys are bound to: its ID (a host name; browsers refuse IP addresses)
//! and the one origin whose pages may use them, with webauthn-rs configured for both.

use std::time::Duration;

use url::Url;
use webauthn_rs::{prelude::WebauthnError, Webauthn, WebauthnBuilder};

/// The name authenticators show beside the account.
const NAME: &str = "Badge";

pub struct RelyingParty {
    pub(super) webauthn: Webauthn,
    id: String,
    origin: String,
}

impl RelyingParty {
    /// Passkeys for `id` used from pages at `origin`; a ceremony may take `timeout`.
    pub fn new(id: &str, origin: &Url, timeout: Duration) -> Result<Self, WebauthnError> {
        let webauthn = WebauthnBuilder::new(id, origin)?
            .rp_name(NAME)
            .timeout(timeout)
            .build()?;
        Ok(Self {
            webauthn,
            id: id.to_owned(),
            origin: origin.origin().ascii_serialization(),
        })
    }

    /// The RP ID: the host passkeys are made for.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The origin pages must be opened at to use passkeys (`http://localhost:3000`).
    pub fn origin(&self) -> &str {
        &self.origin
    }
}
