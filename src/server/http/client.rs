//! Who is calling: the client's IP (the socket peer, or behind a trusted proxy the address it
//! forwarded) and user agent.

use std::net::{IpAddr, SocketAddr};

use axum::{
    extract::ConnectInfo,
    http::{header, request::Parts, HeaderMap},
};

use crate::server::accounts::sessions::ClientInfo;

/// Longest user agent kept with a session.
const MAX_USER_AGENT_CHARS: usize = 512;

pub fn client_info(parts: &Parts, trust_proxy: bool) -> ClientInfo {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let user_agent = parts
        .headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|ua| ua.chars().take(MAX_USER_AGENT_CHARS).collect());
    ClientInfo {
        ip: client_ip(&parts.headers, peer, trust_proxy),
        user_agent,
    }
}

/// The socket peer, or with `TRUST_PROXY=true` the right-most `X-Forwarded-For` entry: the one
/// your own proxy appended (entries to its left are whatever the client claimed). Exactly that
/// entry: if it is not an address, the peer counts, never an entry further left (which the
/// client would choose).
pub fn client_ip(headers: &HeaderMap, peer: Option<IpAddr>, trust_proxy: bool) -> IpAddr {
    let forwarded = || {
        let last_header = headers.get_all("x-forwarded-for").iter().next_back()?;
        let last_entry = last_header.to_str().ok()?.rsplit(',').next()?;
        last_entry.trim().parse::<IpAddr>().ok()
    };
    trust_proxy
        .then(forwarded)
        .flatten()
        .or(peer)
        .unwrap_or(IpAddr::from([0, 0, 0, 0]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use proptest::{collection::vec, num::u8, prop_assert, proptest};

    proptest! {
        #[test]
        fn any_forwarded_headers_give_the_peer_or_the_last_entry(
            values in vec(vec(u8::ANY, 0..40), 0..4),
        ) {
            let mut headers = HeaderMap::new();
            for value in values {
                if let Ok(value) = HeaderValue::from_bytes(&value) {
                    headers.append("x-forwarded-for", value);
                }
            }
            let peer = IpAddr::from([192, 0, 2, 1]);
            let ip = client_ip(&headers, Some(peer), true);
            let last_entry = headers
                .get_all("x-forwarded-for")
                .iter()
                .next_back()
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.rsplit(',').next())
                .map(|entry| entry.trim().to_owned());
            prop_assert!(ip == peer || last_entry == Some(ip.to_string()) || last_entry.is_some_and(|e| e.parse() == Ok(ip)));
        }
    }

    #[test]
    fn without_a_trusted_proxy_the_peer_counts() {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", HeaderValue::from_static("203.0.113.5"));
        let peer = IpAddr::from([192, 0, 2, 1]);
        assert_eq!(client_ip(&headers, Some(peer), false), peer);
        assert_eq!(
            client_ip(&headers, Some(peer), true),
            IpAddr::from([203, 0, 113, 5])
        );
    }
}
