-- 0014: WhatsApp messages stored before they are acknowledged and handled
-- later, off whatsmeow's event loop: one carrying a file to download, and
-- any later message of the same chat queued behind it so staff see the
-- chat in order (docs/whatsapp.md, "Files and the event loop"). A row is
-- deleted once the engine has the message. message is the waE2E.Message
-- protobuf; at is when it was received (our clock), sent_at WhatsApp's
-- own timestamp.
CREATE TABLE whatsapp_pending (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	chat       TEXT NOT NULL,
	message_id TEXT NOT NULL,
	sender     TEXT NOT NULL DEFAULT '',
	address    TEXT NOT NULL,
	at         TEXT NOT NULL,
	sent_at    TEXT,
	from_me    INTEGER NOT NULL DEFAULT 0,
	message    BLOB NOT NULL,
	UNIQUE (chat, message_id)
);
