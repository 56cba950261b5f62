//! The HTTP-level test suite: one binary, one module per area, each test on its own server.

mod helpers;

mod abuse;
mod access_log;
mod account;
mod badges;
mod cli;
mod credentials;
mod eddsa;
mod edge;
mod external_sign_in;
mod first_run;
mod hardening;
mod health;
mod keys;
mod lockout;
mod mail;
mod mail_at_rest;
mod oidc_provider;
mod openid_provider;
mod outbox;
mod pages;
mod passkeys;
mod process;
mod redis_server;
mod scale_out;
mod sessions;
mod shared_limits;
mod sign_in;
mod sign_up;
mod smtp_sink;
mod soft_passkey;
mod startup;
mod two_factor;
