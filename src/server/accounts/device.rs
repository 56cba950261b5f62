//! A session's user agent in words for people ("Firefox on Linux", "Safari on iPhone"), by the
//! woothee parser. The raw string stays in the API answer; this is only for reading.

use woothee::{parser::Parser, woothee::VALUE_UNKNOWN};

/// "Browser on system", or as much of it as the user agent tells.
pub fn describe(user_agent: Option<&str>) -> String {
    let parsed = user_agent.and_then(|agent| Parser::new().parse(agent));
    let known =
        |value: &str| (!value.is_empty() && value != VALUE_UNKNOWN).then(|| value.to_owned());
    let browser = parsed.as_ref().and_then(|p| known(p.name));
    let system = parsed.as_ref().and_then(|p| known(p.os)).map(system_name);
    match (browser, system) {
        (Some(browser), Some(system)) => format!("{browser} on {system}"),
        (Some(browser), None) => browser,
        (None, Some(system)) => format!("A browser on {system}"),
        (None, None) => "An unknown browser".into(),
    }
}

/// woothee's names, spelled the way their makers spell them today.
fn system_name(os: String) -> String {
    match os.as_str() {
        "Mac OSX" => "macOS".into(),
        _ => os,
    }
}

#[cfg(test)]
mod tests {
    use super::describe;

    #[test]
    fn common_browsers_read_as_browser_on_system() {
        for (agent, words) in [
            (
                "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
                "Firefox on Linux",
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 \
                 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
                "Safari on iPhone",
            ),
            (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like \
                 Gecko) Chrome/131.0.0.0 Safari/537.36",
                "Chrome on macOS",
            ),
        ] {
            assert_eq!(describe(Some(agent)), words, "{agent}");
        }
    }

    #[test]
    fn unknown_or_missing_agents_still_read_as_words() {
        assert_eq!(describe(None), "An unknown browser");
        assert_eq!(describe(Some("")), "An unknown browser");
        assert_eq!(describe(Some("made-up-agent")), "An unknown browser");
    }
}
