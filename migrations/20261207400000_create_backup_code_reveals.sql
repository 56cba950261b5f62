-- New backup codes waiting to be shown once on the account page (a page reload sits between
-- turning two-factor on and seeing them, with or without WebAssembly): sealed under AUTH_SECRET,
-- deleted by the page that shows them, or after ten minutes.
CREATE TABLE backup_code_reveals (
    user_id      TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    sealed_codes TEXT NOT NULL,
    expires_at   BIGINT NOT NULL
);
