-- A session's own public identifier, for the account page's list and for revoking one session.
-- Random and unrelated to the cookie token or its hash, so showing it reveals nothing usable.
-- Portable SQL has no random-id function shared by SQLite and PostgreSQL, so existing rows get
-- their ids from the application right after the migrations run (`sessions::assign_missing_ids`).
ALTER TABLE sessions ADD COLUMN id TEXT;
CREATE UNIQUE INDEX sessions_id_idx ON sessions (id);
