-- EdDSA signing keys. A key's life is read from its times: next (activates_at in the future),
-- active (activates_at passed, retires_at not), retired (retires_at passed; still published
-- until it is deleted). `generation` is unique, so two processes creating "the next key" at
-- once cannot both succeed: exactly one active key, whatever runs concurrently.
CREATE TABLE signing_keys (
    kid TEXT PRIMARY KEY,
    generation BIGINT NOT NULL UNIQUE,
    algorithm TEXT NOT NULL,
    public_key TEXT NOT NULL,
    sealed_private_key TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    activates_at BIGINT NOT NULL,
    retires_at BIGINT
);
