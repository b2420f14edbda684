package sqlite

import (
	"context"
	"strings"

	"supportbot/store"
)

// SetCard creates or replaces a ticket's card.
func (q *queries) SetCard(ctx context.Context, c store.Card) error {
	_, err := q.wr.ExecContext(ctx, `INSERT INTO ticket_cards (ticket_id, outbox_id, shown, sent_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (ticket_id) DO UPDATE SET outbox_id = excluded.outbox_id, shown = excluded.shown, sent_at = excluded.sent_at`,
		c.TicketID, c.OutboxID, c.Shown, timeArg(c.SentAt))
	return wrap(err, "card of ticket %d", c.TicketID)
}

// Card reads a ticket's card; store.ErrNotFound when none was posted.
func (q *queries) Card(ctx context.Context, ticketID int64) (store.Card, error) {
	c := store.Card{TicketID: ticketID}
	err := q.rd.QueryRowContext(ctx, `SELECT outbox_id, shown, sent_at FROM ticket_cards WHERE ticket_id = ?`, ticketID).
		Scan(&c.OutboxID, &c.Shown, timeCol{&c.SentAt})
	if err != nil {
		return store.Card{}, wrap(err, "card of ticket %d", ticketID)
	}
	return c, nil
}

// Card views (store.Cards.CardView): redrawing a card read the card, the
// ticket, its customer (with every phone) and its contract in four
// statements; one join reads what the card needs (docs/performance.md).
var (
	// cardViewHead reads the card, and whether the customer and the
	// contract exist with what the card shows of them (a missing one's
	// columns are NULL: they are read as their zero values).
	cardViewHead = `SELECT tc.outbox_id, tc.shown, tc.sent_at,
		c.id IS NOT NULL, coalesce(c.id, ''), coalesce(c.name, ''),
		k.id IS NOT NULL, coalesce(k.id, ''), coalesce(k.customer_id, ''), coalesce(k.kind, ''), coalesce(k.tier, ''),
		coalesce(k.subject, ''), k.purchased_on, k.delivered_on, k.confirmed_on, coalesce(k.project_id, ''),
		coalesce(k.dedicated_staff, 0)` // contractCols
	// cardViewQuery is the view with the ticket (?1 its id).
	cardViewQuery = cardViewHead + `, ` + qualified("t", ticketCols) + `
		FROM ticket_cards tc JOIN tickets t ON t.id = tc.ticket_id
		LEFT JOIN customers c ON c.id = t.customer_id
		LEFT JOIN contracts k ON k.id = t.contract_id
		WHERE tc.ticket_id = ?1`
	// cardViewKnownQuery is the view of a ticket the caller holds: ?2 is
	// its customer, ?3 its contract.
	cardViewKnownQuery = cardViewHead + `
		FROM ticket_cards tc
		LEFT JOIN customers c ON c.id = ?2
		LEFT JOIN contracts k ON k.id = ?3
		WHERE tc.ticket_id = ?1`
)

// CardView reads a ticket's card with its ticket (unless known), customer
// and contract in one statement.
func (q *queries) CardView(ctx context.Context, ticketID int64, known *store.Ticket) (store.CardView, error) {
	v := store.CardView{Card: store.Card{TicketID: ticketID}}
	var k contractRow
	dest := append([]any{&v.Card.OutboxID, &v.Card.Shown, timeCol{&v.Card.SentAt},
		&v.HasCustomer, &v.Customer.ID, &v.Customer.Name, &v.HasContract}, k.dest()...)
	var err error
	if known != nil {
		v.Ticket = *known
		err = q.rd.QueryRowContext(ctx, cardViewKnownQuery, ticketID, nullString(known.CustomerID), nullString(known.ContractID)).Scan(dest...)
	} else {
		v.Ticket, err = scanTicket(prefixed{q.rd.QueryRowContext(ctx, cardViewQuery, ticketID), dest})
	}
	if err != nil {
		return store.CardView{}, wrap(err, "card of ticket %d", ticketID)
	}
	if v.HasContract {
		v.Contract = k.contract()
	}
	return v, nil
}

// prefixed scans a row whose first columns go to dest, the rest to what
// Scan is given.
type prefixed struct {
	row  interface{ Scan(...any) error }
	dest []any
}

