-- 0026: sent_at is WhatsApp's own time for the customer message that opened
-- the ticket, when it came more than a minute before it arrived (a backlog
-- after downtime); the card shows it («ارسال‌شده ۱۰:۴۲») at every redraw.
-- NULL when none.
ALTER TABLE ticket_cards ADD COLUMN sent_at TEXT;
