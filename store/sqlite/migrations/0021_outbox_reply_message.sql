-- 0021: reply_message is the transport's own id of a message in the
-- recipient chat that this outbox message answers when that message is not
-- the bot's (a staff member's edited message, an anonymous admin's post):
-- the desk answers them in reply. 0 when none; reply_to (an outbox id)
-- is used otherwise.
ALTER TABLE outbox ADD COLUMN reply_message INTEGER NOT NULL DEFAULT 0;
