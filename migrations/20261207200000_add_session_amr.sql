-- How the person proved who they are when the session opened (RFC 8176 `amr` values, space
-- separated), recorded by the one place that opens sessions (src/server/accounts/door.rs).
-- Every session before this migration came from a password.
ALTER TABLE sessions ADD COLUMN amr TEXT NOT NULL DEFAULT 'pwd';
