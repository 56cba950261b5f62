//! Reusable views.

pub mod credential_form;
pub mod hello_world;
pub mod hydration;
pub mod notice;
pub mod resend_verification;
pub mod session_list;
pub mod site_header;
