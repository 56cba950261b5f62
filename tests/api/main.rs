//! The HTTP-level test suite: one binary, one module per area, each test on its own server.

mod helpers;

mod health;
mod pages;
mod startup;
