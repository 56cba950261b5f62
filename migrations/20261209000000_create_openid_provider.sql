-- Badge as an OpenID Provider.

-- RS256 keys join the signing keys: generations now count per algorithm, so each algorithm has
-- its own life cycle (exactly one active key per algorithm). Portable: SQLite cannot drop a
-- constraint, so the table is rebuilt.
CREATE TABLE signing_keys_by_algorithm (
    kid TEXT PRIMARY KEY,
    generation BIGINT NOT NULL,
    algorithm TEXT NOT NULL,
    public_key TEXT NOT NULL,
    sealed_private_key TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    activates_at BIGINT NOT NULL,
    retires_at BIGINT,
    UNIQUE (algorithm, generation)
);
INSERT INTO signing_keys_by_algorithm (kid, generation, algorithm, public_key,
    sealed_private_key, created_at, activates_at, retires_at)
    SELECT kid, generation, algorithm, public_key, sealed_private_key, created_at, activates_at,
        retires_at FROM signing_keys;
DROP TABLE signing_keys;
ALTER TABLE signing_keys_by_algorithm RENAME TO signing_keys;

-- Clients registered by the operator (`badge clients add`). Only the SHA-256 of a confidential
-- client's secret is kept (256 random bits: no slow hash needed). Redirect URIs are a JSON array,
-- matched exactly.
CREATE TABLE oauth_clients (
    client_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    secret_hash TEXT,
    redirect_uris TEXT NOT NULL,
    post_logout_uris TEXT NOT NULL,
    -- `confidential` (has a secret), `public` (PKCE only) or `introspection` (a vault).
    kind TEXT NOT NULL,
    -- 1: the operator's own app, no consent page; 0 otherwise.
    first_party BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

-- What a person allowed a client: remembered per client, asked again for more scopes.
CREATE TABLE oauth_consents (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    client_id TEXT NOT NULL REFERENCES oauth_clients (client_id) ON DELETE CASCADE,
    scope TEXT NOT NULL,
    granted_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, client_id)
);

-- Authorization codes (only their SHA-256), single use, bound to the client, the redirect URI
-- and the PKCE challenge. A used code stays until it expires, so a second use is recognised.
CREATE TABLE oauth_codes (
    code_hash TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES oauth_clients (client_id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    session_id TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    scope TEXT NOT NULL,
    nonce TEXT,
    code_challenge TEXT,
    auth_time BIGINT NOT NULL,
    amr TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX oauth_codes_expires_at_idx ON oauth_codes (expires_at);

-- Access tokens are JWTs; each one's `jti` is recorded with the code it came from, so a reused
-- code revokes them (userinfo accepts only a recorded token).
CREATE TABLE oauth_access_tokens (
    jti TEXT PRIMARY KEY,
    code_hash TEXT NOT NULL,
    client_id TEXT NOT NULL REFERENCES oauth_clients (client_id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    scope TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX oauth_access_tokens_code_hash_idx ON oauth_access_tokens (code_hash);
CREATE INDEX oauth_access_tokens_expires_at_idx ON oauth_access_tokens (expires_at);
