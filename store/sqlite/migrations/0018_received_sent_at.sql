-- 0018: WhatsApp's own timestamp of a received message (when the customer's
-- phone sent it), beside ours (at, when the bot received it). They differ
-- after downtime, when WhatsApp delivers what it held. Shown in
-- export -messages and to staff; never used for scheduling. NULL when the
-- transport gave none (and for messages stored before this column).
ALTER TABLE received ADD COLUMN sent_at TEXT;
