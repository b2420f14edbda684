-- 0007: the dispatcher's index holds the pending messages only, in id
-- order. The index of 0002 held every message ever queued, by status and
-- next attempt: each new message was inserted where its next attempt fell
-- and each one sent was moved within it. Pending messages are few and new
-- ones have the highest ids, so this one is appended to and shrinks as
-- messages go out.
DROP INDEX outbox_due;
CREATE INDEX outbox_pending ON outbox (id) WHERE status = 'pending';
