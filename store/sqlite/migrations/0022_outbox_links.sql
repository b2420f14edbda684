-- 0022: what the desk and the transports kept about outbox messages in the
-- settings table, as "prefix:id" keys with values parsed by hand, gets
-- tables (docs/store.md). Each old key's rows are carried over, then the
-- keys are deleted; a value that does not parse is dropped.
--
--   card_outbox:T = outbox id, card_shown:T = shown      -> ticket_cards
--   relay_outbox:O = ticket id                           -> outbox_relays
--   wa_relay:CHAT:MSG = outbox id                        -> message_relays
--   telegram_parts:O = "CHAT:MSG,MSG…"                   -> outbox_parts
--   telegram_part:CHAT:MSG = outbox id                   -> outbox_parts (the same rows)
--   whatsapp_parts:O = "ID,ID…"                          -> outbox_parts, chat ''
--   outbox_report:R = failed outbox id                   -> outbox_reports
--
-- Key ranges are written key > 'p:' AND key < 'p;' (';' follows ':') so
-- that each scan is a range of the settings primary key.

-- A ticket's card: the outbox message that posted it, and what it shows
-- ('' when not known: a card posted before cards were edited).
CREATE TABLE ticket_cards (
	ticket_id INTEGER PRIMARY KEY REFERENCES tickets (id),
	outbox_id INTEGER NOT NULL REFERENCES outbox (id),
	shown     TEXT NOT NULL DEFAULT ''
);

INSERT INTO ticket_cards (ticket_id, outbox_id, shown)
SELECT t.id, o.id, COALESCE((SELECT value FROM settings WHERE key = 'card_shown:' || t.id), '')
FROM settings c
JOIN tickets t ON t.id = CAST(substr(c.key, length('card_outbox:') + 1) AS INTEGER)
JOIN outbox o ON o.id = CAST(c.value AS INTEGER)
WHERE c.key > 'card_outbox:' AND c.key < 'card_outbox;';

-- Staff-group messages relaying a customer's words or files: a reply to
-- one reaches the customer.
CREATE TABLE outbox_relays (
	outbox_id INTEGER PRIMARY KEY REFERENCES outbox (id),
	ticket_id INTEGER NOT NULL
);

INSERT INTO outbox_relays (outbox_id, ticket_id)
SELECT o.id, CAST(s.value AS INTEGER)
FROM settings s JOIN outbox o ON o.id = CAST(substr(s.key, length('relay_outbox:') + 1) AS INTEGER)
WHERE s.key > 'relay_outbox:' AND s.key < 'relay_outbox;';

-- The staff-group message (a relay or a card) that showed a customer's
-- WhatsApp message, for their later edits and deletions.
CREATE TABLE message_relays (
	chat       TEXT NOT NULL,
	message_id TEXT NOT NULL,
	outbox_id  INTEGER NOT NULL,
	PRIMARY KEY (chat, message_id)
) WITHOUT ROWID;

-- The chat may hold a colon ("lid:…"), the message id does not: split at
-- the last colon (rtrim strips every character but ':' from the end).
INSERT OR IGNORE INTO message_relays (chat, message_id, outbox_id)
SELECT substr(head, 1, length(head) - 1), substr(rest, length(head) + 1), CAST(value AS INTEGER)
FROM (
	SELECT rest, rtrim(rest, replace(rest, ':', '')) AS head, value
	FROM (SELECT substr(key, length('wa_relay:') + 1) AS rest, value FROM settings
		WHERE key > 'wa_relay:' AND key < 'wa_relay;')
)
WHERE length(head) > 1 AND length(rest) > length(head) AND CAST(value AS INTEGER) > 0;

-- The transport messages an outbox message went out as, when it took
-- several (a long text cut in parts, a caption sent before its file), per
-- chat: a retry sends only the rest, and a reply to any part finds the
-- message. No foreign key: the transport records what it sent whatever
-- became of the row.
CREATE TABLE outbox_parts (
	outbox_id   INTEGER NOT NULL,
	chat        TEXT NOT NULL,
	part        INTEGER NOT NULL,
	external_id TEXT NOT NULL,
	PRIMARY KEY (outbox_id, chat, part)
) WITHOUT ROWID;
CREATE INDEX outbox_parts_external ON outbox_parts (chat, external_id);

-- telegram_part:CHAT:MSG only pointed back at the parts these lists hold
-- (or at parts sent to a chat the bot has left since): the lists suffice.
INSERT OR IGNORE INTO outbox_parts (outbox_id, chat, part, external_id)
SELECT CAST(substr(s.key, length('telegram_parts:') + 1) AS INTEGER),
	substr(s.value, 1, instr(s.value, ':') - 1), CAST(j.key AS INTEGER), CAST(j.value AS TEXT)
FROM settings s, json_each(CASE WHEN instr(s.value, ':') > 1 AND json_valid('[' || substr(s.value, instr(s.value, ':') + 1) || ']')
	THEN '[' || substr(s.value, instr(s.value, ':') + 1) || ']' ELSE '[]' END) j
WHERE s.key > 'telegram_parts:' AND s.key < 'telegram_parts;' AND j.type = 'integer';

INSERT OR IGNORE INTO outbox_parts (outbox_id, chat, part, external_id)
SELECT CAST(substr(s.key, length('whatsapp_parts:') + 1) AS INTEGER), '', CAST(j.key AS INTEGER), j.value
FROM settings s, json_each(CASE WHEN s.value != '' AND json_valid('["' || replace(s.value, ',', '","') || '"]')
	THEN '["' || replace(s.value, ',', '","') || '"]' ELSE '[]' END) j
WHERE s.key > 'whatsapp_parts:' AND s.key < 'whatsapp_parts;' AND j.value != '';

-- Failure reports to staff: a report that fails is not reported again.
CREATE TABLE outbox_reports (
	report_id INTEGER PRIMARY KEY REFERENCES outbox (id),
	failed_id INTEGER NOT NULL
);

INSERT INTO outbox_reports (report_id, failed_id)
SELECT o.id, CAST(s.value AS INTEGER)
FROM settings s JOIN outbox o ON o.id = CAST(substr(s.key, length('outbox_report:') + 1) AS INTEGER)
WHERE s.key > 'outbox_report:' AND s.key < 'outbox_report;';

DELETE FROM settings WHERE (key > 'card_outbox:' AND key < 'card_outbox;')
	OR (key > 'card_shown:' AND key < 'card_shown;')
	OR (key > 'relay_outbox:' AND key < 'relay_outbox;')
	OR (key > 'wa_relay:' AND key < 'wa_relay;')
	OR (key > 'telegram_parts:' AND key < 'telegram_parts;')
	OR (key > 'telegram_part:' AND key < 'telegram_part;')
	OR (key > 'whatsapp_parts:' AND key < 'whatsapp_parts;')
	OR (key > 'outbox_report:' AND key < 'outbox_report;');
