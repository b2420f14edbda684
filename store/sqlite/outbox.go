package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"supportbot/store"
)

const outboxCols = `id, created_at, recipient, ticket_id, text, buttons, reply_to,
	file_kind, file_name, file_mime, file_bytes, file_path,
	status, attempts, next_attempt, sent_at, external_id, last_error,
	edit_of, thread, kind, topic, reply_message`

// scanOutbox reads one row of outboxCols.
func scanOutbox(s interface{ Scan(...any) error }) (store.OutboxMessage, error) {
	var m store.OutboxMessage
	var f fileCols
	dest := append([]any{&m.ID, timeCol{&m.CreatedAt}, &m.To, &m.TicketID, &m.Text, buttonsCol{&m.Buttons}, &m.ReplyTo},
		f.dest()...)
	dest = append(dest, &m.Status, &m.Attempts, timeCol{&m.NextAttempt}, timeCol{&m.SentAt}, &m.ExternalID, &m.LastError,
		&m.Edit, &m.Thread, &m.Kind, &m.Topic, &m.ReplyToMessage)
	err := s.Scan(dest...)
	m.File = f.file()
	return m, err
}

// Enqueue stores a message to send and sets m.ID. An empty Status is stored
// as pending. A zero NextAttempt means "as soon as possible".
func (q *queries) Enqueue(ctx context.Context, m *store.OutboxMessage) error {
	if m.Status == "" {
		m.Status = store.OutboxPending
	}
	buttons, err := buttonsArg(m.Buttons)
	if err != nil {
		return wrap(err, "enqueue to %s", m.To)
	}
	if m.File == nil && m.Status == store.OutboxPending && m.Attempts == 0 && m.SentAt.IsZero() && m.ExternalID == "" && m.LastError == "" {
		// Nearly every message is new text: the columns left out take their
		// defaults, which saves binding ten parameters on the busiest insert
		// (docs/performance.md, "The outbox insert").
		id, err := lastID(q.wr.ExecContext(ctx, `INSERT INTO outbox (created_at, recipient, ticket_id, text, buttons, reply_to, status, next_attempt,
			edit_of, thread, kind, topic, reply_message)
			VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?)`, timeArg(m.CreatedAt), m.To, m.TicketID, m.Text, buttons, m.ReplyTo, timeArg(m.NextAttempt),
			m.Edit, m.Thread, m.Kind, m.Topic, m.ReplyToMessage))
		if err != nil {
			return wrap(err, "enqueue to %s", m.To)
		}
		m.ID = id
		return nil
	}
	args := append([]any{timeArg(m.CreatedAt), m.To, m.TicketID, m.Text, buttons, m.ReplyTo}, fileArgs(m.File)...)
	args = append(args, m.Status, m.Attempts, timeArg(m.NextAttempt), timeArg(m.SentAt), m.ExternalID, m.LastError,
		m.Edit, m.Thread, m.Kind, m.Topic, m.ReplyToMessage)
	var id int64
	err = q.inTx(ctx, func(tq *queries) error {
		var err error
		id, err = lastID(tq.wr.ExecContext(ctx, `INSERT INTO outbox (
			created_at, recipient, ticket_id, text, buttons, reply_to,
			file_kind, file_name, file_mime, file_bytes, file_path,
			status, attempts, next_attempt, sent_at, external_id, last_error,
			edit_of, thread, kind, topic, reply_message)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, args...))
		if err != nil || (m.Status != store.OutboxSent && m.Status != store.OutboxFailed) {
			return err
		}
		// Stored already final: counted here, as the status trigger counts
		// a message leaving 'pending' (migration 0009).
		transport, _, _ := strings.Cut(m.To, ":")
		return tq.count(ctx, string(m.Status)+":"+transport, 1)
	})
	if err != nil {
		return wrap(err, "enqueue to %s", m.To)
	}
	m.ID = id
	return nil
}

// count adds n to a running total of the counters table.
func (q *queries) count(ctx context.Context, key string, n int64) error {
	_, err := q.wr.ExecContext(ctx, `INSERT INTO counters (key, n) VALUES (?1, ?2)
		ON CONFLICT (key) DO UPDATE SET n = n + ?2`, key, n)
	return err
}

// OutboxMessage returns one outbox message.
func (q *queries) OutboxMessage(ctx context.Context, id int64) (store.OutboxMessage, error) {
	m, err := scanOutbox(q.rd.QueryRowContext(ctx, `SELECT `+outboxCols+` FROM outbox WHERE id = ?`, id))
	if err != nil {
		return store.OutboxMessage{}, wrap(err, "outbox message %d", id)
	}
	return m, nil
}

// DueOutbox lists at most limit pending messages whose next attempt is at or
// before now (or unset), oldest first. A limit of 0 or less means no limit.
func (q *queries) DueOutbox(ctx context.Context, now time.Time, limit int) ([]store.OutboxMessage, error) {
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	rows, err := q.rd.QueryContext(ctx, `SELECT `+outboxCols+` FROM outbox
		WHERE status = 'pending' AND (next_attempt IS NULL OR next_attempt <= ?)
		ORDER BY id LIMIT ?`, timeArg(now), limit)
	if err != nil {
		return nil, wrap(err, "due outbox")
	}
	var ms []store.OutboxMessage
	for rows.Next() {
		m, err := scanOutbox(rows)
		if err != nil {
			rows.Close()
			return nil, wrap(err, "due outbox")
		}
		ms = append(ms, m)
	}
	return ms, wrap(closeRows(rows), "due outbox")
}

// MarkSent records that the transport accepted the message.
func (q *queries) MarkSent(ctx context.Context, id int64, at time.Time, externalID string) error {
	err := mustAffect(q.wr.ExecContext(ctx, `UPDATE outbox SET status = 'sent', sent_at = ?, external_id = ?, last_error = ''
		WHERE id = ?`, timeArg(at), externalID, id))
	return wrap(err, "mark outbox message %d sent", id)
}

// MarkRetry counts a failed attempt and schedules the next one.
func (q *queries) MarkRetry(ctx context.Context, id int64, next time.Time, errText string) error {
	err := mustAffect(q.wr.ExecContext(ctx, `UPDATE outbox SET attempts = attempts + 1, next_attempt = ?, last_error = ?
		WHERE id = ?`, timeArg(next), errText, id))
	return wrap(err, "mark outbox message %d for retry", id)
}

// Postpone schedules the next attempt without counting a failed one.
func (q *queries) Postpone(ctx context.Context, id int64, next time.Time, errText string) error {
	err := mustAffect(q.wr.ExecContext(ctx, `UPDATE outbox SET next_attempt = ?, last_error = ? WHERE id = ?`, timeArg(next), errText, id))
	return wrap(err, "postpone outbox message %d", id)
}

// MarkFailed gives up on the message.
func (q *queries) MarkFailed(ctx context.Context, id int64, errText string) error {
	err := mustAffect(q.wr.ExecContext(ctx, `UPDATE outbox SET status = 'failed', last_error = ? WHERE id = ?`, errText, id))
	return wrap(err, "mark outbox message %d failed", id)
}

// SentByExternal finds the sent message with that recipient and transport
// id; with several (a transport reusing ids) the latest wins.
func (q *queries) SentByExternal(ctx context.Context, to, externalID string) (store.OutboxMessage, error) {
	m, err := scanOutbox(q.rd.QueryRowContext(ctx, `SELECT `+outboxCols+` FROM outbox
		WHERE recipient = ? AND external_id = ? AND status = 'sent' ORDER BY id DESC LIMIT 1`, to, externalID))
	if err != nil {
		return store.OutboxMessage{}, wrap(err, "sent message %s to %s", externalID, to)
	}
	return m, nil
}

// RecordInbound remembers a transport message id; false means it was
// recorded before and the message is a redelivery.
func (q *queries) RecordInbound(ctx context.Context, transport, externalID string, at time.Time) (bool, error) {
	q.db.chatless.mayHave(transport) // before the row exists (chatlessIDs)
	res, err := q.wr.ExecContext(ctx, `INSERT OR IGNORE INTO inbound (transport, chat, external_id, at) VALUES (?, '', ?, ?)`,
		transport, externalID, timeArg(at))
	return inserted(res, err, "record inbound %s %s", transport, externalID)
}

// RecordChatInbound remembers a message id within a chat; false means it
// was recorded before, in that chat or before the chat was part of the key
// (migration 0010), and the message is a redelivery. While the transport
// may have such chat-less ids the statement probes for the old-style key
// too; that form reads the table it inserts into, so SQLite copies the row
// through a temporary table first, which tripled the statement's cost. A
// store without chat-less ids of the transport (every store once they are
// pruned) inserts plainly.
func (q *queries) RecordChatInbound(ctx context.Context, transport, chat, externalID string, at time.Time) (bool, error) {
	if chat == "" {
		return false, fmt.Errorf("sqlite: record inbound %s %s: no chat", transport, externalID)
	}
	chatless, err := q.db.chatless.has(transport, func() (bool, error) {
		var found bool
		err := q.wr.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM inbound WHERE transport = ? AND chat = '')`, transport).Scan(&found)
		return found, err
	})
	if err != nil {
		return false, wrap(err, "record inbound %s %s in %s", transport, externalID, chat)
	}
	query := `INSERT INTO inbound (transport, chat, external_id, at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING`
	if chatless {
		query = `INSERT INTO inbound (transport, chat, external_id, at)
		SELECT ?1, ?2, ?3, ?4 WHERE NOT EXISTS
			(SELECT 1 FROM inbound WHERE transport = ?1 AND chat = '' AND external_id = ?3)
		ON CONFLICT DO NOTHING`
	}
	res, err := q.wr.ExecContext(ctx, query, transport, chat, externalID, timeArg(at))
	return inserted(res, err, "record inbound %s %s in %s", transport, externalID, chat)
}

// chatlessIDs remembers, per transport, whether the inbound table may hold
// ids recorded without a chat (RecordInbound, or before migration 0010),
// which RecordChatInbound must also look for. It errs only towards "may":
// RecordInbound marks the transport before its row exists (and a rollback
// leaves the mark), and only a look at the table, when nothing marked the
// transport meanwhile, clears it. PruneInbound forgets what it knew, so the
// next record looks again.
type chatlessIDs struct {
	mu    sync.Mutex
	known map[string]bool // transport: may have chat-less ids
}

// has reports whether transport may have chat-less ids, looking with look
// when nothing is known.
func (c *chatlessIDs) has(transport string, look func() (bool, error)) (bool, error) {
	c.mu.Lock()
	v, ok := c.known[transport]
	c.mu.Unlock()
	if ok {
		return v, nil
	}
	found, err := look()
	if err != nil {
		return true, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.known == nil {
		c.known = map[string]bool{}
	}
	if v, ok := c.known[transport]; ok {
		return v, nil // marked while we looked: the mark wins
	}
	c.known[transport] = found
	return found, nil
}

// mayHave marks transport as possibly having chat-less ids.
func (c *chatlessIDs) mayHave(transport string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.known == nil {
		c.known = map[string]bool{}
	}
	c.known[transport] = true
}

// forget drops what is known, so the next record looks at the table again.
func (c *chatlessIDs) forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.known)
}

