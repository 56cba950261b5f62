//! Scopes: the ones Badge knows, in a fixed order, with the words the consent page shows.
//! Unknown scope values are ignored, as OpenID Connect Core §5.4 asks.

use std::fmt;

/// Every scope Badge grants, in the order they are shown and written.
const KNOWN: [(&str, &str); 4] = [
    (
        "openid",
        "Know who you are on Badge (an identifier for your account)",
    ),
    ("email", "See your email address and whether it is verified"),
    ("profile", "See your basic profile"),
    (
        OFFLINE_ACCESS,
        "Stay connected when you are not using it, until you revoke it on your account page",
    ),
];

/// Asks for a refresh token that outlives the Badge session (OpenID Connect Core §11).
pub const OFFLINE_ACCESS: &str = "offline_access";

/// A set of known scopes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Scopes(u8);

impl Scopes {
    /// The known scopes named in a space-separated `scope` parameter.
    pub fn parse(raw: &str) -> Self {
        let mut bits = 0;
        for name in raw.split(' ') {
            if let Some(index) = KNOWN.iter().position(|(known, _)| *known == name) {
                bits |= 1 << index;
            }
        }
        Self(bits)
    }

    pub fn has(self, name: &str) -> bool {
        KNOWN
            .iter()
            .position(|(known, _)| *known == name)
            .is_some_and(|index| self.0 & (1 << index) != 0)
    }

    /// True when every scope of `self` is in `granted`.
    pub fn within(self, granted: Self) -> bool {
        self.0 & !granted.0 == 0
    }

    pub fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    /// These scopes without `name`.
    pub fn without(self, name: &str) -> Self {
        match KNOWN.iter().position(|(known, _)| *known == name) {
            Some(index) => Self(self.0 & !(1 << index)),
            None => self,
        }
    }

    fn names(self) -> impl Iterator<Item = (&'static str, &'static str)> {
        KNOWN
            .into_iter()
            .enumerate()
            .filter(move |(index, _)| self.0 & (1 << index) != 0)
            .map(|(_, known)| known)
    }

    /// What the consent page lists, one sentence per scope.
    pub fn in_words(self) -> Vec<String> {
        self.names().map(|(_, words)| words.to_owned()).collect()
    }
}

impl fmt::Display for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<_> = self.names().map(|(name, _)| name).collect();
        f.write_str(&names.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::Scopes;

    #[test]
    fn known_scopes_are_kept_in_order_and_unknown_ones_ignored() {
        let scopes = Scopes::parse("email  openid phone");
        assert_eq!(scopes.to_string(), "openid email");
        assert!(scopes.has("openid") && !scopes.has("profile") && !scopes.has("phone"));
        let offline = Scopes::parse("openid offline_access");
        assert_eq!(offline.without("offline_access").to_string(), "openid");
        assert_eq!(offline.without("phone"), offline);
    }

    #[test]
    fn a_request_within_the_granted_scopes_needs_no_new_consent() {
        let granted = Scopes::parse("openid email");
        assert!(Scopes::parse("openid").within(granted));
        assert!(!Scopes::parse("openid profile").within(granted));
        assert_eq!(
            granted.union(Scopes::parse("profile")).to_string(),
            "openid email profile"
        );
    }
}
