-- Email verification and password reset.
-- NULL until the address is verified (unix seconds when it was).
ALTER TABLE users ADD COLUMN email_verified_at BIGINT;

-- Single-use links: only the SHA-256 of the token is stored; a row is consumed by deleting it.
-- `email` is the address the link was sent to (a verification is for that address only).
CREATE TABLE email_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL,
    email      TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX email_tokens_user_id_idx ON email_tokens (user_id);

-- The outbox: a mail is written in the same transaction as the token it carries, then sent by
-- a worker. A worker claims a row by setting `claimed_until` (a lease) in one UPDATE that
-- re-checks the claim, so two instances never send the same row. `message` is the formatted
-- mail (the same bytes and Message-ID on every attempt); it is erased once sent or abandoned.
CREATE TABLE outbox (
    id              TEXT PRIMARY KEY,
    sender          TEXT NOT NULL,
    recipient       TEXT NOT NULL,
    message         TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    attempts        BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    claimed_until   BIGINT,
    sent_at         BIGINT,
    failed_at       BIGINT,
    last_error      TEXT
);
CREATE INDEX outbox_pending_idx ON outbox (sent_at, failed_at, next_attempt_at);
