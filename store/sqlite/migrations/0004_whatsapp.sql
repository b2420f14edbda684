-- 0004: what the WhatsApp transport keeps: who wrote first (the bot answers
-- only them, on the chat they wrote from) and the receipts of what it sent.
-- The WhatsApp session itself (keys, device) lives in its own file,
-- whatsapp.session_db, so re-pairing never touches support data.

-- address is the outbox address without "whatsapp:": an E.164 phone, or
-- 'lid:NNN' for a sender whose phone number WhatsApp did not reveal.
CREATE TABLE whatsapp_contacts (
	address  TEXT PRIMARY KEY,
	jid      TEXT NOT NULL,
	first_at TEXT NOT NULL,
	last_at  TEXT NOT NULL
);

-- One row per WhatsApp message sent; delivered_at, read_at and failed_at
-- are NULL until the receipt comes. reported is 1 once staff were told the
-- message did not arrive.
CREATE TABLE whatsapp_sent (
	message_id   TEXT PRIMARY KEY,
	outbox_id    INTEGER NOT NULL DEFAULT 0,
	address      TEXT NOT NULL,
	ticket_id    INTEGER NOT NULL DEFAULT 0,
	sent_at      TEXT NOT NULL,
	delivered_at TEXT,
	read_at      TEXT,
	failed_at    TEXT,
	reported     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX whatsapp_sent_undelivered ON whatsapp_sent (sent_at)
	WHERE delivered_at IS NULL AND failed_at IS NULL AND reported = 0;
