//! Reusable views.

pub mod credentials;
pub mod hello_card;
pub mod hydration;
pub mod site_header;
