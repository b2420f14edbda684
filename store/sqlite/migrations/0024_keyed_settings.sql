-- 0024: more settings keys made of ids get tables (docs/store.md); each old
-- key's rows are carried over, then the keys are deleted.
--
--   unknown_card_of:O = contact, unknown_card:CONTACT = "DAY O" -> unknown_cards
--   reveal_told:…, whatsapp_told:… = time (told once)          -> notices
--   telegram_staff_name:U = name                                -> staff_names
--   telegram_migrated:C = new chat id                           -> telegram_migrations
--   telegram_moved:O = "CHAT:MSG"                               -> outbox_reposts

-- Cards about contacts no customer has; day is the office date it was
-- posted on ('' when not known).
CREATE TABLE unknown_cards (
	outbox_id INTEGER PRIMARY KEY REFERENCES outbox (id),
	contact   TEXT NOT NULL,
	day       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX unknown_cards_contact ON unknown_cards (contact, outbox_id);

INSERT INTO unknown_cards (outbox_id, contact, day)
SELECT o.id, s.value, COALESCE((SELECT substr(u.value, 1, instr(u.value, ' ') - 1) FROM settings u
	WHERE u.key = 'unknown_card:' || s.value AND substr(u.value, instr(u.value, ' ') + 1) = CAST(o.id AS TEXT)), '')
FROM settings s JOIN outbox o ON o.id = CAST(substr(s.key, length('unknown_card_of:') + 1) AS INTEGER)
WHERE s.key > 'unknown_card_of:' AND s.key < 'unknown_card_of;' AND s.value != '';

-- Told-once marks were notices in all but name: the notices table keeps
-- them under the same keys (times in the store's fixed-width format).
INSERT OR IGNORE INTO notices (key, at)
SELECT key, substr(value, 1, 19) || '.000000000Z' FROM settings
WHERE ((key > 'reveal_told:' AND key < 'reveal_told;') OR (key > 'whatsapp_told:' AND key < 'whatsapp_told;'))
	AND value GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*';

-- The names Telegram users write under in the staff chats.
CREATE TABLE staff_names (
	user_id INTEGER PRIMARY KEY,
	name    TEXT NOT NULL
);

INSERT INTO staff_names (user_id, name)
SELECT CAST(substr(key, length('telegram_staff_name:') + 1) AS INTEGER), value FROM settings
WHERE key > 'telegram_staff_name:' AND key < 'telegram_staff_name;' AND CAST(substr(key, length('telegram_staff_name:') + 1) AS INTEGER) != 0
	AND value != '';

-- Telegram groups that became supergroups (a new chat id).
CREATE TABLE telegram_migrations (
	chat_id     INTEGER PRIMARY KEY,
	migrated_to INTEGER NOT NULL
);

INSERT INTO telegram_migrations (chat_id, migrated_to)
SELECT CAST(substr(key, length('telegram_migrated:') + 1) AS INTEGER), CAST(value AS INTEGER) FROM settings
WHERE key > 'telegram_migrated:' AND key < 'telegram_migrated;' AND CAST(value AS INTEGER) != 0;

-- The message that stands for an outbox message posted anew.
CREATE TABLE outbox_reposts (
	outbox_id   INTEGER PRIMARY KEY,
	external_id TEXT NOT NULL
);

INSERT INTO outbox_reposts (outbox_id, external_id)
SELECT CAST(substr(key, length('telegram_moved:') + 1) AS INTEGER), value FROM settings
WHERE key > 'telegram_moved:' AND key < 'telegram_moved;' AND value != '';

DELETE FROM settings WHERE (key > 'unknown_card:' AND key < 'unknown_card;')
	OR (key > 'unknown_card_of:' AND key < 'unknown_card_of;')
	OR (key > 'reveal_told:' AND key < 'reveal_told;')
	OR (key > 'whatsapp_told:' AND key < 'whatsapp_told;')
	OR (key > 'telegram_staff_name:' AND key < 'telegram_staff_name;')
	OR (key > 'telegram_migrated:' AND key < 'telegram_migrated;')
	OR (key > 'telegram_moved:' AND key < 'telegram_moved;');
