-- Two-factor authentication (TOTP, RFC 6238). One row per user who set it up: the secret sealed
-- under a key derived from AUTH_SECRET (the user id as associated data), `enabled_at` NULL until
-- a first code confirms the set-up, `last_step` the newest time step accepted (never twice).
CREATE TABLE two_factor (
    user_id       TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    sealed_secret TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    enabled_at    BIGINT,
    last_step     BIGINT NOT NULL DEFAULT 0
);

-- Backup codes: only an HMAC of each (key derived from AUTH_SECRET, bound to the user); a code is
-- used by deleting its row.
CREATE TABLE backup_codes (
    code_hmac TEXT PRIMARY KEY,
    user_id   TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE
);
CREATE INDEX backup_codes_user_id_idx ON backup_codes (user_id);

-- A right password with two-factor on: the challenge the browser answers with a code. The
-- browser holds the token (an HttpOnly cookie); the row its SHA-256. Consumed by deleting it.
CREATE TABLE two_factor_challenges (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    failures   BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX two_factor_challenges_expires_at_idx ON two_factor_challenges (expires_at);
