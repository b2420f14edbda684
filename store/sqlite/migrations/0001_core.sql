-- 0001: customers, contracts, tickets and everything hung on them.
-- Times are UTC text 'YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ' (fixed width, so text
-- order is time order); a zero time is NULL. Dates are 'YYYY-MM-DD', NULL
-- when zero.

CREATE TABLE customers (
	id   TEXT PRIMARY KEY,
	name TEXT NOT NULL DEFAULT '',
	city TEXT NOT NULL DEFAULT ''
);

-- A contact number belongs to exactly one customer. source says whether an
-- import brought it or staff linked it; imports never remove linked numbers.
CREATE TABLE phones (
	id          INTEGER PRIMARY KEY,
	number      TEXT NOT NULL UNIQUE,
	customer_id TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
	source      TEXT NOT NULL CHECK (source IN ('import', 'link'))
);
CREATE INDEX phones_customer ON phones (customer_id, number);

CREATE TABLE contracts (
	id              TEXT PRIMARY KEY,
	customer_id     TEXT NOT NULL REFERENCES customers (id),
	kind            TEXT NOT NULL,
	tier            TEXT NOT NULL,
	subject         TEXT NOT NULL DEFAULT '',
	purchased_on    TEXT,
	delivered_on    TEXT,
	confirmed_on    TEXT,
	project_id      TEXT NOT NULL DEFAULT '',
	dedicated_staff INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX contracts_customer ON contracts (customer_id, id);

-- contract_id and customer_id are NULL when the ticket has none.
CREATE TABLE tickets (
	id                 INTEGER PRIMARY KEY AUTOINCREMENT,
	contract_id        TEXT REFERENCES contracts (id),
	customer_id        TEXT REFERENCES customers (id),
	phone              TEXT NOT NULL DEFAULT '',
	kind               TEXT NOT NULL DEFAULT '',
	severity           TEXT NOT NULL DEFAULT '',
	status             TEXT NOT NULL CHECK (status IN ('new', 'answered', 'closed', 'declined')),
	decline_reason     TEXT NOT NULL DEFAULT '',
	description        TEXT NOT NULL DEFAULT '',
	opened_at          TEXT,
	first_response_due TEXT,
	first_response_at  TEXT,
	closed_at          TEXT,
	assignee           INTEGER NOT NULL DEFAULT 0,
	assignee_name      TEXT NOT NULL DEFAULT '',
	logged_min         INTEGER NOT NULL DEFAULT 0,
	charged_min        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX tickets_contract_opened ON tickets (contract_id, opened_at);
CREATE INDEX tickets_status ON tickets (status);
CREATE INDEX tickets_customer ON tickets (customer_id);
CREATE INDEX tickets_phone ON tickets (phone);

-- file_kind is NULL when the message carries no file.
CREATE TABLE ticket_messages (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	ticket_id  INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
	at         TEXT,
	direction  TEXT NOT NULL CHECK (direction IN ('customer', 'staff', 'note')),
	author     TEXT NOT NULL DEFAULT '',
	text       TEXT NOT NULL DEFAULT '',
	file_kind  TEXT,
	file_name  TEXT,
	file_mime  TEXT,
	file_bytes INTEGER,
	file_path  TEXT
);
CREATE INDEX ticket_messages_ticket ON ticket_messages (ticket_id, id);

CREATE TABLE time_logs (
	id        INTEGER PRIMARY KEY AUTOINCREMENT,
	ticket_id INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
	at        TEXT,
	minutes   INTEGER NOT NULL,
	staff_id  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX time_logs_ticket ON time_logs (ticket_id, at);

-- Refused intakes. customer_id and contract_id are '' when unknown, so no
-- foreign keys: a denial may name a number nobody knows.
CREATE TABLE denials (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	at          TEXT,
	phone       TEXT NOT NULL DEFAULT '',
	customer_id TEXT NOT NULL DEFAULT '',
	contract_id TEXT NOT NULL DEFAULT '',
	kind        TEXT NOT NULL DEFAULT '',
	reason      TEXT NOT NULL
);

CREATE TABLE settings (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);

-- Hourly package charges that are not ticket time: month-end minimums
-- (settlement) and hours lost at expiry. month is the Jalali month, '1405-09'.
CREATE TABLE hourly_entries (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	contract_id TEXT NOT NULL REFERENCES contracts (id),
	at          TEXT NOT NULL,
	month       TEXT NOT NULL,
	kind        TEXT NOT NULL CHECK (kind IN ('settlement', 'expiry')),
	minutes     INTEGER NOT NULL,
	note        TEXT NOT NULL DEFAULT '',
	UNIQUE (contract_id, kind, month)
);
CREATE INDEX hourly_entries_contract_at ON hourly_entries (contract_id, at);
