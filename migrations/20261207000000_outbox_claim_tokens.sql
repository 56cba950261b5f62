-- Each claim of an outbox row gets a token of its own; a worker's final update (sent, retry,
-- given up) applies only while its token still holds the row, so a worker whose lease ran out
-- cannot overwrite what the worker that took the row over recorded.
ALTER TABLE outbox ADD COLUMN claim_token TEXT;
