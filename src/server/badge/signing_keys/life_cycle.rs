//! The key life cycle as a pure function of the stored keys and the time, so tests can drive the
//! clock: next (published, not yet signing) → active (signs; exactly one) → retired (published,
//! verifies only) → deleted.

use std::time::Duration;

use crate::server::clock::secs;

/// JWKS `Cache-Control: max-age`: how long a verifier may use a key set it fetched.
pub const JWKS_MAX_AGE: Duration = Duration::from_secs(300);

/// What the life cycle needs to know of one stored key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyTimes {
    pub kid: String,
    pub generation: i64,
    pub activates_at: i64,
    pub retires_at: Option<i64>,
}

#[derive(Clone, Copy, Debug)]
pub struct Timings {
    /// `JWT_KEY_ROTATION`; `None` turns automatic rotation off.
    pub rotation: Option<Duration>,
    /// `JWT_TTL`: a retired key must verify the badges it signed until they expire.
    pub badge_ttl: Duration,
}

/// A change the life cycle asks for now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// No key signs: create one that signs at once.
    CreateActive,
    /// Publish the next key now; it signs from `activates_at`, when the active one retires.
    CreateNext { activates_at: i64 },
    /// Retired long enough that no valid badge and no cached key set needs it.
    Delete { kid: String },
}

/// The state a key is in at `now`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyState {
    Next,
    Active,
    Retired,
}

impl KeyState {
    pub fn of(key: &KeyTimes, now: i64) -> Self {
        Self::at(key.activates_at, key.retires_at, now)
    }

    /// The state at `now` of a key signing from `activates_at` until `retires_at`.
    pub fn at(activates_at: i64, retires_at: Option<i64>, now: i64) -> Self {
        if activates_at > now {
            Self::Next
        } else if retires_at.is_some_and(|retires| retires <= now) {
            Self::Retired
        } else {
            Self::Active
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Next => "next",
            Self::Active => "active",
            Self::Retired => "retired",
        }
    }
}

/// The key that signs at `now`: the newest generation that has activated and not retired.
pub fn active(keys: &[KeyTimes], now: i64) -> Option<&KeyTimes> {
    keys.iter()
        .filter(|key| KeyState::of(key, now) == KeyState::Active)
        .max_by_key(|key| key.generation)
}

/// What is due at `now`.
pub fn due(keys: &[KeyTimes], now: i64, timings: Timings) -> Vec<Step> {
    let mut steps = Vec::new();
    match active(keys, now) {
        None => steps.push(Step::CreateActive),
        Some(current) => {
            let has_next = keys.iter().any(|key| key.generation > current.generation);
            if let (Some(rotation), false) = (timings.rotation, has_next) {
                // Published at least two cache lifetimes before it signs, so every verifier
                // has seen it by then.
                let lead = 2 * secs(JWKS_MAX_AGE);
                let rotates_at = current.activates_at.saturating_add(secs(rotation));
                if now >= rotates_at.saturating_sub(lead) {
                    steps.push(Step::CreateNext {
                        activates_at: rotates_at.max(now.saturating_add(lead)),
                    });
                }
            }
        }
    }
    let keep = secs(timings.badge_ttl).saturating_add(secs(JWKS_MAX_AGE));
    for key in keys {
        if key
            .retires_at
            .is_some_and(|retired| retired.saturating_add(keep) <= now)
        {
            steps.push(Step::Delete {
                kid: key.kid.clone(),
            });
        }
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400;

    fn key(generation: i64, activates_at: i64, retires_at: Option<i64>) -> KeyTimes {
        KeyTimes {
            kid: format!("k{generation}"),
            generation,
            activates_at,
            retires_at,
        }
    }

    fn timings(rotation_days: Option<u64>) -> Timings {
        Timings {
            rotation: rotation_days.map(|d| Duration::from_secs(d * 86_400)),
            badge_ttl: Duration::from_secs(900),
        }
    }

    #[test]
    fn with_no_key_one_is_created_that_signs_at_once() {
        assert_eq!(due(&[], 1000, timings(Some(30))), [Step::CreateActive]);
    }

    #[test]
    fn the_next_key_is_published_two_cache_lifetimes_before_it_signs() {
        let keys = [key(1, 0, None)];
        let rotates_at = 30 * DAY;

        assert_eq!(due(&keys, rotates_at - 601, timings(Some(30))), []);
        assert_eq!(
            due(&keys, rotates_at - 600, timings(Some(30))),
            [Step::CreateNext {
                activates_at: rotates_at
            }]
        );
        // Late (the process was down): still two lifetimes of warning.
        assert_eq!(
            due(&keys, rotates_at + 50, timings(Some(30))),
            [Step::CreateNext {
                activates_at: rotates_at + 650
            }]
        );
    }

    #[test]
    fn no_second_next_key_and_no_rotation_when_it_is_off() {
        let keys = [key(1, 0, Some(30 * DAY)), key(2, 30 * DAY, None)];
        assert_eq!(due(&keys, 30 * DAY - 10, timings(Some(30))), []);
        assert_eq!(due(&[key(1, 0, None)], 400 * DAY, timings(None)), []);
    }

    #[test]
    fn exactly_one_key_is_active_across_a_rotation() {
        let keys = [key(1, 0, Some(100)), key(2, 100, None)];
        assert_eq!(active(&keys, 99).map(|k| k.generation), Some(1));
        assert_eq!(active(&keys, 100).map(|k| k.generation), Some(2));
        assert_eq!(KeyState::of(&keys[1], 99), KeyState::Next);
        assert_eq!(KeyState::of(&keys[0], 100), KeyState::Retired);
    }

    #[test]
    fn a_retired_key_is_kept_for_the_badge_ttl_plus_the_cache_lifetime() {
        let keys = [key(1, 0, Some(100)), key(2, 100, None)];
        let kept_until = 100 + 900 + 300;

        assert_eq!(due(&keys, kept_until - 1, timings(None)), []);
        assert_eq!(
            due(&keys, kept_until, timings(None)),
            [Step::Delete { kid: "k1".into() }]
        );
    }
}
