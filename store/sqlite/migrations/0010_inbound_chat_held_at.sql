-- 0010: WhatsApp message ids are unique only within a chat, so the inbound
-- dedup key gains the chat: two customers' messages that happen to share an
-- id are both handled. Transports whose ids are unique on their own
-- (Telegram update ids) record the chat as ''. Ids recorded before this
-- migration keep chat '': a lookup in a chat also finds them, so a message
-- redelivered after the upgrade is still recognised (they are forgotten
-- with the retention, like every id).
CREATE TABLE inbound_chat (
	transport   TEXT NOT NULL,
	chat        TEXT NOT NULL DEFAULT '',
	external_id TEXT NOT NULL,
	at          TEXT,
	PRIMARY KEY (transport, chat, external_id)
) WITHOUT ROWID;
INSERT INTO inbound_chat (transport, chat, external_id, at)
	SELECT transport, '', external_id, at FROM inbound;
DROP TABLE inbound;
ALTER TABLE inbound_chat RENAME TO inbound;

-- Held messages are forgotten with the inbound ids (the same retention),
-- oldest first, through this index.
CREATE INDEX held_messages_at ON held_messages (at);
