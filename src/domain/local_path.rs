//! Where to go after signing in (`next`): only a path on this site, never an open redirect.

/// Longest `next` accepted; anything longer is not a link we made.
const MAX_LEN: usize = 4096;

/// `raw` when it is a path on this site (`/account`, `/a?b=c`), otherwise `/`. Refused:
/// anything not starting with one `/` (`https://evil.example`, `//evil.example`, which browsers
/// read as another host), backslashes (`/\evil.example` is the same trick), and control or
/// space characters.
pub fn local_path_or_root(raw: &str) -> &str {
    let local = raw.starts_with('/')
        && !raw.starts_with("//")
        && raw.len() <= MAX_LEN
        && !raw
            .chars()
            .any(|c| c == '\\' || c.is_control() || c.is_whitespace());
    if local {
        raw
    } else {
        "/"
    }
}

#[cfg(test)]
mod tests {
    use super::local_path_or_root;

    #[test]
    fn local_paths_are_kept() {
        for path in ["/", "/account", "/account?tab=sessions", "/a/b#c"] {
            assert_eq!(local_path_or_root(path), path);
        }
    }

    #[test]
    fn anything_that_could_leave_the_site_goes_home() {
        for raw in [
            "",
            "account",
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "/\t/evil.example",
            "/ /evil.example",
            "javascript:alert(1)",
            &format!("/{}", "a".repeat(5000)),
        ] {
            assert_eq!(local_path_or_root(raw), "/", "{raw:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn whatever_next_says_the_browser_stays_on_this_site(raw in ".*") {
            let path = local_path_or_root(&raw);
            proptest::prop_assert!(path.starts_with('/'));
            proptest::prop_assert!(!path.starts_with("//") && !path.contains('\\'));
        }
    }
}