func (p prefixed) Scan(dest ...any) error { return p.row.Scan(append(p.dest, dest...)...) }

// qualified is the column list cols with each column named by table alias.
func qualified(alias, cols string) string {
	names := strings.Split(cols, ",")
	for i, n := range names {
		names[i] = alias + "." + strings.TrimSpace(n)
	}
	return strings.Join(names, ", ")
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

// AddUnknownCard records a card about an unknown contact.
func (q *queries) AddUnknownCard(ctx context.Context, c store.UnknownCard) error {
	_, err := q.wr.ExecContext(ctx, `INSERT INTO unknown_cards (outbox_id, contact, day) VALUES (?, ?, ?)
		ON CONFLICT (outbox_id) DO UPDATE SET contact = excluded.contact, day = excluded.day`, c.OutboxID, c.Contact, c.Day)
	return wrap(err, "card of %s", c.Contact)
}

// UnknownCard reads the card about an unknown contact that outbox message
// outboxID is.
func (q *queries) UnknownCard(ctx context.Context, outboxID int64) (store.UnknownCard, error) {
	c := store.UnknownCard{OutboxID: outboxID}
	err := q.rd.QueryRowContext(ctx, `SELECT contact, day FROM unknown_cards WHERE outbox_id = ?`, outboxID).Scan(&c.Contact, &c.Day)
	if err != nil {
		return store.UnknownCard{}, wrap(err, "card %d", outboxID)
	}
	return c, nil
}

// LatestUnknownCard is the contact's newest card.
func (q *queries) LatestUnknownCard(ctx context.Context, contact string) (store.UnknownCard, error) {
	c := store.UnknownCard{Contact: contact}
	err := q.rd.QueryRowContext(ctx, `SELECT outbox_id, day FROM unknown_cards WHERE contact = ? ORDER BY outbox_id DESC LIMIT 1`,
		contact).Scan(&c.OutboxID, &c.Day)
	if err != nil {
		return store.UnknownCard{}, wrap(err, "card of %s", contact)
	}
	return c, nil
}

// SetStaffName records a staff member's name.
func (q *queries) SetStaffName(ctx context.Context, userID int64, name string) error {
	_, err := q.wr.ExecContext(ctx, `INSERT INTO staff_names (user_id, name) VALUES (?, ?)
		ON CONFLICT (user_id) DO UPDATE SET name = excluded.name`, userID, name)
	return wrap(err, "name of %d", userID)
}

// StaffName reads a staff member's name.
func (q *queries) StaffName(ctx context.Context, userID int64) (string, error) {
	var n string
	err := q.rd.QueryRowContext(ctx, `SELECT name FROM staff_names WHERE user_id = ?`, userID).Scan(&n)
	return n, wrap(err, "name of %d", userID)
}

// SetChatMigration records a group's new supergroup id.
func (q *queries) SetChatMigration(ctx context.Context, from, to int64) error {
	_, err := q.wr.ExecContext(ctx, `INSERT INTO telegram_migrations (chat_id, migrated_to) VALUES (?, ?)
		ON CONFLICT (chat_id) DO UPDATE SET migrated_to = excluded.migrated_to`, from, to)
	return wrap(err, "migration of chat %d", from)
}

// ChatMigration reads the supergroup a group became.
func (q *queries) ChatMigration(ctx context.Context, from int64) (int64, error) {
	var to int64
	err := q.rd.QueryRowContext(ctx, `SELECT migrated_to FROM telegram_migrations WHERE chat_id = ?`, from).Scan(&to)
	return to, wrap(err, "migration of chat %d", from)
}

// SetOutboxRepost records the message posted anew for an outbox message.
func (q *queries) SetOutboxRepost(ctx context.Context, outboxID int64, externalID string) error {
	_, err := q.wr.ExecContext(ctx, `INSERT INTO outbox_reposts (outbox_id, external_id) VALUES (?, ?)
		ON CONFLICT (outbox_id) DO UPDATE SET external_id = excluded.external_id`, outboxID, externalID)
	return wrap(err, "repost of %d", outboxID)
}

// OutboxRepost reads the message posted anew for an outbox message.
func (q *queries) OutboxRepost(ctx context.Context, outboxID int64) (string, error) {
	var ext string
	err := q.rd.QueryRowContext(ctx, `SELECT external_id FROM outbox_reposts WHERE outbox_id = ?`, outboxID).Scan(&ext)
	return ext, wrap(err, "repost of %d", outboxID)
}

// SetTopic records a ticket's forum topic.
func (q *queries) SetTopic(ctx context.Context, t store.Topic) error {
	return q.inTx(ctx, func(tq *queries) error {
		if _, err := tq.wr.ExecContext(ctx, `INSERT INTO ticket_topics (ticket_id, chat, thread, title) VALUES (?, ?, ?, ?)
			ON CONFLICT (ticket_id) DO UPDATE SET chat = excluded.chat, thread = excluded.thread, title = excluded.title`,
			t.TicketID, t.Chat, t.Thread, t.Title); err != nil {
			return wrap(err, "topic of ticket %d", t.TicketID)
		}
		if t.Thread == 0 {
			return nil
		}
		_, err := tq.wr.ExecContext(ctx, `INSERT INTO topic_threads (chat, thread, ticket_id) VALUES (?, ?, ?)
			ON CONFLICT (chat, thread) DO UPDATE SET ticket_id = excluded.ticket_id`, t.Chat, t.Thread, t.TicketID)
		return wrap(err, "topic of ticket %d", t.TicketID)
	})
}

// Topic reads a ticket's forum topic.
func (q *queries) Topic(ctx context.Context, ticketID int64) (store.Topic, error) {
	t := store.Topic{TicketID: ticketID}
	err := q.rd.QueryRowContext(ctx, `SELECT chat, thread, title FROM ticket_topics WHERE ticket_id = ?`, ticketID).
		Scan(&t.Chat, &t.Thread, &t.Title)
	if err != nil {
		return store.Topic{}, wrap(err, "topic of ticket %d", ticketID)
	}
	return t, nil
}

// TopicTicket is the ticket a topic thread is for.
func (q *queries) TopicTicket(ctx context.Context, chat int64, thread int) (int64, error) {
	var id int64
	err := q.rd.QueryRowContext(ctx, `SELECT ticket_id FROM topic_threads WHERE chat = ? AND thread = ?`, chat, thread).Scan(&id)
	return id, wrap(err, "ticket of topic %d:%d", chat, thread)
}

// HoldUnread keeps a message unread until an answer, the newest max.
func (q *queries) HoldUnread(ctx context.Context, address string, m store.UnreadMessage, max int) error {
	return q.inTx(ctx, func(tq *queries) error {
		if _, err := tq.wr.ExecContext(ctx, `INSERT INTO whatsapp_unread (address, seq, message_id, chat, sender)
			VALUES (?1, (SELECT COALESCE(MAX(seq), -1) + 1 FROM whatsapp_unread WHERE address = ?1), ?2, ?3, ?4)
			ON CONFLICT DO NOTHING`, address, m.ID, m.Chat, m.Sender); err != nil {
			return wrap(err, "unread of %s", address)
		}
		_, err := tq.wr.ExecContext(ctx, `DELETE FROM whatsapp_unread WHERE address = ?1 AND seq <=
			(SELECT MAX(seq) FROM whatsapp_unread WHERE address = ?1) - ?2`, address, max)
		return wrap(err, "unread of %s", address)
	})
}

// Unread lists what address wrote since the last answer, oldest first.
func (q *queries) Unread(ctx context.Context, address string) ([]store.UnreadMessage, error) {
	rows, err := q.rd.QueryContext(ctx, `SELECT message_id, chat, sender FROM whatsapp_unread WHERE address = ? ORDER BY seq`, address)
	if err != nil {
		return nil, wrap(err, "unread of %s", address)
	}
	var ms []store.UnreadMessage
	for rows.Next() {
		var m store.UnreadMessage
		if err := rows.Scan(&m.ID, &m.Chat, &m.Sender); err != nil {
			rows.Close()
			return nil, wrap(err, "unread of %s", address)
		}
		ms = append(ms, m)
	}
	return ms, wrap(closeRows(rows), "unread of %s", address)
}

// ForgetUnread drops what address wrote since the last answer.
func (q *queries) ForgetUnread(ctx context.Context, address string) error {
	_, err := q.wr.ExecContext(ctx, `DELETE FROM whatsapp_unread WHERE address = ?`, address)
	return wrap(err, "unread of %s", address)
}
