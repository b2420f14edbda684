package sqlite

import (
	"context"
	"strings"
	"time"

	"supportbot/store"
)

// TouchWhatsAppContact records that a WhatsApp chat wrote: a new contact
// starts at c.LastAt, a known one gets the latest JID and time.
func (q *queries) TouchWhatsAppContact(ctx context.Context, c store.WhatsAppContact) error {
	_, err := q.wr.ExecContext(ctx, `INSERT INTO whatsapp_contacts (address, jid, first_at, last_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (address) DO UPDATE SET jid = excluded.jid, last_at = MAX(last_at, excluded.last_at)`,
		c.Address, c.JID, timeArg(c.LastAt), timeArg(c.LastAt))
	return wrap(err, "touch whatsapp contact %s", c.Address)
}

// WhatsAppContact returns the contact at address; store.ErrNotFound when
// that address never wrote.
func (q *queries) WhatsAppContact(ctx context.Context, address string) (store.WhatsAppContact, error) {
	var c store.WhatsAppContact
	err := q.rd.QueryRowContext(ctx, `SELECT address, jid, first_at, last_at FROM whatsapp_contacts WHERE address = ?`, address).
		Scan(&c.Address, &c.JID, timeCol{&c.FirstAt}, timeCol{&c.LastAt})
	if err != nil {
		return store.WhatsAppContact{}, wrap(err, "whatsapp contact %s", address)
	}
	return c, nil
}

const sentCols = `message_id, outbox_id, address, ticket_id, sent_at, delivered_at, read_at, failed_at, reported`

func scanSent(s interface{ Scan(...any) error }) (store.WhatsAppSent, error) {
	var m store.WhatsAppSent
	err := s.Scan(&m.MessageID, &m.OutboxID, &m.Address, &m.TicketID, timeCol{&m.SentAt},
		timeCol{&m.DeliveredAt}, timeCol{&m.ReadAt}, timeCol{&m.FailedAt}, &m.Reported)
	return m, err
}

// AddWhatsAppSent starts following a sent message; a message id recorded
// before is store.ErrConflict.
func (q *queries) AddWhatsAppSent(ctx context.Context, s store.WhatsAppSent) error {
	_, err := q.wr.ExecContext(ctx, `INSERT INTO whatsapp_sent (`+sentCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		s.MessageID, s.OutboxID, s.Address, s.TicketID, timeArg(s.SentAt),
		timeArg(s.DeliveredAt), timeArg(s.ReadAt), timeArg(s.FailedAt), s.Reported)
	return wrap(err, "add whatsapp sent %s", s.MessageID)
}

// SendingWhatsApp records a message about to be sent; a retry of its id
// moves sent_at to the new try.
func (q *queries) SendingWhatsApp(ctx context.Context, s store.WhatsAppSent) error {
	_, err := q.wr.ExecContext(ctx, `INSERT INTO whatsapp_sent (`+sentCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (message_id) DO UPDATE SET sent_at = excluded.sent_at`,
		s.MessageID, s.OutboxID, s.Address, s.TicketID, timeArg(s.SentAt),
		timeArg(s.DeliveredAt), timeArg(s.ReadAt), timeArg(s.FailedAt), s.Reported)
	return wrap(err, "record whatsapp sending %s", s.MessageID)
}

// WhatsAppSent returns a followed message; store.ErrNotFound when the id is
// not one the bot sent.
func (q *queries) WhatsAppSent(ctx context.Context, messageID string) (store.WhatsAppSent, error) {
	m, err := scanSent(q.rd.QueryRowContext(ctx, `SELECT `+sentCols+` FROM whatsapp_sent WHERE message_id = ?`, messageID))
	if err != nil {
		return store.WhatsAppSent{}, wrap(err, "whatsapp sent %s", messageID)
	}
	return m, nil
}

// UpdateWhatsAppSent stores the receipts and report flag of a followed message.
func (q *queries) UpdateWhatsAppSent(ctx context.Context, s store.WhatsAppSent) error {
	err := mustAffect(q.wr.ExecContext(ctx, `UPDATE whatsapp_sent SET delivered_at = ?, read_at = ?, failed_at = ?, reported = ?
		WHERE message_id = ?`, timeArg(s.DeliveredAt), timeArg(s.ReadAt), timeArg(s.FailedAt), s.Reported, s.MessageID))
	return wrap(err, "update whatsapp sent %s", s.MessageID)
}

// UndeliveredWhatsApp lists messages sent before before that no receipt has
// confirmed and nobody was told about, oldest first. A send the outbox gave
// up on is left out: its failure report told staff already (a send is
// recorded before it is tried, so a failed one has a row too).
func (q *queries) UndeliveredWhatsApp(ctx context.Context, before time.Time) ([]store.WhatsAppSent, error) {
	rows, err := q.rd.QueryContext(ctx, `SELECT `+sentCols+` FROM whatsapp_sent s
		WHERE delivered_at IS NULL AND failed_at IS NULL AND reported = 0 AND sent_at < ?
		AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.id = s.outbox_id AND o.status = 'failed')
		ORDER BY sent_at, message_id`, timeArg(before))
	if err != nil {
		return nil, wrap(err, "undelivered whatsapp")
	}
	var out []store.WhatsAppSent
	for rows.Next() {
		m, err := scanSent(rows)
		if err != nil {
			rows.Close()
			return nil, wrap(err, "undelivered whatsapp")
		}
		out = append(out, m)
	}
	return out, wrap(closeRows(rows), "undelivered whatsapp")
}

// InboundSeen reports whether an inbound transport message id was recorded.
func (q *queries) InboundSeen(ctx context.Context, transport, externalID string) (bool, error) {
	var seen bool
	err := q.rd.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM inbound WHERE transport = ? AND chat = '' AND external_id = ?)`,
		transport, externalID).Scan(&seen)
	return seen, wrap(err, "inbound seen %s %s", transport, externalID)
}

