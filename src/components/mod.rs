//! Reusable views.

pub mod app_form_target;
pub mod connected_apps;
pub mod credential_form;
pub mod eager;
pub mod hello_world;
pub mod hydration;
pub mod notice;
pub mod page_query;
pub mod passkeys;
pub mod providers;
pub mod resend_verification;
pub mod server_form;
pub mod session_list;
pub mod site_header;
pub mod two_factor_section;
