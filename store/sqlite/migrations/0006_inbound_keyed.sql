-- 0006: the inbound dedup table keyed by what deduplicates it. A table
-- clustered on (transport, external_id) stores each message id once; the
-- rowid table of 0002 kept it twice (the row and its UNIQUE index) and bumped
-- the AUTOINCREMENT counter on every message. Nothing refers to the old ids.
CREATE TABLE inbound_keyed (
	transport   TEXT NOT NULL,
	external_id TEXT NOT NULL,
	at          TEXT,
	PRIMARY KEY (transport, external_id)
) WITHOUT ROWID;
INSERT INTO inbound_keyed (transport, external_id, at)
	SELECT transport, external_id, at FROM inbound;
DROP TABLE inbound;
ALTER TABLE inbound_keyed RENAME TO inbound;
