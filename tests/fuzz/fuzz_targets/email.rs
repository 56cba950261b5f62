//! An email as typed into a form: NFKC, trimming, lower-casing and the syntax check never panic,
//! and a parsed address parses to itself.
#![no_main]

use badge::domain::Email;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|typed: &str| {
    if let Ok(email) = Email::parse(typed) {
        let again = Email::parse(email.as_str()).expect("a parsed email parses again");
        assert_eq!(again.as_str(), email.as_str());
    }
});
