//! The account server functions, declared once for both builds: the browser calls them, the
//! server runs them. Their bodies are thin: parse input into domain types, call the services in
//! `server::accounts`, and let `server::http::server_fn::respond` answer the outcome.

mod server_fns;

pub use server_fns::{
    current_user, sign_in, sign_out, sign_up, CurrentUser, SignIn, SignOut, SignUp,
};
