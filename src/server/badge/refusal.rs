//! Why a presented badge was refused: the sentence for `error_description`, and a short code
//! for the metrics.

/// Why a presented badge was refused; the text becomes `error_description`.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum BadgeError {
    #[error("The token has expired")]
    Expired,
    #[error("The token is not valid yet")]
    NotYetValid,
    #[error("The token signature is invalid")]
    BadSignature,
    #[error("The token algorithm is not allowed")]
    WrongAlgorithm,
    #[error("The token issuer is not accepted")]
    WrongIssuer,
    #[error("The token audience is not accepted")]
    WrongAudience,
    #[error("The token is missing the required claim {0}")]
    MissingClaim(String),
    /// Any `crit` header: we understand no extension (RFC 7515 §4.1.11).
    #[error("The token names critical header parameters we do not support")]
    CriticalHeader,
    #[error("The token names no key (kid)")]
    MissingKeyId,
    #[error("The token's key is not one of ours")]
    UnknownKey,
    /// A JWT of another kind (`typ`), e.g. an id_token presented where an access token belongs.
    #[error("The token is not of the expected type")]
    WrongType,
    #[error("The token is too large")]
    TooLarge,
    #[error("The token is malformed")]
    Malformed,
}

impl BadgeError {
    /// A stable label (`badge_badges_refused_total{reason}`).
    pub fn code(&self) -> &'static str {
        match self {
            Self::Expired => "expired",
            Self::NotYetValid => "not_yet_valid",
            Self::BadSignature => "bad_signature",
            Self::WrongAlgorithm => "wrong_algorithm",
            Self::WrongIssuer => "wrong_issuer",
            Self::WrongAudience => "wrong_audience",
            Self::MissingClaim(_) => "missing_claim",
            Self::CriticalHeader => "critical_header",
            Self::MissingKeyId => "missing_kid",
            Self::UnknownKey => "unknown_key",
            Self::WrongType => "wrong_type",
            Self::TooLarge => "too_large",
            Self::Malformed => "malformed",
        }
    }
}
