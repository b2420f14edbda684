package sqlite

import (
	"context"

	"supportbot/store"
)

// AddAudit appends one audit record and sets r.ID. The table refuses
// updates and deletes (migration 0011).
func (q *queries) AddAudit(ctx context.Context, r *store.AuditRecord) error {
	id, err := lastID(q.wr.ExecContext(ctx, `INSERT INTO audit (at, user_id, user_name, action, ticket_id, detail)
		VALUES (?, ?, ?, ?, ?, ?)`, timeArg(r.At), r.UserID, r.UserName, r.Action, r.TicketID, r.Detail))
	if err != nil {
		return wrap(err, "audit %s", r.Action)
	}
	r.ID = id
	return nil
}

// Audit lists the records of a ticket, or all of them for ticket 0, oldest
// first.
func (q *queries) Audit(ctx context.Context, ticketID int64) ([]store.AuditRecord, error) {
	query := `SELECT id, at, user_id, user_name, action, ticket_id, detail FROM audit`
	var args []any
	if ticketID != 0 {
		query += ` WHERE ticket_id = ?`
		args = append(args, ticketID)
	}
	rows, err := q.rd.QueryContext(ctx, query+` ORDER BY id`, args...)
	if err != nil {
		return nil, wrap(err, "audit of ticket %d", ticketID)
	}
	var out []store.AuditRecord
	for rows.Next() {
		var r store.AuditRecord
		if err := rows.Scan(&r.ID, timeCol{&r.At}, &r.UserID, &r.UserName, &r.Action, &r.TicketID, &r.Detail); err != nil {
			rows.Close()
			return nil, wrap(err, "audit of ticket %d", ticketID)
		}
		out = append(out, r)
	}
	return out, wrap(closeRows(rows), "audit of ticket %d", ticketID)
}

// SaveSnippet creates or replaces a saved reply.
func (q *queries) SaveSnippet(ctx context.Context, s store.Snippet) error {
	args := append([]any{s.Key, s.Text}, fileArgs(s.File)...)
	args = append(args, timeArg(s.UpdatedAt), s.UpdatedBy)
	_, err := q.wr.ExecContext(ctx, `INSERT INTO snippets
		(key, text, file_kind, file_name, file_mime, file_bytes, file_path, updated_at, updated_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET text = excluded.text, file_kind = excluded.file_kind,
			file_name = excluded.file_name, file_mime = excluded.file_mime, file_bytes = excluded.file_bytes,
			file_path = excluded.file_path, updated_at = excluded.updated_at, updated_by = excluded.updated_by`, args...)
	return wrap(err, "save snippet %s", s.Key)
}

const snippetCols = `key, text, file_kind, file_name, file_mime, file_bytes, file_path, updated_at, updated_by`

func scanSnippet(sc interface{ Scan(...any) error }) (store.Snippet, error) {
	var s store.Snippet
	var f fileCols
	dest := append([]any{&s.Key, &s.Text}, f.dest()...)
	err := sc.Scan(append(dest, timeCol{&s.UpdatedAt}, &s.UpdatedBy)...)
	s.File = f.file()
	return s, err
}

// Snippet returns one saved reply.
func (q *queries) Snippet(ctx context.Context, key string) (store.Snippet, error) {
	s, err := scanSnippet(q.rd.QueryRowContext(ctx, `SELECT `+snippetCols+` FROM snippets WHERE key = ?`, key))
	if err != nil {
		return store.Snippet{}, wrap(err, "snippet %s", key)
	}
	return s, nil
}

// DeleteSnippet removes a saved reply.
func (q *queries) DeleteSnippet(ctx context.Context, key string) error {
	return wrap(mustAffect(q.wr.ExecContext(ctx, `DELETE FROM snippets WHERE key = ?`, key)), "delete snippet %s", key)
}

// Snippets lists the saved replies by key.
func (q *queries) Snippets(ctx context.Context) ([]store.Snippet, error) {
	rows, err := q.rd.QueryContext(ctx, `SELECT `+snippetCols+` FROM snippets ORDER BY key`)
	if err != nil {
		return nil, wrap(err, "snippets")
	}
	var out []store.Snippet
	for rows.Next() {
		s, err := scanSnippet(rows)
		if err != nil {
			rows.Close()
			return nil, wrap(err, "snippets")
		}
		out = append(out, s)
	}
	return out, wrap(closeRows(rows), "snippets")
}

// WaitingTickets lists the tickets waiting on the customer, by id.
func (q *queries) WaitingTickets(ctx context.Context) ([]store.Ticket, error) {
	rows, err := q.rd.QueryContext(ctx, `SELECT `+ticketCols+` FROM tickets
		WHERE waiting_since IS NOT NULL AND status = 'answered' ORDER BY id`)
	if err != nil {
		return nil, wrap(err, "waiting tickets")
	}
	var ts []store.Ticket
	for rows.Next() {
		t, err := scanTicket(rows)
		if err != nil {
			rows.Close()
			return nil, wrap(err, "waiting tickets")
		}
		ts = append(ts, t)
	}
	return ts, wrap(closeRows(rows), "waiting tickets")
}

// PendingCSAT is the latest ticket of phone whose satisfaction question
// waits for an answer.
func (q *queries) PendingCSAT(ctx context.Context, phone string) (store.Ticket, error) {
	t, err := scanTicket(q.rd.QueryRowContext(ctx, `SELECT `+ticketCols+` FROM tickets
		WHERE phone = ? AND csat_pending = 1 ORDER BY csat_asked_at DESC, id DESC LIMIT 1`, phone))
	if err != nil {
		return store.Ticket{}, wrap(err, "pending satisfaction question of %s", phone)
	}
	return t, nil
}

// MoveTicketHistory moves a ticket's messages and time logs to another.
func (q *queries) MoveTicketHistory(ctx context.Context, from, to int64) error {
	return q.inTx(ctx, func(tq *queries) error {
		if _, err := tq.wr.ExecContext(ctx, `UPDATE ticket_messages SET ticket_id = ? WHERE ticket_id = ?`, to, from); err != nil {
			return wrap(err, "move messages of ticket %d", from)
		}
		_, err := tq.wr.ExecContext(ctx, `UPDATE time_logs SET ticket_id = ?1, contract_id = (SELECT contract_id FROM tickets WHERE id = ?1)
			WHERE ticket_id = ?2`, to, from)
		return wrap(err, "move time logs of ticket %d", from)
	})
}
