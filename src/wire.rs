//! JSON answers shared by the server (which sends them) and the browser (which reads them), so
//! each shape is defined once.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

/// The signed-in person, as `/api/auth/session` answers and pages see them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: String,
    pub email: String,
    /// The person opened the verification link sent to `email`.
    pub email_verified: bool,
}

/// Read from `id`, `email` and `email_verified_at` (a time, or NULL while unverified).
#[cfg(feature = "ssr")]
impl<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> for User {
    fn from_row(row: &'r sqlx::any::AnyRow) -> sqlx::Result<Self> {
        use sqlx::Row;
        Ok(Self {
            id: row.try_get("id")?,
            email: row.try_get("email")?,
            email_verified: row
                .try_get::<Option<i64>, _>("email_verified_at")?
                .is_some(),
        })
    }
}

/// `VAULT_URL`: where the hello-world card sends the badge instead of the built-in route. The
/// server provides it while rendering; the page carries it to the browser in a `<meta>` tag.
#[derive(Clone, Debug, Default)]
pub struct VaultUrl(pub Option<String>);

impl VaultUrl {
    /// The `<meta name>` that carries it.
    pub const META_NAME: &'static str = "badge:vault-url";
}

/// `GET /api/token`: a fresh badge.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct BadgeAnswer {
    pub token: String,
}

/// `GET /api/hello-world`: what the vault says to a valid badge.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hello {
    /// Borrowed when the server sends it: no allocation per request on the hot path.
    pub message: Cow<'static, str>,
    pub your_user_id: String,
    pub your_email: String,
}

impl Hello {
    pub const MESSAGE: &'static str = "Hello World! You are authorized.";

    pub fn to(user_id: String, email: String) -> Self {
        Self {
            message: Cow::Borrowed(Self::MESSAGE),
            your_user_id: user_id,
            your_email: email,
        }
    }
}

/// One of the signed-in person's sessions, as `POST /api/auth/sessions` lists them. `id` is the
/// session's own random identifier (never its token); times are unix seconds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub id: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub ip: Option<String>,
    /// The raw `User-Agent` the session was created with.
    pub user_agent: Option<String>,
    /// True for the session of the request that asked.
    pub current: bool,
    /// `user_agent` in words for people: "Firefox on Linux".
    pub device: String,
}

/// `POST /api/auth/sign-in`'s answer when the password was right but a second factor is owed:
/// `{"two_factor_required": true}` (no session yet; `null` when one opened).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInAnswer {
    pub two_factor_required: bool,
}

/// Two-factor set-up: the key for the authenticator app and its `otpauth://` URL.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoFactorSetup {
    pub secret: String,
    pub otpauth_url: String,
}

/// Backup codes, shown this once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupCodes {
    pub backup_codes: Vec<String>,
}

/// `POST /api/auth/session`'s answer: the signed-in user and how they signed in (RFC 8176
/// `amr`: `["pwd"]`, `["pwd","otp","mfa"]`, …), as one flat object.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedIn {
    #[serde(flatten)]
    pub user: User,
    pub amr: Vec<String>,
}

/// Where the signed-in person's two-factor authentication stands, for the account page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoFactorOverview {
    pub on: bool,
    /// A set-up waiting for its first code: the key and its QR code (SVG, made on the server).
    pub pending: Option<PendingSetup>,
    /// Backup codes made moments ago, shown this once.
    pub fresh_backup_codes: Option<Vec<String>>,
}

/// Where passkeys work, as a page tells it: here; at another address of this site (a page
/// opened at `127.0.0.1` while passkeys are bound to `localhost`); or nowhere (the site's
/// address is an IP address).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PasskeyPlace {
    Here,
    /// The origin to open instead, `http://localhost:3000`.
    Elsewhere(String),
    Unavailable,
}

/// An external sign-in provider, for its **Continue with {name}** button (`available`: its
/// discovery document could be read; otherwise the button says it is unavailable).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderButton {
    pub id: String,
    pub name: String,
    pub available: bool,
}

/// An external provider connected to the signed-in account (`email`: as the provider last said).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectedAccount {
    pub provider: String,
    pub email: Option<String>,
}

