//! One file per route component.

pub mod home;
pub mod not_found;
