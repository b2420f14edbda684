-- 0002: conversation state, the outbox and inbound deduplication.

CREATE TABLE sessions (
	phone      TEXT PRIMARY KEY,
	state      TEXT NOT NULL DEFAULT '',
	data       TEXT NOT NULL DEFAULT '',
	updated_at TEXT
);

-- buttons is a JSON array of strings, NULL when none. file_kind is NULL when
-- the message carries no file. ticket_id and reply_to are 0 when none.
CREATE TABLE outbox (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	created_at   TEXT,
	recipient    TEXT NOT NULL,
	ticket_id    INTEGER NOT NULL DEFAULT 0,
	text         TEXT NOT NULL DEFAULT '',
	buttons      TEXT,
	reply_to     INTEGER NOT NULL DEFAULT 0,
	file_kind    TEXT,
	file_name    TEXT,
	file_mime    TEXT,
	file_bytes   INTEGER,
	file_path    TEXT,
	status       TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
	attempts     INTEGER NOT NULL DEFAULT 0,
	next_attempt TEXT,
	sent_at      TEXT,
	external_id  TEXT NOT NULL DEFAULT '',
	last_error   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_due ON outbox (status, next_attempt);
CREATE INDEX outbox_external ON outbox (recipient, external_id) WHERE status = 'sent';

CREATE TABLE inbound (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	transport   TEXT NOT NULL,
	external_id TEXT NOT NULL,
	at          TEXT,
	UNIQUE (transport, external_id)
);
