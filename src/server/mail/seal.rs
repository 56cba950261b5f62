//! Mails at rest: an outbox row holds its mail sealed under a key derived from `AUTH_SECRET`
//! (`sealing::MAIL`, the row's id as associated data) and only the delivery worker opens it.
//! A reset link waiting out an SMTP outage is then useless to anyone reading the database, its
//! files, a backup or a replica; erasing the row after sending is no longer what protects it.

use crate::server::sealing::{self, SealError, Sealer};

pub struct MailSeal {
    current: Sealer,
    /// `AUTH_SECRET_PREVIOUS`: mails queued before the secret changed still open.
    previous: Vec<Sealer>,
}

impl MailSeal {
    pub fn new(secret: &[u8], previous: &[&[u8]]) -> Self {
        Self {
            current: Sealer::new(secret, sealing::MAIL),
            previous: previous
                .iter()
                .map(|secret| Sealer::new(secret, sealing::MAIL))
                .collect(),
        }
    }

    pub fn seal(&self, mail_id: &str, message: &str) -> Result<String, SealError> {
        self.current.seal(mail_id, message.as_bytes())
    }

    /// The mail as it was queued; `None` when it opens under no secret this instance knows (or
    /// was tampered with). A row queued before sealing existed is sent as it is.
    pub fn open(&self, mail_id: &str, stored: &str) -> Option<String> {
        if !Sealer::is_sealed(stored) {
            return Some(stored.to_owned());
        }
        std::iter::once(&self.current)
            .chain(&self.previous)
            .find_map(|sealer| sealer.open(mail_id, stored))
            .and_then(|bytes| String::from_utf8(bytes).ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_mail_hides_its_text_and_opens_for_its_row_only() {
        let seal = MailSeal::new(&[1; 32], &[]);
        let sealed = seal
            .seal("mail-1", "Subject: reset\r\n\r\ntoken=abc")
            .unwrap();

        assert!(!sealed.contains("token"));
        assert_eq!(
            seal.open("mail-1", &sealed).as_deref(),
            Some("Subject: reset\r\n\r\ntoken=abc")
        );
        assert_eq!(seal.open("mail-2", &sealed), None);
    }

    #[test]
    fn a_mail_sealed_under_the_previous_secret_still_opens() {
        let sealed = MailSeal::new(&[1; 32], &[]).seal("m", "text").unwrap();
        let rotated = MailSeal::new(&[2; 32], &[&[1; 32]]);

        assert_eq!(rotated.open("m", &sealed).as_deref(), Some("text"));
        assert_eq!(MailSeal::new(&[2; 32], &[]).open("m", &sealed), None);
    }
}
