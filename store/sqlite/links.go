package sqlite

import (
	"context"

	"supportbot/store"
)

// SetCard creates or replaces a ticket's card.
func (q *queries) SetCard(ctx context.Context, c store.Card) error {
	_, err := q.wr.ExecContext(ctx, `INSERT INTO ticket_cards (ticket_id, outbox_id, shown) VALUES (?, ?, ?)
		ON CONFLICT (ticket_id) DO UPDATE SET outbox_id = excluded.outbox_id, shown = excluded.shown`,
		c.TicketID, c.OutboxID, c.Shown)
	return wrap(err, "card of ticket %d", c.TicketID)
}

// Card reads a ticket's card; store.ErrNotFound when none was posted.
func (q *queries) Card(ctx context.Context, ticketID int64) (store.Card, error) {
	c := store.Card{TicketID: ticketID}
	err := q.rd.QueryRowContext(ctx, `SELECT outbox_id, shown FROM ticket_cards WHERE ticket_id = ?`, ticketID).
		Scan(&c.OutboxID, &c.Shown)
	if err != nil {
		return store.Card{}, wrap(err, "card of ticket %d", ticketID)
	}
	return c, nil
}

// MarkRelay records that an outbox message relays a customer's words.
func (q *queries) MarkRelay(ctx context.Context, outboxID, ticketID int64) error {
	_, err := q.wr.ExecContext(ctx, `INSERT INTO outbox_relays (outbox_id, ticket_id) VALUES (?, ?)
		ON CONFLICT (outbox_id) DO UPDATE SET ticket_id = excluded.ticket_id`, outboxID, ticketID)
	return wrap(err, "mark relay %d", outboxID)
}

// IsRelay reports whether MarkRelay recorded the outbox message.
func (q *queries) IsRelay(ctx context.Context, outboxID int64) (bool, error) {
	var ok bool
	err := q.rd.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM outbox_relays WHERE outbox_id = ?)`, outboxID).Scan(&ok)
	return ok, wrap(err, "relay %d", outboxID)
}

// SetMessageRelay records the outbox message that showed staff a
// customer's message.
func (q *queries) SetMessageRelay(ctx context.Context, chat, messageID string, outboxID int64) error {
	_, err := q.wr.ExecContext(ctx, `INSERT INTO message_relays (chat, message_id, outbox_id) VALUES (?, ?, ?)
		ON CONFLICT (chat, message_id) DO UPDATE SET outbox_id = excluded.outbox_id`, chat, messageID, outboxID)
	return wrap(err, "relay of %s", messageID)
}

// MessageRelay is the outbox message that showed staff a customer's
// message; store.ErrNotFound when none.
func (q *queries) MessageRelay(ctx context.Context, chat, messageID string) (int64, error) {
	var id int64
	err := q.rd.QueryRowContext(ctx, `SELECT outbox_id FROM message_relays WHERE chat = ? AND message_id = ?`, chat, messageID).Scan(&id)
	return id, wrap(err, "relay of %s", messageID)
}

// SetOutboxParts replaces the parts recorded for an outbox message in chat.
func (q *queries) SetOutboxParts(ctx context.Context, outboxID int64, chat string, externalIDs []string) error {
	return q.inTx(ctx, func(tq *queries) error {
		if _, err := tq.wr.ExecContext(ctx, `DELETE FROM outbox_parts WHERE outbox_id = ? AND chat = ?`, outboxID, chat); err != nil {
			return wrap(err, "parts of %d", outboxID)
		}
		for i, ext := range externalIDs {
			if _, err := tq.wr.ExecContext(ctx, `INSERT INTO outbox_parts (outbox_id, chat, part, external_id) VALUES (?, ?, ?, ?)`,
				outboxID, chat, i, ext); err != nil {
				return wrap(err, "parts of %d", outboxID)
			}
		}
		return nil
	})
}

// OutboxParts lists the parts recorded for an outbox message in chat.
func (q *queries) OutboxParts(ctx context.Context, outboxID int64, chat string) ([]string, error) {
	rows, err := q.rd.QueryContext(ctx, `SELECT external_id FROM outbox_parts WHERE outbox_id = ? AND chat = ? ORDER BY part`, outboxID, chat)
	if err != nil {
		return nil, wrap(err, "parts of %d", outboxID)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, wrap(err, "parts of %d", outboxID)
		}
		ids = append(ids, id)
	}
	return ids, wrap(closeRows(rows), "parts of %d", outboxID)
}

// OutboxByPart is the outbox message a transport message is a part of.
func (q *queries) OutboxByPart(ctx context.Context, chat, externalID string) (int64, error) {
	var id int64
	err := q.rd.QueryRowContext(ctx, `SELECT outbox_id FROM outbox_parts WHERE chat = ? AND external_id = ? ORDER BY outbox_id DESC LIMIT 1`,
		chat, externalID).Scan(&id)
	return id, wrap(err, "outbox message of part %s", externalID)
}

// MarkOutboxReport records a failure report.
func (q *queries) MarkOutboxReport(ctx context.Context, reportID, failedID int64) error {
	_, err := q.wr.ExecContext(ctx, `INSERT INTO outbox_reports (report_id, failed_id) VALUES (?, ?)`, reportID, failedID)
	return wrap(err, "mark report %d", reportID)
}

// IsOutboxReport reports whether the outbox message is a failure report.
func (q *queries) IsOutboxReport(ctx context.Context, id int64) (bool, error) {
	var ok bool
	err := q.rd.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM outbox_reports WHERE report_id = ?)`, id).Scan(&ok)
	return ok, wrap(err, "report %d", id)
}
