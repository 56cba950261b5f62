//! The web edge shared by the server functions and the JSON routes: the session cookie and the
//! user it signs in, the origin check, the client's address, and the server functions' request
//! context. Uses the services; never imported by them.

pub mod challenge_cookie;
pub mod client;
pub mod csp;
pub mod device_cookie;
pub mod edge;
pub mod form_guard;
pub mod origin;
pub mod passkey_place;
pub mod plain_page;
pub mod server_fn;
pub mod session_cookie;
