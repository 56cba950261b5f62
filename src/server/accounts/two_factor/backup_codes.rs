//! Backup codes: ten single-use codes for a lost phone, shown once. Stored only as an HMAC
//! under a key derived from `AUTH_SECRET` and bound to the user, so a stolen database alone
//! reveals none (and a code is useless for any other account).

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use hmac::{Hmac, Mac};
use rand::{rngs::OsRng, Rng};
use sha2::Sha256;

/// Codes per set.
pub const COUNT: usize = 10;
/// Letters and digits that cannot be mistaken for one another (no 0/o, 1/l/i).
const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
/// 10 characters of a 31-letter alphabet: 49 bits, against 10 guesses per 15 minutes.
const LENGTH: usize = 10;

/// A new set, formatted `xxxxx-xxxxx`.
pub fn new_set() -> Vec<String> {
    (0..COUNT)
        .map(|_| {
            let code: String = (0..LENGTH)
                .map(|_| char::from(ALPHABET[OsRng.gen_range(0..ALPHABET.len())]))
                .collect();
            format!("{}-{}", &code[..5], &code[5..])
        })
        .collect()
}

/// A code as typed, in the form it was issued: lower case, without the dash or spaces; `None`
/// for anything that cannot be a backup code.
pub fn normalise(typed: &str) -> Option<String> {
    let code: String = typed
        .chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .map(|c| c.to_ascii_lowercase())
        .collect();
    (code.len() == LENGTH && code.bytes().all(|b| ALPHABET.contains(&b))).then_some(code)
}

/// What is stored for `code` (normalised) of `user_id`.
pub fn stored_form(key: &[u8; 32], user_id: &str, code: &str) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(user_id.as_bytes());
    mac.update(b"\0");
    mac.update(code.as_bytes());
    URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_is_ten_distinct_codes_that_read_back_as_typed() {
        let set = new_set();
        assert_eq!(set.len(), COUNT);
        let distinct: std::collections::HashSet<_> = set.iter().collect();
        assert_eq!(distinct.len(), COUNT);
        for code in &set {
            assert_eq!(code.len(), 11);
            let plain = code.replace('-', "");
            assert_eq!(normalise(code).as_deref(), Some(plain.as_str()));
            assert_eq!(
                normalise(&code.to_uppercase()).as_deref(),
                Some(plain.as_str())
            );
        }
        assert_eq!(normalise("123456"), None);
    }

    #[test]
    fn the_stored_form_reveals_nothing_and_is_bound_to_the_user() {
        let key = [3; 32];
        let stored = stored_form(&key, "user-1", "abcdefghjk");
        assert!(!stored.contains("abcdefghjk"));
        assert_ne!(stored, stored_form(&key, "user-2", "abcdefghjk"));
        assert_ne!(stored, stored_form(&[4; 32], "user-1", "abcdefghjk"));
    }
}
