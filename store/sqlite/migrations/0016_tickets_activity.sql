-- 0016: years of history (docs/performance.md, "Years of data").
--
-- The digest reads the tickets still open and those active in its last
-- weeks: opened, first answered, due or closed since a day. Found by
-- comparing those four times one by one, that was a scan of every ticket
-- ever opened (0.6 s at 500,000). This index holds each ticket's latest
-- time, so "any of them since" is one range. The ticket update already
-- rewrites the status index entry; this is one more.
CREATE INDEX tickets_last_activity ON tickets (max(
	coalesce(opened_at, ''), coalesce(first_response_at, ''), coalesce(first_response_due, ''), coalesce(closed_at, '')));

-- Usage sums the time logged on a contract's training and customization
-- tickets in the contract year. It found them among all of the contract's
-- tickets, one index entry each (a quarter of the digest's time at 250
-- tickets a contract); by contract and kind they are found directly. Set
-- when a ticket opens, so ticket updates leave this index alone.
CREATE INDEX tickets_contract_kind ON tickets (contract_id, kind, status);
