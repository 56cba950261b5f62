//! The account page's **Sessions** list: each session in words (browser and system, IP, last
//! active), the current one marked **This device**, every other with a **Revoke** button (a
//! form, so it works without WebAssembly).

use leptos::prelude::*;

use crate::{
    auth::RevokeSession,
    components::{eager::IntoEagerAny, server_form::ServerForm},
    wire::SessionInfo,
};

#[component]
pub fn SessionList(
    sessions: Vec<SessionInfo>,
    revoke: ServerAction<RevokeSession>,
) -> impl IntoView {
    view! {
        <h2 id="sessions-title">"Sessions"</h2>
        <ul class="sessions" aria-labelledby="sessions-title">
            {sessions
                .into_iter()
                .map(|session| view! { <SessionItem session revoke /> })
                .collect_view()}
        </ul>
    }
}

#[component]
fn SessionItem(session: SessionInfo, revoke: ServerAction<RevokeSession>) -> impl IntoView {
    let details = format!(
        "{} · last active {}",
        session.ip.as_deref().unwrap_or("unknown address"),
        utc_minute(session.last_seen_at),
    );
    let control = if session.current {
        view! { <span class="tag">"This device"</span> }.into_eager_any()
    } else {
        view! {
            <ServerForm action=revoke attr:class="inline">
                <input type="hidden" name="id" value=session.id />
                <button type="submit">"Revoke"</button>
            </ServerForm>
        }
        .into_eager_any()
    };
    view! {
        <li class="session">
            <div>
                <strong>{session.device}</strong>
                <p class="muted">{details}</p>
            </div>
            {control}
        </li>
    }
}

/// "25 Nov 2026, 16:21 UTC": the same text on the server and in the browser (no local zone,
/// so hydration never disagrees with the page the server sent).
pub fn utc_minute(unix_secs: i64) -> String {
    match time::OffsetDateTime::from_unix_timestamp(unix_secs) {
        Ok(at) => {
            let month = at.month().to_string();
            format!(
                "{} {} {}, {:02}:{:02} UTC",
                at.day(),
                &month[..3],
                at.year(),
                at.hour(),
                at.minute()
            )
        }
        Err(_) => "at an unknown time".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::utc_minute;

    #[test]
    fn times_read_as_utc_dates() {
        assert_eq!(utc_minute(1_795_623_660), "25 Nov 2026, 16:21 UTC");
        assert_eq!(utc_minute(i64::MAX), "at an unknown time");
    }
}
