-- 0012: every customer message as it was received, with where it went, so
-- nothing a customer writes is lost from sight: menu answers, greetings,
-- thanks, messages from unknown numbers and messages held aside are kept
-- beside those filed on a ticket (export -messages, docs/conversation.md).
-- ticket_id is 0 while the message is on no ticket; route says where it
-- went (ticket, menu, courtesy, waiting, unknown, denied, held); held is ''
-- unless the message (or part of it) was held (held_messages.reason).
-- file_kind is NULL when the message carries no file.
CREATE TABLE received (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	at         TEXT,
	phone      TEXT NOT NULL,
	ticket_id  INTEGER NOT NULL DEFAULT 0,
	route      TEXT NOT NULL DEFAULT '',
	courtesy   INTEGER NOT NULL DEFAULT 0,
	held       TEXT NOT NULL DEFAULT '',
	text       TEXT NOT NULL DEFAULT '',
	file_kind  TEXT,
	file_name  TEXT,
	file_mime  TEXT,
	file_bytes INTEGER,
	file_path  TEXT
);
CREATE INDEX received_phone ON received (phone, id);

-- The Telegram user who wrote a staff message or note, 0 for customers
-- and for messages stored before this column.
ALTER TABLE ticket_messages ADD COLUMN user_id INTEGER NOT NULL DEFAULT 0;
