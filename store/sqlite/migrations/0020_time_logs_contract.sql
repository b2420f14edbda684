-- 0020: a statement reads the month's work, not the contract's history
-- (docs/performance.md, "Years of data").
--
-- A monthly statement lists the tickets opened in the month and those
-- worked on in it: time logged in the month, however old the ticket. The
-- logs were reachable only through their tickets, so the statement read
-- all of a contract's tickets and the logs of each (250 of each at ten
-- years). Each log now carries its ticket's contract, indexed with its
-- time: the month's logs of a contract are one range. A ticket never
-- changes contract (a merge joins tickets of one contract only); the
-- store sets the column when it adds or moves a log, and the trigger keeps
-- it right should a ticket's contract ever be changed.
ALTER TABLE time_logs ADD COLUMN contract_id TEXT;
UPDATE time_logs SET contract_id = (SELECT contract_id FROM tickets WHERE tickets.id = time_logs.ticket_id);
CREATE INDEX time_logs_contract_at ON time_logs (contract_id, at);
CREATE TRIGGER tickets_contract_moved AFTER UPDATE OF contract_id ON tickets
	WHEN OLD.contract_id IS NOT NEW.contract_id
BEGIN
	UPDATE time_logs SET contract_id = NEW.contract_id WHERE ticket_id = NEW.id;
END;
