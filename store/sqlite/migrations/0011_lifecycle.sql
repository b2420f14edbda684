-- 0011: the ticket lifecycle of docs/lifecycle.md: waiting on the customer,
-- merged tickets, satisfaction scores, saved replies and the audit trail.
--
-- The status column keeps its 0001 CHECK (SQLite cannot change a CHECK
-- without rebuilding the table, and a rebuild under foreign keys would
-- cascade into the messages). So the two new statuses are told by their own
-- columns: a ticket is waiting when its status is 'answered' and
-- waiting_since is set (a waiting ticket has been answered: nothing that
-- looks for unanswered tickets sees it, and it is open like an answered
-- one); it is merged when its status is 'declined' and merged_into is set (it
-- no longer counts as a request, like a declined one). The store maps them
-- to and from the statuses waiting and merged.
ALTER TABLE tickets ADD COLUMN waiting_since TEXT;
ALTER TABLE tickets ADD COLUMN nudged_at TEXT;
ALTER TABLE tickets ADD COLUMN merged_into INTEGER NOT NULL DEFAULT 0;
-- csat is the customer's score 1-5, 0 when none; csat_pending is 1 while
-- the question asked at csat_asked_at waits for its answer.
ALTER TABLE tickets ADD COLUMN csat INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN csat_asked_at TEXT;
ALTER TABLE tickets ADD COLUMN csat_pending INTEGER NOT NULL DEFAULT 0;
CREATE INDEX tickets_waiting ON tickets (waiting_since) WHERE waiting_since IS NOT NULL;
CREATE INDEX tickets_csat_pending ON tickets (phone) WHERE csat_pending = 1;

-- Every staff and manager action, append-only: the triggers refuse any
-- change to a written row.
CREATE TABLE audit (
	id        INTEGER PRIMARY KEY AUTOINCREMENT,
	at        TEXT NOT NULL,
	user_id   INTEGER NOT NULL DEFAULT 0,
	user_name TEXT NOT NULL DEFAULT '',
	action    TEXT NOT NULL,
	ticket_id INTEGER NOT NULL DEFAULT 0,
	detail    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_ticket ON audit (ticket_id, id);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;

-- Saved replies every staff member shares; file_kind is NULL without a file.
CREATE TABLE snippets (
	key        TEXT PRIMARY KEY,
	text       TEXT NOT NULL DEFAULT '',
	file_kind  TEXT,
	file_name  TEXT,
	file_mime  TEXT,
	file_bytes INTEGER,
	file_path  TEXT,
	updated_at TEXT,
	updated_by INTEGER NOT NULL DEFAULT 0
);
