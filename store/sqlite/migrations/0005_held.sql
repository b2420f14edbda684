-- 0005: customer messages the bot stored without acting on them: sent while
-- the customer was over the rate limit, the whole text of a message that was
-- cut, a file over the size limit, a message whose handling failed on a bug.
-- Nothing a customer sends is lost.
-- file_kind is NULL when the message carries no file.
CREATE TABLE held_messages (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	at         TEXT,
	phone      TEXT NOT NULL,
	reason     TEXT NOT NULL CHECK (reason IN ('flood', 'too_long', 'file_too_large', 'failed')),
	text       TEXT NOT NULL DEFAULT '',
	file_kind  TEXT,
	file_name  TEXT,
	file_mime  TEXT,
	file_bytes INTEGER,
	file_path  TEXT
);
CREATE INDEX held_messages_phone ON held_messages (phone, id);

-- Usage counts a contract's tickets at every step of a new request: an
-- index that holds what it reads (status, kind) saves a row lookup per
-- ticket. It replaces the narrower index of 0001.
CREATE INDEX tickets_contract_usage ON tickets (contract_id, opened_at, status, kind);
DROP INDEX tickets_contract_opened;