/// An app the signed-in person allowed to sign them in with Badge (account page, Connected apps).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectedApp {
    pub client_id: String,
    pub name: String,
    /// What it may do, in words (as the consent page said it).
    pub scopes: Vec<String>,
    /// When it last used its grant (unix seconds); `None`: not since it was allowed.
    pub last_used_at: Option<i64>,
}

/// The origin people open (`SITE_URL`'s, or `http://localhost:PORT`): round trips to external
/// providers start there, where their redirect URIs lead back. Provided to the pages.
#[derive(Clone, Debug, Default)]
pub struct PublicOrigin(pub String);

/// Why a round trip to an external provider ended without signing in (or connecting): the code
/// travels in the URL (`?provider_problem=…`), and only our own words for a known code are shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProviderProblem {
    Cancelled,
    Expired,
    StateMismatch,
    ProviderError,
    Unavailable,
    EmailUnverified,
    LinkRefused,
    IdentityTaken,
    ConnectedAlready,
    SignInFirst,
    VerifyEmail,
    TooMany,
}

impl ProviderProblem {
    const ALL: [Self; 12] = [
        Self::Cancelled,
        Self::Expired,
        Self::StateMismatch,
        Self::ProviderError,
        Self::Unavailable,
        Self::EmailUnverified,
        Self::LinkRefused,
        Self::IdentityTaken,
        Self::ConnectedAlready,
        Self::SignInFirst,
        Self::VerifyEmail,
        Self::TooMany,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Cancelled => "cancelled",
            Self::Expired => "expired",
            Self::StateMismatch => "state_mismatch",
            Self::ProviderError => "provider_error",
            Self::Unavailable => "unavailable",
            Self::EmailUnverified => "email_unverified",
            Self::LinkRefused => "link_refused",
            Self::IdentityTaken => "identity_taken",
            Self::ConnectedAlready => "connected_already",
            Self::SignInFirst => "sign_in_first",
            Self::VerifyEmail => "verify_email",
            Self::TooMany => "too_many",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|problem| problem.code() == code)
    }

    /// What happened and what to do, in words.
    pub fn text(self) -> &'static str {
        match self {
            Self::Cancelled => "Signing in with the provider was cancelled. Try again, or sign in another way.",
            Self::Expired => "That sign-in took too long or was already used. Start again.",
            Self::StateMismatch => {
                "That sign-in did not start in this browser, so it was refused. Start again here."
            }
            Self::ProviderError => {
                "The provider could not confirm who you are right now. Try again later, or sign in another way."
            }
            Self::Unavailable => {
                "That provider is unavailable right now. Try again later, or sign in another way."
            }
            Self::EmailUnverified => {
                "The provider did not confirm your email address, so no account was made or linked. Verify it at the provider, or sign up with a password."
            }
            Self::LinkRefused => {
                "An account with this email exists here, but its email address was never verified, so the provider cannot sign in to it. Sign in with its password, then connect the provider on your account page under Connected accounts."
            }
            Self::IdentityTaken => "That provider account is connected to another account here.",
            Self::ConnectedAlready => {
                "Another account of that provider is connected already. Disconnect it first."
            }
            Self::SignInFirst => "Sign in first, then connect the provider from your account page.",
            Self::VerifyEmail => "Verify your email address first: open the link we sent you, then sign in.",
            Self::TooMany => "Too many attempts. Wait a minute and try again.",
        }
    }
}

/// `POST /api/auth/passkey/register`'s answer: the passkey just added.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeyRegistered {
    pub id: String,
    pub name: String,
}

/// One of the signed-in person's passkeys, as `POST /api/auth/passkeys` lists them (unix
/// seconds; `last_used_at` is `null` until it signs in).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeyInfo {
    pub id: String,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingSetup {
    pub setup_key: String,
    pub qr_svg: String,
}

/// What the consent page shows for an authorization request (`POST /api/auth/oauth/consent-prompt`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConsentQuestion {
    /// "{client} wants to …": the scopes in words, and the request's parameters for the form.
    Ask {
        client: String,
        scopes: Vec<String>,
        fields: Vec<(String, String)>,
    },
    /// The request cannot be answered (unknown client, unregistered redirect URI, …): why.
    Refused(String),
}
