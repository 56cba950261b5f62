//! The JOSE header as sent, for what jsonwebtoken's `Header` does not check: `crit`.

use std::fmt;

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};

/// Why a header is refused before its signature is looked at.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum HeaderRefusal {
    /// The first segment is not a base64url-encoded JSON object.
    Unreadable,
    /// It has a `crit` member (whatever its value, even `null` or `[]`): RFC 7515 §4.1.11 says
    /// a recipient must refuse extensions it does not understand, and we understand none.
    Critical,
}

/// Refuses a token whose header names critical parameters (or cannot be read at all), and any
/// token with `=` in it: RFC 7515 base64url has no padding (jsonwebtoken 11 refuses it too;
/// checked here so no dependency update can start accepting it).
pub(super) fn check(token: &str) -> Result<(), HeaderRefusal> {
    if token.contains('=') {
        return Err(HeaderRefusal::Unreadable);
    }
    let segment = token.split('.').next().unwrap_or_default();
    let json = URL_SAFE_NO_PAD
        .decode(segment)
        .map_err(|_| HeaderRefusal::Unreadable)?;
    let scan: MemberScan = serde_json::from_slice(&json).map_err(|_| HeaderRefusal::Unreadable)?;
    if scan.has_crit {
        return Err(HeaderRefusal::Critical);
    }
    Ok(())
}

/// A JSON object's member names, looked at without keeping any name or value (the header is
/// read again by jsonwebtoken; this pass allocates nothing but the decoded bytes).
struct MemberScan {
    has_crit: bool,
}

impl<'de> Deserialize<'de> for MemberScan {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(MemberScanVisitor)
    }
}

struct MemberScanVisitor;

impl<'de> Visitor<'de> for MemberScanVisitor {
    type Value = MemberScan;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut members: A) -> Result<MemberScan, A::Error> {
        let mut has_crit = false;
        while let Some(IsCrit(crit)) = members.next_key()? {
            has_crit |= crit;
            members.next_value::<IgnoredAny>()?;
        }
        Ok(MemberScan { has_crit })
    }
}

/// Whether a member name (escapes decoded) is `crit`.
struct IsCrit(bool);

impl<'de> Deserialize<'de> for IsCrit {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NameVisitor;
        impl Visitor<'_> for NameVisitor {
            type Value = IsCrit;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a member name")
            }

            fn visit_str<E>(self, name: &str) -> Result<IsCrit, E> {
                Ok(IsCrit(name == "crit"))
            }
        }
        deserializer.deserialize_str(NameVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token_with_header(header: &str) -> String {
        format!("{}.e30.c2ln", URL_SAFE_NO_PAD.encode(header))
    }

    #[test]
    fn any_crit_member_is_refused_and_a_plain_header_passes() {
        let plain = r#"{"alg":"HS256","typ":"JWT"}"#;
        assert_eq!(check(&token_with_header(plain)), Ok(()));
        for header in [
            r#"{"alg":"HS256","crit":["exp"],"exp":1}"#,
            r#"{"alg":"HS256","crit":[]}"#,
            r#"{"alg":"HS256","crit":null}"#,
            r#"{"alg":"HS256","crit":"b64","b64":false}"#,
            r#"{"alg":"HS256","crit":1,"crit":2}"#,
            r#"{"alg":"HS256","cr\u0069t":["exp"]}"#,
        ] {
            assert_eq!(
                check(&token_with_header(header)),
                Err(HeaderRefusal::Critical),
                "{header}"
            );
        }
    }

    #[test]
    fn a_header_that_is_not_a_base64url_json_object_is_unreadable() {
        for token in [
            "".to_owned(),
            "!!!.e30.c2ln".to_owned(),
            token_with_header("[1,2,3]"),
            token_with_header("not json"),
            format!("{}=.e30.c2ln", URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256"}"#)),
        ] {
            assert_eq!(check(&token), Err(HeaderRefusal::Unreadable), "{token}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_token_is_read_or_refused_without_panicking(token in ".*") {
            let _ = check(&token);
        }

        #[test]
        fn any_header_object_is_read_or_refused_without_panicking(header in "\\{.*\\}") {
            let _ = check(&token_with_header(&header));
        }
    }
}
