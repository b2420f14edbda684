-- 0017: indexes of the customer-message path (docs/performance.md).
--
-- received_phone indexed every received message by its phone, and no query
-- reads received by phone (export reads it in order): each message paid for
-- one more B-tree insert at a random place, a page written to the WAL and
-- later checkpointed.
DROP INDEX received_phone;
-- The satisfaction question a bare score answers is the phone's newest
-- pending one. Indexed by phone alone, the lookup read every pending
-- question of the phone (a customer who never scores keeps one per closed
-- ticket) and sorted them; in the lookup's order it reads one.
DROP INDEX tickets_csat_pending;
CREATE INDEX tickets_csat_pending ON tickets (phone, csat_asked_at, id) WHERE csat_pending = 1;
