//! The mails Badge sends, from the templates beside this file (`templates/*.txt` and `*.html`:
//! change the words there). Each mail has a plain-text and an HTML part, a clear subject,
//! `Date`, a `Message-ID` on the site's domain, and a link built from `SITE_URL`. The plain-text
//! part goes as written (7bit), so the link in a mail file
//! is one unbroken line a person can copy from a terminal; the HTML part is quoted-printable.

use std::time::Duration;

use lettre::{
    message::{header, Body, Mailbox, MultiPart, SinglePart},
    Message,
};

use super::MailError;

const VERIFY_TEXT: &str = include_str!("templates/verify_email.txt");
const VERIFY_HTML: &str = include_str!("templates/verify_email.html");
const RESET_TEXT: &str = include_str!("templates/reset_password.txt");
const RESET_HTML: &str = include_str!("templates/reset_password.html");

/// A formatted mail, ready for the outbox: the same bytes go out on every attempt.
pub struct Outgoing {
    pub id: String,
    pub sender: String,
    pub recipient: String,
    pub message: String,
}

/// Writes the mails for one site.
#[derive(Clone, Debug)]
pub struct Composer {
    from: Mailbox,
    /// The site's origin, e.g. `https://badge.example.com`, for links.
    site: String,
    /// The site's host, for `Message-ID`.
    host: String,
    reset_ttl: Duration,
}

impl Composer {
    pub fn new(from: Mailbox, site: String, host: String, reset_ttl: Duration) -> Self {
        Self {
            from,
            site,
            host,
            reset_ttl,
        }
    }

    /// How long a password-reset link lives (`RESET_TTL`).
    pub fn reset_ttl(&self) -> Duration {
        self.reset_ttl
    }

    pub fn verify_email(&self, to: &str, token: &str) -> Result<Outgoing, MailError> {
        let link = format!("{}/verify-email?token={token}", self.site);
        self.compose(
            to,
            "Verify your email address",
            VERIFY_TEXT,
            VERIFY_HTML,
            &link,
        )
    }

    pub fn reset_password(&self, to: &str, token: &str) -> Result<Outgoing, MailError> {
        let link = format!("{}/reset-password?token={token}", self.site);
        self.compose(to, "Reset your password", RESET_TEXT, RESET_HTML, &link)
    }

    fn compose(
        &self,
        to: &str,
        subject: &str,
        text: &str,
        html: &str,
        link: &str,
    ) -> Result<Outgoing, MailError> {
        let id = uuid::Uuid::new_v4().to_string();
        let fill = |template: &str, escape: bool| {
            let site = if escape {
                html_escape::encode_text(&self.site).into_owned()
            } else {
                self.site.clone()
            };
            let link = if escape {
                html_escape::encode_double_quoted_attribute(link).into_owned()
            } else {
                link.to_owned()
            };
            template
                .replace("{{link}}", &link)
                .replace("{{site}}", &site)
                .replace("{{lifetime}}", &lifetime(self.reset_ttl))
        };
        let recipient: Mailbox = to.parse().map_err(|_| MailError::Address(to.to_owned()))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(recipient)
            .subject(subject)
            .message_id(Some(format!("<{id}@{}>", self.host)))
            .multipart(
                MultiPart::alternative()
                    .singlepart(
                        SinglePart::builder()
                            .header(header::ContentType::TEXT_PLAIN)
                            .body(as_written(fill(text, false))),
                    )
                    .singlepart(SinglePart::html(fill(html, true))),
            )?;
        Ok(Outgoing {
            id,
            sender: self.from.email.to_string(),
            recipient: to.to_owned(),
            message: String::from_utf8(message.formatted()).map_err(|_| MailError::NotAscii)?,
        })
    }
}

/// `text` as written (7bit), so its link stays one line: lettre's own choice would make any
/// line over 76 characters quoted-printable, and a link is longer. Mail allows 998 (RFC 5322
/// §2.1.1); a text that is not ASCII or has a longer line gets lettre's choice.
fn as_written(text: String) -> Body {
    let crlf = text.replace("\r\n", "\n").replace('\n', "\r\n");
    let fits =
        crlf.is_ascii() && !crlf.contains('\0') && crlf.split("\r\n").all(|line| line.len() <= 998);
    if fits {
        Body::dangerous_pre_encoded(crlf.into_bytes(), header::ContentTransferEncoding::SevenBit)
    } else {
        Body::new(text)
    }
}

/// "30 minutes", "2 hours", "1 day" (`RESET_TTL` in words).
fn lifetime(ttl: Duration) -> String {
    let minutes = ttl.as_secs().div_ceil(60);
    let (n, unit) = match minutes {
        m if m % 1440 == 0 => (m / 1440, "day"),
        m if m % 60 == 0 => (m / 60, "hour"),
        m => (m, "minute"),
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn composer() -> Composer {
        Composer::new(
            "Badge <no-reply@badge.example.com>".parse().unwrap(),
            "https://badge.example.com".into(),
            "badge.example.com".into(),
            Duration::from_secs(30 * 60),
        )
    }

    #[test]
    fn a_reset_mail_has_both_parts_a_subject_date_and_message_id() {
        let mail = composer()
            .reset_password("ada@example.com", "tok_en-123")
            .unwrap();

        let text = &mail.message;
        assert!(text.contains("Subject: Reset your password"), "{text}");
        assert!(text.contains("\r\nDate: "), "{text}");
        assert!(
            text.contains(&format!("Message-ID: <{}@badge.example.com>", mail.id)),
            "{text}"
        );
        assert!(text.contains("Content-Type: text/plain"), "{text}");
        assert!(text.contains("Content-Type: text/html"), "{text}");
        // The plain part as written, its link whole; the HTML part is transfer-encoded (the
        // mail tests read both back through a real SMTP server and Python's MIME parser).
        assert!(
            text.lines()
                .any(|line| line == "https://badge.example.com/reset-password?token=tok_en-123"),
            "{text}"
        );
        assert_eq!(mail.recipient, "ada@example.com");
        assert_eq!(mail.sender, "no-reply@badge.example.com");
    }

    #[test]
    fn lifetimes_read_as_words() {
        assert_eq!(lifetime(Duration::from_secs(60)), "1 minute");
        assert_eq!(lifetime(Duration::from_secs(45 * 60)), "45 minutes");
        assert_eq!(lifetime(Duration::from_secs(7200)), "2 hours");
        assert_eq!(lifetime(Duration::from_secs(86_400)), "1 day");
    }
}
