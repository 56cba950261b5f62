//! The door: the ONE place that opens sessions. Every way in (a password today; passkeys and
//! external providers next) ends here with the user it proved and how (`Proof`), and the door
//! stores the session with its `amr` (RFC 8176) and hands back an `OpenedSession`, the only
//! value the web edge accepts to set a session cookie (`AuthCall::start_session`): a new way in
//! cannot set the cookie without passing through here. The decision whether a second factor is
//! still owed belongs here too (two-factor authentication builds on it).

use sqlx::AnyConnection;

use super::{sessions, sessions::ClientInfo, Accounts};
use crate::domain::SessionToken;

/// How the person proved who they are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Proof {
    /// The account's password (sign-in, or sign-up choosing it).
    Password,
}

impl Proof {
    /// The RFC 8176 `amr` values it stands for.
    pub fn amr(self) -> &'static [&'static str] {
        match self {
            Self::Password => &["pwd"],
        }
    }
}

/// A session the door opened: its token, for the cookie. Only this module makes one.
#[derive(Debug)]
pub struct OpenedSession {
    token: SessionToken,
}

impl OpenedSession {
    pub fn token(&self) -> &SessionToken {
        &self.token
    }
}

impl Accounts {
    /// Opens a session for `user_id`, who proved who they are by `proof`, inside the caller's
    /// transaction (so it commits with whatever made the proof hold, or not at all).
    pub(super) async fn open_session(
        &self,
        conn: &mut AnyConnection,
        user_id: &str,
        proof: Proof,
        client: &ClientInfo,
    ) -> sqlx::Result<OpenedSession> {
        let amr = proof.amr().join(" ");
        let token = sessions::create(conn, user_id, &amr, self.sessions, client).await?;
        Ok(OpenedSession { token })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_is_recorded_as_pwd() {
        assert_eq!(Proof::Password.amr(), ["pwd"]);
    }
}