// inserted reports whether an insert stored its row.
func inserted(res sql.Result, err error, format string, args ...any) (bool, error) {
	if err != nil {
		return false, wrap(err, format, args...)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, wrap(err, format, args...)
	}
	return n == 1, nil
}

// Keys of the counters table are kind:transport; triggers keep the sent
// and failed totals (migration 0009), PruneInbound the ids it forgot, so
// that Counts still counts their messages.
const (
	counterSent          = "sent"
	counterFailed        = "failed"
	counterInboundPruned = "inbound_pruned"
)

// PruneInbound forgets inbound ids recorded for messages sent before
// `before`, among the next limit ids after `after`. Each call is one short
// transaction over a stretch of the primary key, found without an index on
// the time and so at no cost to recording; a sweep over the whole table is
// a series of them, and messages keep flowing in between. Ids without a
// time are kept.
func (q *queries) PruneInbound(ctx context.Context, before time.Time, after store.InboundKey, limit int) (next store.InboundKey, pruned int, done bool, err error) {
	if limit <= 0 {
		return after, 0, false, fmt.Errorf("sqlite: prune inbound: limit %d must be positive", limit)
	}
	var prunedOf map[string]int64
	err = q.inTx(ctx, func(tq *queries) error {
		// The last key of this stretch; none when fewer than limit are left.
		err := tq.rd.QueryRowContext(ctx, `SELECT transport, chat, external_id FROM inbound
			WHERE (transport, chat, external_id) > (?1, ?2, ?3)
			ORDER BY transport, chat, external_id LIMIT 1 OFFSET ?4`, after.Transport, after.Chat, after.ExternalID, limit-1).
			Scan(&next.Transport, &next.Chat, &next.ExternalID)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			done = true
		case err != nil:
			return err
		}
		query := `DELETE FROM inbound WHERE (transport, chat, external_id) > (?1, ?2, ?3) AND at < ?4`
		args := []any{after.Transport, after.Chat, after.ExternalID, timeArg(before)}
		if !done {
			query += ` AND (transport, chat, external_id) <= (?5, ?6, ?7)`
			args = append(args, next.Transport, next.Chat, next.ExternalID)
		}
		rows, err := tq.wr.QueryContext(ctx, query+` RETURNING transport`, args...)
		if err != nil {
			return err
		}
		byTransport := map[string]int64{}
		prunedOf = byTransport
		for rows.Next() {
			var t string
			if err := rows.Scan(&t); err != nil {
				rows.Close()
				return err
			}
			byTransport[t]++
			pruned++
		}
		if err := closeRows(rows); err != nil {
			return err
		}
		for t, n := range byTransport {
			if err := tq.count(ctx, counterInboundPruned+":"+t, n); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return after, 0, false, wrap(err, "prune inbound")
	}
	switch {
	case pruned == 0:
	case q.tx == nil:
		q.db.chatless.forget() // the chat-less ids may be gone now
	default:
		// Inside a caller's transaction, which may yet roll back: what
		// was known stays, and a look inside it would not see the rows
		// a rollback brings back, so the pruned transports count as
		// having chat-less ids until a committed prune.
		for t := range prunedOf {
			q.db.chatless.mayHave(t)
		}
	}
	return next, pruned, done, nil
}
