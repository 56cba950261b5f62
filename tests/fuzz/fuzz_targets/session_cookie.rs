//! A session cookie's value: whatever it holds, parsing answers without panicking, and what it
//! accepts is a token it could have issued (43 base64url characters).
#![no_main]

use badge::domain::SessionToken;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|value: &str| {
    if let Some(token) = SessionToken::parse(value) {
        assert_eq!(token.expose(), value);
        assert_eq!(value.len(), 43);
        let _ = token.hash();
    }
});
