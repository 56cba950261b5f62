//! Notices a page shows after a plain form's redirect (`?notice=…`): only codes this app knows,
//! each mapped to our own words, so a link can never make the page say something else.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// Our text for a notice code, `None` for anything else.
pub fn notice_text(code: &str) -> Option<&'static str> {
    Some(match code {
        "password-changed" => "Password changed. Every other session has been signed out.",
        "password-reset" => {
            "Your password has been reset and every session signed out. Sign in with the new \
             password."
        }
        "verify-email" => {
            "Almost there: we have sent you a link to verify your email address. Open it, then \
             sign in."
        }
        "verify-email-file" => {
            "Almost there: a link to verify your email address is in a mail. No SMTP_URL is set, \
             so mails are files: open the newest .eml in the outbox folder the server's log \
             names (data/outbox/ unless MAIL_OUTBOX_DIR says otherwise), copy the link, then \
             sign in."
        }
        "welcome" => "Welcome! We have sent you a link to verify your email address.",
        "welcome-mail-file" => {
            "Welcome! A link to verify your email address is in a mail. No SMTP_URL is set, so \
             mails are files: open the newest .eml in the outbox folder the server's log names \
             (data/outbox/ unless MAIL_OUTBOX_DIR says otherwise) and copy the link."
        }
        "reset-sent" => {
            "If an account exists for that address, a link to reset its password is on its way. \
             Check your inbox."
        }
        "verification-sent" => "A new verification link is on its way. Check your inbox.",
        "provider-connected" => "Connected. You can now sign in with it.",
        "provider-disconnected" => "Disconnected. It no longer signs you in.",
        "app-revoked" => "Revoked. That app can no longer use your Badge account.",
        "passkey-added" => "Passkey added. Next time, sign in with it: no password needed.",
        _ => return None,
    })
}

/// The `notice` of the current URL, if it is one we know, in a status line.
#[component]
pub fn QueryNotice() -> impl IntoView {
    let query = use_query_map();
    move || {
        query
            .read()
            .get("notice")
            .and_then(|code| notice_text(&code))
            .map(|text| view! { <p role="status">{text}</p> })
    }
}

#[cfg(test)]
mod tests {
    use super::notice_text;

    #[test]
    fn only_known_codes_have_words() {
        assert!(notice_text("password-reset").is_some());
        assert_eq!(notice_text("Your account is locked, call +1 555"), None);
    }
}
