-- 0008: a customer's open tickets are read at nearly every step of a
-- conversation. Through the customer index of 0001 that read went over
-- every ticket the customer ever had, closed ones included, so a customer
-- with years of history paid for all of it on every message. This index
-- holds the open tickets only, by customer and then id, so the read finds
-- them directly and in the order it returns them.
CREATE INDEX tickets_customer_open ON tickets (customer_id) WHERE status IN ('new', 'answered');
