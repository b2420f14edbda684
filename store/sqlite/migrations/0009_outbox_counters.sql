-- 0009: the metrics' sent and failed totals kept as the outbox changes,
-- instead of counted over the whole outbox at every scrape and health
-- check. The outbox keeps every message ever sent, so that count grew with
-- the years (about half a second a million rows), and a scrape slower than
-- its timeout would have made the bot look dead. Triggers keep the totals
-- in the transaction that changes a status, so they are exact whichever
-- process writes; a message enters them once, when it leaves 'pending',
-- keyed 'sent:whatsapp', 'failed:telegram': the status and the recipient's
-- transport prefix. (A message stored already final is counted by Enqueue
-- itself: a trigger on every insert cost the busiest statement about a
-- microsecond for a case the bot does not use.)
CREATE TABLE counters (
	key TEXT PRIMARY KEY,
	n   INTEGER NOT NULL
) WITHOUT ROWID;

INSERT INTO counters (key, n)
	SELECT status || ':' || CASE WHEN instr(recipient, ':') > 0 THEN substr(recipient, 1, instr(recipient, ':') - 1) ELSE recipient END,
		COUNT(*)
	FROM outbox WHERE status IN ('sent', 'failed') GROUP BY 1;

CREATE TRIGGER outbox_counted_on_update AFTER UPDATE OF status ON outbox
	WHEN old.status = 'pending' AND new.status IN ('sent', 'failed')
BEGIN
	INSERT INTO counters (key, n)
		VALUES (new.status || ':' || CASE WHEN instr(new.recipient, ':') > 0 THEN substr(new.recipient, 1, instr(new.recipient, ':') - 1) ELSE new.recipient END, 1)
		ON CONFLICT (key) DO UPDATE SET n = n + 1;
END;
