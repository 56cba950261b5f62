//! A form body before any server function reads it (`check_form_fields`).
#![no_main]

use badge::server::http::form_guard::check_form_fields;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    let _ = check_form_fields(body);
});
