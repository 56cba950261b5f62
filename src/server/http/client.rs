//! Who is calling: the client's IP (the socket peer, or behind a trusted proxy the address it
//! forwarded) and user agent.

use std::net::{IpAddr, SocketAddr};

use axum::{
    extract::ConnectInfo,
    http::{header, request::Parts},
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
        ip: client_ip(parts, peer, trust_proxy),
        user_agent,
    }
}

/// The socket peer, or with `TRUST_PROXY=true` the right-most `X-Forwarded-For` entry: the one
/// your own proxy appended (entries to its left are whatever the client claimed). Exactly that
/// entry: if it is not an address, the peer counts, never an entry further left (which the
/// client would choose).
fn client_ip(parts: &Parts, peer: Option<IpAddr>, trust_proxy: bool) -> IpAddr {
    let forwarded = || {
        let last_header = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .next_back()?;
        let last_entry = last_header.to_str().ok()?.rsplit(',').next()?;
        last_entry.trim().parse::<IpAddr>().ok()
    };
    trust_proxy
        .then(forwarded)
        .flatten()
        .or(peer)
        .unwrap_or(IpAddr::from([0, 0, 0, 0]))
}
