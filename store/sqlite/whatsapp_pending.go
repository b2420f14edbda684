package sqlite

import (
	"context"

	"supportbot/store"
)

// AddWhatsAppPending stores a message to handle later; false when its chat
// and id are pending already.
func (q *queries) AddWhatsAppPending(ctx context.Context, p *store.WhatsAppPending) (bool, error) {
	res, err := q.wr.ExecContext(ctx, `INSERT INTO whatsapp_pending (chat, message_id, sender, address, at, sent_at, from_me, message)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (chat, message_id) DO NOTHING`,
		p.Chat, p.MessageID, p.Sender, p.Address, timeArg(p.At), timeArg(p.SentAt), p.FromMe, p.Message)
	if err != nil {
		return false, wrap(err, "add whatsapp pending %s", p.MessageID)
	}
	n, err := res.RowsAffected()
	if err != nil || n == 0 {
		return false, wrap(err, "add whatsapp pending %s", p.MessageID)
	}
	id, err := res.LastInsertId()
	p.ID = id
	return true, wrap(err, "add whatsapp pending %s", p.MessageID)
}

// WhatsAppPendingList lists the pending messages, oldest first.
func (q *queries) WhatsAppPendingList(ctx context.Context) ([]store.WhatsAppPending, error) {
	rows, err := q.rd.QueryContext(ctx, `SELECT id, chat, message_id, sender, address, at, sent_at, from_me, message,
		attempts, failed_at, last_error
		FROM whatsapp_pending ORDER BY id`)
	if err != nil {
		return nil, wrap(err, "whatsapp pending")
	}
	var out []store.WhatsAppPending
	for rows.Next() {
		var p store.WhatsAppPending
		if err := rows.Scan(&p.ID, &p.Chat, &p.MessageID, &p.Sender, &p.Address, timeCol{&p.At}, timeCol{&p.SentAt}, &p.FromMe, &p.Message,
			&p.Attempts, timeCol{&p.FailedAt}, &p.LastError); err != nil {
			rows.Close()
			return nil, wrap(err, "whatsapp pending")
		}
		out = append(out, p)
	}
	return out, wrap(closeRows(rows), "whatsapp pending")
}

// DeleteWhatsAppPending forgets a pending message once it is handled.
func (q *queries) DeleteWhatsAppPending(ctx context.Context, id int64) error {
	_, err := q.wr.ExecContext(ctx, `DELETE FROM whatsapp_pending WHERE id = ?`, id)
	return wrap(err, "delete whatsapp pending %d", id)
}

// FailWhatsAppPending stores how often p failed, since when and why.
func (q *queries) FailWhatsAppPending(ctx context.Context, p store.WhatsAppPending) error {
	_, err := q.wr.ExecContext(ctx, `UPDATE whatsapp_pending SET attempts = ?, failed_at = ?, last_error = ? WHERE id = ?`,
		p.Attempts, timeArg(p.FailedAt), p.LastError, p.ID)
	return wrap(err, "fail whatsapp pending %d", p.ID)
}
