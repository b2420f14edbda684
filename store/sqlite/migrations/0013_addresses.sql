-- 0013: hidden WhatsApp addresses ("lid:DIGITS": a sender WhatsApp shows
-- without a phone number) that staff linked to a customer with /link. A
-- linked address is that customer's contact like a phone. phone is the
-- number WhatsApp revealed behind the address once it turned out to be the
-- same customer's ('' until then): messages by either are one
-- conversation (docs/whatsapp.md).
CREATE TABLE addresses (
	address     TEXT PRIMARY KEY,
	customer_id TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
	phone       TEXT NOT NULL DEFAULT '',
	linked_at   TEXT NOT NULL
);
CREATE INDEX addresses_customer ON addresses (customer_id, address);
