-- Tokens that follow the session (refresh tokens, introspection, revocation, connected apps).

-- Refresh tokens: only their SHA-256 is kept. Each use rotates the token (the used row stays,
-- marked, until it expires), and every token of one grant shares a family (the hash of the code
-- that started it): a used token presented again revokes the whole family. `offline` 1: granted with offline_access, outlives the session
-- it came from; 0: dies with that session.
CREATE TABLE oauth_refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    family_id TEXT NOT NULL,
    client_id TEXT NOT NULL REFERENCES oauth_clients (client_id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    session_id TEXT NOT NULL,
    offline BIGINT NOT NULL,
    scope TEXT NOT NULL,
    auth_time BIGINT NOT NULL,
    amr TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX oauth_refresh_tokens_family_idx ON oauth_refresh_tokens (family_id);
CREATE INDEX oauth_refresh_tokens_user_idx ON oauth_refresh_tokens (user_id, client_id);
CREATE INDEX oauth_refresh_tokens_expires_at_idx ON oauth_refresh_tokens (expires_at);

-- An access token remembers the session it speaks for (`sid`; none once refreshed after that
-- session ended), so a sign-out ends it. Its `code_hash` names its grant, which the refresh
-- family (`family_id`) shares: ending the grant ends both.
ALTER TABLE oauth_access_tokens ADD COLUMN session_id TEXT;
CREATE INDEX oauth_access_tokens_user_idx ON oauth_access_tokens (user_id, client_id);

-- The account page's Connected apps show when each app last used its grant.
ALTER TABLE oauth_consents ADD COLUMN last_used_at BIGINT;
