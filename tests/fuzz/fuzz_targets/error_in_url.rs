//! The `__err` a plain form's redirect puts in the URL (anyone can write one into a link): read
//! as the server function error it claims to be, then shown only as our own sentences.
#![no_main]

use badge::error::AppError;
use leptos::server_fn::error::FromServerFnError;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let error = AppError::de(data.to_vec().into());
    let _ = error.untrusted().to_string();
});
