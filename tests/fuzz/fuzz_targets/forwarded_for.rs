//! `X-Forwarded-For` headers behind a trusted proxy: any values give one address.
#![no_main]

use axum::http::{HeaderMap, HeaderValue};
use badge::server::http::client::client_ip;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|values: Vec<Vec<u8>>| {
    let mut headers = HeaderMap::new();
    for value in values {
        if let Ok(value) = HeaderValue::from_bytes(&value) {
            headers.append("x-forwarded-for", value);
        }
    }
    let _ = client_ip(&headers, Some([192, 0, 2, 1].into()), true);
});
