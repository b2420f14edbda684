-- 0019: the contract-end reminders waiting for the hourly cap and the cap's
-- count of the latest hour get tables of their own; they were the settings
-- contract_end_waiting (a JSON list of notice keys) and contract_end_hour
-- ("2026-12-02T08 17"). What those settings held is carried over, then the
-- keys are deleted (docs/store.md).
CREATE TABLE contract_end_waiting (
	notice_key TEXT PRIMARY KEY
) WITHOUT ROWID;

-- One row at most: the latest hour reminders were sent in.
CREATE TABLE contract_end_hour (
	id   INTEGER PRIMARY KEY CHECK (id = 1),
	hour TEXT NOT NULL,
	sent INTEGER NOT NULL CHECK (sent >= 0)
);

INSERT OR IGNORE INTO contract_end_waiting (notice_key)
SELECT j.value
FROM settings s, json_each(CASE WHEN json_valid(s.value) AND json_type(s.value) = 'array' THEN s.value ELSE '[]' END) j
WHERE s.key = 'contract_end_waiting' AND j.type = 'text' AND j.value != '';

INSERT INTO contract_end_hour (id, hour, sent)
SELECT 1, substr(value, 1, instr(value, ' ') - 1), max(CAST(substr(value, instr(value, ' ') + 1) AS INTEGER), 0)
FROM settings
WHERE key = 'contract_end_hour' AND instr(value, ' ') > 1;

DELETE FROM settings WHERE key IN ('contract_end_waiting', 'contract_end_hour');
