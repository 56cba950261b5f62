//! Input types parsed once at the edge (`Email`, `Password`, `PasskeyName`, `SessionToken`), their limits and
//! their validation error. Imports nothing of the crate, so every layer may use it. Everything
//! but the session token is shared with the browser, so form attributes (`minlength`,
//! `maxlength`) match what the server enforces.

mod email;
mod local_path;
mod passkey_name;
mod password;
mod validation;

pub use email::{Email, EMAIL_MAX_LEN};
pub use local_path::local_path_or_root;
pub use passkey_name::{PasskeyName, PASSKEY_NAME_MAX_CHARS};
pub use password::{Password, PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS};
pub use validation::{Field, ValidationError};

#[cfg(feature = "ssr")]
mod session_token;
#[cfg(feature = "ssr")]
pub use session_token::{random_token, SessionToken};
