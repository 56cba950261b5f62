//! Everything that runs only on the server (feature `ssr`), gated once in `lib.rs`.
//!
//! Dependencies point one way: `api/` (JSON routes) and the server functions in `crate::auth`
//! use `http/` (cookies, origin check, request context) and the services `accounts/` and
//! `badge/`; services use `db`, `clock` and the domain types, never routes, pages or HTTP.

pub mod accounts;
pub mod admin;
pub mod api;
pub mod badge;
pub mod cli;
pub mod clock;
pub mod config;
pub mod db;
pub mod error;
pub mod http;
pub mod launch;
pub mod limits;
pub mod mail;
pub mod metrics;
pub mod oauth;
pub mod oidc;
pub mod priority;
pub mod routes;
pub mod sealing;
pub mod secret;
pub mod serve;
pub mod startup;
pub mod state;
pub mod telemetry;
