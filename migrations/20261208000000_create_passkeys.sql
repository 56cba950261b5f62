-- Passkeys (WebAuthn). One row per credential: its id (base64url; one account only), the name
-- its owner gave it, and webauthn-rs' record of it as JSON (public key, signature counter,
-- backup flags: nothing secret).
CREATE TABLE passkeys (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    credential_id TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    credential    TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    last_used_at  BIGINT
);
CREATE INDEX passkeys_user_id_idx ON passkeys (user_id);

-- A passkey ceremony under way (adding a passkey, or signing in with one): webauthn-rs' state,
-- bound to the browser by an HttpOnly cookie that holds the token (the row its SHA-256).
-- `purpose` keeps a registration's challenge from completing a sign-in and the reverse. Used
-- once: consumed by deleting it.
CREATE TABLE passkey_ceremonies (
    token_hash TEXT PRIMARY KEY,
    purpose    TEXT NOT NULL,
    user_id    TEXT REFERENCES users (id) ON DELETE CASCADE,
    state      TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX passkey_ceremonies_expires_at_idx ON passkey_ceremonies (expires_at);