// ChatInboundSeen reports whether an inbound message id was recorded in
// chat, or before the chat was part of the key (RecordChatInbound).
func (q *queries) ChatInboundSeen(ctx context.Context, transport, chat, externalID string) (bool, error) {
	var seen bool
	err := q.rd.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM inbound WHERE transport = ?1 AND chat IN (?2, '') AND external_id = ?3)`,
		transport, chat, externalID).Scan(&seen)
	return seen, wrap(err, "inbound seen %s %s in %s", transport, externalID, chat)
}

// Ping reads one row of the schema through the read pool: the file opens
// and reads, at a cost that does not grow with the data.
func (q *queries) Ping(ctx context.Context) error {
	var one int
	return wrap(q.rd.QueryRowContext(ctx, `SELECT 1 FROM sqlite_master LIMIT 1`).Scan(&one), "ping")
}

// Counts counts activity for the metrics endpoint. What grows without end
// is kept as running totals (the counters table: messages sent and given
// up on, kept by triggers; inbound ids forgotten, by PruneInbound); the
// rest is counted over what stays small: pending messages through their
// index, the inbound ids kept, denials and tickets.
func (q *queries) Counts(ctx context.Context, now time.Time) (store.Counts, error) {
	c := store.Counts{Inbound: map[string]int64{}, Sent: map[string]int64{}, Failed: map[string]int64{}, Denials: map[string]int64{}}
	grouped := []struct {
		query string
		fill  func(key string, n int64)
	}{
		{`SELECT transport, COUNT(*) FROM inbound GROUP BY transport`, func(k string, n int64) { c.Inbound[k] += n }},
		{`SELECT key, n FROM counters`, func(k string, n int64) {
			kind, transport, _ := strings.Cut(k, ":")
			switch kind {
			case counterSent:
				c.Sent[transport] += n
			case counterFailed:
				c.Failed[transport] += n
			case counterInboundPruned:
				c.Inbound[transport] += n
			}
		}},
		{`SELECT reason, COUNT(*) FROM denials GROUP BY reason`, func(k string, n int64) { c.Denials[k] = n }},
	}
	for _, g := range grouped {
		rows, err := q.rd.QueryContext(ctx, g.query)
		if err != nil {
			return store.Counts{}, wrap(err, "counts")
		}
		for rows.Next() {
			var key string
			var n int64
			if err := rows.Scan(&key, &n); err != nil {
				rows.Close()
				return store.Counts{}, wrap(err, "counts")
			}
			g.fill(key, n)
		}
		if err := closeRows(rows); err != nil {
			return store.Counts{}, wrap(err, "counts")
		}
	}
	if err := q.rd.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE status = 'pending'`).Scan(&c.Pending); err != nil {
		return store.Counts{}, wrap(err, "counts")
	}
	err := q.rd.QueryRowContext(ctx, `SELECT COUNT(*),
		COUNT(CASE WHEN first_response_due IS NOT NULL AND (
			(first_response_at IS NOT NULL AND first_response_at > first_response_due) OR
			(first_response_at IS NULL AND first_response_due < ?)) THEN 1 END)
		FROM tickets`, timeArg(now)).Scan(&c.TicketsOpened, &c.Breached)
	if err != nil {
		return store.Counts{}, wrap(err, "counts")
	}
	return c, nil
}
