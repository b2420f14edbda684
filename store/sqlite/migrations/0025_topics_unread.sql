-- 0025: the last settings keys made of ids get tables (docs/store.md); the
-- old keys' rows are carried over, then the keys are deleted.
--
--   telegram_topic:T = "CHAT:THREAD:TITLE"      -> ticket_topics
--   telegram_topic_ticket:CHAT:THREAD = T       -> topic_threads
--   whatsapp_unread:ADDRESS = JSON list         -> whatsapp_unread

-- A ticket's forum topic; thread 0 when it is gone (the title stays).
CREATE TABLE ticket_topics (
	ticket_id INTEGER PRIMARY KEY,
	chat      INTEGER NOT NULL,
	thread    INTEGER NOT NULL,
	title     TEXT NOT NULL
);

-- The title may hold colons: chat and thread are the first two fields.
INSERT INTO ticket_topics (ticket_id, chat, thread, title)
SELECT ticket, CAST(substr(v, 1, instr(v, ':') - 1) AS INTEGER),
	CAST(substr(rest, 1, instr(rest, ':') - 1) AS INTEGER), substr(rest, instr(rest, ':') + 1)
FROM (SELECT CAST(substr(key, length('telegram_topic:') + 1) AS INTEGER) AS ticket, value AS v,
		substr(value, instr(value, ':') + 1) AS rest
	FROM settings WHERE key > 'telegram_topic:' AND key < 'telegram_topic;')
WHERE ticket != 0 AND instr(v, ':') > 1 AND instr(rest, ':') > 1;

-- Which ticket a topic thread is for: a message written in it goes there.
CREATE TABLE topic_threads (
	chat      INTEGER NOT NULL,
	thread    INTEGER NOT NULL,
	ticket_id INTEGER NOT NULL,
	PRIMARY KEY (chat, thread)
) WITHOUT ROWID;

INSERT OR IGNORE INTO topic_threads (chat, thread, ticket_id)
SELECT CAST(substr(rest, 1, instr(rest, ':') - 1) AS INTEGER), CAST(substr(rest, instr(rest, ':') + 1) AS INTEGER),
	CAST(value AS INTEGER)
FROM (SELECT substr(key, length('telegram_topic_ticket:') + 1) AS rest, value FROM settings
	WHERE key > 'telegram_topic_ticket:' AND key < 'telegram_topic_ticket;')
WHERE instr(rest, ':') > 1 AND CAST(value AS INTEGER) != 0;

-- A customer's messages waiting for their read receipt until an answer,
-- in the order they came (seq).
CREATE TABLE whatsapp_unread (
	address    TEXT NOT NULL,
	seq        INTEGER NOT NULL,
	message_id TEXT NOT NULL,
	chat       TEXT NOT NULL,
	sender     TEXT NOT NULL,
	PRIMARY KEY (address, seq),
	UNIQUE (address, message_id, chat, sender)
);

INSERT OR IGNORE INTO whatsapp_unread (address, seq, message_id, chat, sender)
SELECT substr(s.key, length('whatsapp_unread:') + 1), CAST(j.key AS INTEGER),
	COALESCE(json_extract(j.value, '$.id'), ''), COALESCE(json_extract(j.value, '$.chat'), ''),
	COALESCE(json_extract(j.value, '$.sender'), '')
FROM settings s, json_each(CASE WHEN json_valid(s.value) AND json_type(s.value) = 'array' THEN s.value ELSE '[]' END) j
WHERE s.key > 'whatsapp_unread:' AND s.key < 'whatsapp_unread;' AND j.type = 'object'
	AND COALESCE(json_extract(j.value, '$.id'), '') != '';

DELETE FROM settings WHERE (key > 'telegram_topic:' AND key < 'telegram_topic;')
	OR (key > 'telegram_topic_ticket:' AND key < 'telegram_topic_ticket;')
	OR (key > 'whatsapp_unread:' AND key < 'whatsapp_unread;');
