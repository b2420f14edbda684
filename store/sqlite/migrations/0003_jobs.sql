-- 0003: what scheduled work has already said, and a quick way to the tickets
-- whose first-response clock is still running.

-- One row per notice sent (a deadline reminder, a breach alert, a digest, a
-- package or contract-end notice), written in the transaction that enqueues
-- its messages, so a restart or a second run never sends it again. key names
-- the notice, e.g. 'breach:12' or 'digest:2026-11-29'.
CREATE TABLE notices (
	key TEXT PRIMARY KEY,
	at  TEXT NOT NULL
);

CREATE INDEX tickets_unanswered_due ON tickets (first_response_due, id)
	WHERE status = 'new' AND first_response_at IS NULL;
