-- Accounts at external OpenID providers linked to local users: (provider, subject) is who the
-- provider says the person is; `email` is what it last said their address is (for the account
-- page). One account per provider and user.
CREATE TABLE external_identities (
    provider   TEXT NOT NULL,
    subject    TEXT NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    email      TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (provider, subject)
);
CREATE UNIQUE INDEX external_identities_user_provider_idx ON external_identities (user_id, provider);

-- A round trip to a provider under way: the `state` its callback must bring back, the `nonce`
-- its id_token must carry, the PKCE verifier, and where to go afterwards; for connecting a
-- provider from the account page, the signed-in user. Bound to the browser by an HttpOnly cookie
-- holding the token (the row its SHA-256); ten minutes; used once.
CREATE TABLE oidc_round_trips (
    token_hash    TEXT PRIMARY KEY,
    provider      TEXT NOT NULL,
    state         TEXT NOT NULL,
    nonce         TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    user_id       TEXT REFERENCES users (id) ON DELETE CASCADE,
    next          TEXT NOT NULL,
    expires_at    BIGINT NOT NULL
);
CREATE INDEX oidc_round_trips_expires_at_idx ON oidc_round_trips (expires_at);

-- What the person proved before a second factor was asked: `pwd` (a password) or `fed` (an
-- external provider), so the session records both (`amr`).
ALTER TABLE two_factor_challenges ADD COLUMN first_factor TEXT NOT NULL DEFAULT 'pwd';
