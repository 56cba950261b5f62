//! Accounts and sessions: server functions (shared with the browser) and, on the server,
//! passwords, sessions, rate limits and the origin check.

mod server_fns;

pub use server_fns::{
    current_user, sign_in, sign_out, sign_up, CurrentUser, SignIn, SignOut, SignUp,
};

use serde::{Deserialize, Serialize};

/// The signed-in person, as pages and the session endpoint see them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: String,
    pub email: String,
}

#[cfg(feature = "ssr")]
pub mod extract;
#[cfg(feature = "ssr")]
pub mod origin;
#[cfg(feature = "ssr")]
pub mod password;
#[cfg(feature = "ssr")]
pub mod rate_limit;
#[cfg(feature = "ssr")]
pub mod request;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod session;
#[cfg(feature = "ssr")]
pub mod token;
