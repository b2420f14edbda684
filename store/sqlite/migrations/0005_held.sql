-- 0005: customer messages the bot stored without acting on them: sent while
-- the customer was over the rate limit, the whole text of a message that was
-- cut, a file over the size limit. Nothing a customer sends is lost.
-- file_kind is NULL when the message carries no file.
CREATE TABLE held_messages (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	at         TEXT,
	phone      TEXT NOT NULL,
	reason     TEXT NOT NULL CHECK (reason IN ('flood', 'too_long', 'file_too_large')),
	text       TEXT NOT NULL DEFAULT '',
	file_kind  TEXT,
	file_name  TEXT,
	file_mime  TEXT,
	file_bytes INTEGER,
	file_path  TEXT
);
CREATE INDEX held_messages_phone ON held_messages (phone, id);
