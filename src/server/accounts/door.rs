//! The door: the ONE place that opens sessions. Every way in (a password today, with a second
//! factor when it is on; a passkey; external providers next) ends here with the user it
//! proved and how (`Proof`). The door decides whether a second factor is still owed (then it
//! leaves a challenge instead of a session), stores the session with its `amr` (RFC 8176), and
//! hands back an `OpenedSession`, the only value the web edge accepts to set a session cookie
//! (`AuthCall::start_session`): no way in can set the cookie without passing through here.

use sqlx::AnyConnection;

use super::{sessions, sessions::ClientInfo, Accounts};
use crate::domain::SessionToken;

/// How the person proved who they are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Proof {
    /// The account's password (sign-in, or sign-up choosing it).
    Password,
    /// The password, then a TOTP or backup code.
    PasswordAndCode,
    /// A passkey with user verification: something the person has, unlocked by something they
    /// know or are.
    Passkey,
    /// An external OpenID provider vouched for the person.
    Federated,
    /// An external provider, then a TOTP or backup code.
    FederatedAndCode,
}

impl Proof {
    /// The RFC 8176 `amr` values it stands for.
    pub fn amr(self) -> &'static [&'static str] {
        match self {
            Self::Password => &["pwd"],
            Self::PasswordAndCode => &["pwd", "otp", "mfa"],
            Self::Passkey => &["hwk", "user", "mfa"],
            Self::Federated => &["fed"],
            Self::FederatedAndCode => &["fed", "otp", "mfa"],
        }
    }

    /// The proof a right second-factor code completes, after the first factor `first` (the
    /// first `amr` value of the proof that left the challenge).
    pub fn with_code_after(first: &str) -> Self {
        match first {
            "fed" => Self::FederatedAndCode,
            _ => Self::PasswordAndCode,
        }
    }

    /// True when it is two factors already (nothing more can be owed).
    pub fn is_multi_factor(self) -> bool {
        self.amr().contains(&"mfa")
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

/// What the door did.
#[derive(Debug)]
pub enum Entry {
    Opened(OpenedSession),
    /// A second factor is owed: no session yet; the challenge's token, for its cookie.
    SecondFactorOwed(SessionToken),
}

impl Accounts {
    /// Lets in `user_id`, who proved who they are by `proof`: a session, or a challenge when a
    /// second factor is still owed. Inside the caller's transaction, so it commits with
    /// whatever made the proof hold, or not at all.
    pub(super) async fn enter(
        &self,
        conn: &mut AnyConnection,
        user_id: &str,
        proof: Proof,
        client: &ClientInfo,
    ) -> sqlx::Result<Entry> {
        if let Some(challenge) = self.second_factor_owed(conn, user_id, proof).await? {
            return Ok(Entry::SecondFactorOwed(challenge));
        }
        Ok(Entry::Opened(
            self.open_session(conn, user_id, proof, client).await?,
        ))
    }

    /// Opens the session itself (`enter` when nothing is owed; the second factor's answer).
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
    fn each_proof_has_its_rfc_8176_values() {
        assert_eq!(Proof::Password.amr(), ["pwd"]);
        assert_eq!(Proof::PasswordAndCode.amr(), ["pwd", "otp", "mfa"]);
        assert!(!Proof::Password.is_multi_factor());
        assert!(Proof::PasswordAndCode.is_multi_factor());
        assert_eq!(Proof::Passkey.amr(), ["hwk", "user", "mfa"]);
        assert!(Proof::Passkey.is_multi_factor());
        assert_eq!(Proof::Federated.amr(), ["fed"]);
        assert!(!Proof::Federated.is_multi_factor());
        assert_eq!(Proof::with_code_after("fed").amr(), ["fed", "otp", "mfa"]);
        assert_eq!(Proof::with_code_after("pwd"), Proof::PasswordAndCode);
    }
}
