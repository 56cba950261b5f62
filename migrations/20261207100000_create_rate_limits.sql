-- Attempt counters shared by every instance on PostgreSQL (src/server/limits/postgres.rs, which
-- also makes the table UNLOGGED there; SQLite runs one instance and keeps counters in memory).
-- `key` is "<limit>:<what is counted>"; `next_at` (microseconds since the Unix epoch) is when
-- the next attempt would be counted (GCRA). A row whose `next_at` has passed is a fresh key.
CREATE TABLE rate_limits (
    key     TEXT PRIMARY KEY,
    next_at BIGINT NOT NULL
);
