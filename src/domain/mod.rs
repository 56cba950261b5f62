//! Input types parsed once at the edge. The limits are shared with the browser so form
//! attributes (`minlength`, `maxlength`) match what the server enforces.

/// RFC 5321's practical maximum for a whole address.
pub const EMAIL_MAX_LEN: usize = 254;
/// OWASP: at least 8; the upper bound keeps hashing cost bounded.
pub const PASSWORD_MIN_CHARS: usize = 8;
pub const PASSWORD_MAX_CHARS: usize = 128;

#[cfg(feature = "ssr")]
mod email;
#[cfg(feature = "ssr")]
mod password;

#[cfg(feature = "ssr")]
pub use {email::Email, password::Password};
