//! TOTP (RFC 6238) as Badge uses it: HMAC-SHA1, 6 digits, 30 s steps, one step of drift either
//! way, by `totp-rs`. Which step a code matched is returned, so the caller can refuse a step it
//! accepted before (RFC 6238 §5.2).

use rand::{rngs::OsRng, RngCore};
use totp_rs::{Algorithm, Builder, Secret, Totp};

/// Seconds per step.
pub const STEP_SECS: u64 = 30;

/// A new secret: 160 random bits (RFC 4226's recommended length).
pub fn new_secret() -> [u8; 20] {
    let mut secret = [0u8; 20];
    OsRng.fill_bytes(&mut secret);
    secret
}

fn totp(secret: &[u8], account: &str, issuer: &str) -> Option<Totp> {
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_skew(1)
        .with_step_duration(STEP_SECS)
        .with_secret(Secret::from(secret.to_vec()))
        .with_account_name(account.replace(':', ""))
        .with_issuer(Some(issuer.replace(':', "")))
        .build()
        .ok()
}

/// The secret as the authenticator app's "setup key" (base32) and its `otpauth://` URL.
pub fn setup_key_and_url(secret: &[u8], account: &str, issuer: &str) -> Option<(String, String)> {
    let totp = totp(secret, account, issuer)?;
    Some((totp.secret().to_base32(), totp.to_url().ok()?))
}

/// The step `code` is valid for at `unix_time` (this step, the one before or the one after), if
/// any. Whitespace in the code is ignored.
pub fn matching_step(secret: &[u8], code: &str, unix_time: u64) -> Option<u64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    totp(secret, "badge", "Badge")?.check(&code, unix_time)
}

/// The code of `step` (tests, and the setup page's tests, compute codes from the secret).
pub fn code_at(secret: &[u8], unix_time: u64) -> Option<String> {
    Some(
        totp(secret, "badge", "Badge")?
            .generate(unix_time)
            .to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B's SHA-1 secret and its code at 59 s (8 digits there: the last 6 here).
    const RFC_SECRET: &[u8] = b"12345678901234567890";

    #[test]
    fn codes_follow_rfc_6238() {
        assert_eq!(code_at(RFC_SECRET, 59).as_deref(), Some("287082"));
        assert_eq!(
            code_at(RFC_SECRET, 1_111_111_109).as_deref(),
            Some("081804")
        );
    }

    #[test]
    fn a_code_matches_its_step_and_one_step_either_side_only() {
        let secret = new_secret();
        let at = 1_800_000_000;
        let code = code_at(&secret, at).unwrap();
        let step = at / STEP_SECS;
        assert_eq!(matching_step(&secret, &code, at), Some(step));
        assert_eq!(matching_step(&secret, &code, at + STEP_SECS), Some(step));
        assert_eq!(matching_step(&secret, &code, at - STEP_SECS), Some(step));
        assert_eq!(matching_step(&secret, &code, at + 2 * STEP_SECS), None);
        assert_eq!(matching_step(&secret, "12345", at), None);
        assert_eq!(matching_step(&secret, "abcdef", at), None);
    }

    #[test]
    fn the_setup_url_names_the_issuer_and_the_account() {
        let (key, url) =
            setup_key_and_url(b"12345678901234567890", "ada@example.com", "Badge").unwrap();
        assert_eq!(key, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert!(
            url.starts_with("otpauth://totp/Badge:ada%40example.com?"),
            "{url}"
        );
        assert!(
            url.contains("secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"),
            "{url}"
        );
    }
}
