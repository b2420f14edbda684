-- 0015: what the Telegram desk needs of an outbox message (docs/telegram.md).
-- edit_of is the outbox id of the message this one replaces in place (a
-- ticket card edited at a status change), 0 for a new message. thread is the
-- ticket whose forum topic the message goes to (topics mode), 0 for the
-- group's main chat. kind says what the message is, for the send budget's
-- priorities and for joining a customer's follow-ups ('' for an ordinary
-- message). topic is the title the ticket's topic should carry, set on cards
-- and their edits, '' otherwise.
ALTER TABLE outbox ADD COLUMN edit_of INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN thread INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN kind TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN topic TEXT NOT NULL DEFAULT '';
