package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"

	"supportbot/rules"
	"supportbot/store"
)

// ReadTx runs fn in one deferred transaction on a read-only connection: the
// snapshot is taken at fn's first read and holds until fn returns, and WAL
// readers neither wait for the writer nor hold it up, so an export of years
// of history runs beside a working bot. Writes in fn fail (the readers are
// query_only).
func (q *queries) ReadTx(ctx context.Context, fn func(tx store.Store) error) error {
	if q.tx != nil {
		return fn(txStore{q})
	}
	tx, err := q.db.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("sqlite: begin read: %w", err)
	}
	defer q.db.rcache.prepareWanted(ctx)
	tq := newTxQuerier(tx, q.db.rcache)
	err = fn(txStore{&queries{db: q.db, rd: tq, wr: tq, tx: tx}})
	if rerr := tx.Rollback(); rerr != nil && !errors.Is(rerr, sql.ErrTxDone) {
		err = errors.Join(err, fmt.Errorf("sqlite: end read: %w", rerr))
	}
	return err
}

// eachRow yields the rows of query as scan reads them, one at a time; the
// statement stays open while the caller consumes the sequence.
func eachRow[T any](ctx context.Context, q querier, what string, scan func(*sql.Rows) (T, error), query string, args ...any) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		rows, err := q.QueryContext(ctx, query, args...)
		if err != nil {
			yield(zero, wrap(err, "%s", what))
			return
		}
		defer rows.Close()
		for rows.Next() {
			v, err := scan(rows)
			if err != nil {
				yield(zero, wrap(err, "%s", what))
				return
			}
			if !yield(v, nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(zero, wrap(err, "%s", what))
		}
	}
}

// EachTicket yields the tickets f selects, by id.
func (q *queries) EachTicket(ctx context.Context, f store.TicketFilter) iter.Seq2[store.Ticket, error] {
	query, args := ticketListQuery(f)
	return eachRow(ctx, q.rd, "list tickets", func(r *sql.Rows) (store.Ticket, error) { return scanTicket(r) }, query, args...)
}

// EachDenial yields the refused intakes by time, then id.
func (q *queries) EachDenial(ctx context.Context) iter.Seq2[store.Denial, error] {
	return eachRow(ctx, q.rd, "list denials", func(r *sql.Rows) (store.Denial, error) {
		var d store.Denial
		var kind, reason string
		err := r.Scan(&d.ID, timeCol{&d.At}, &d.Phone, &d.CustomerID, &d.ContractID, &kind, &reason)
		d.Kind, d.Reason = rules.RequestKind(kind), rules.Denial(reason)
		return d, err
	}, `SELECT id, at, phone, customer_id, contract_id, kind, reason FROM denials ORDER BY at, id`)
}

// EachAudit yields the whole audit trail, oldest first.
func (q *queries) EachAudit(ctx context.Context) iter.Seq2[store.AuditRecord, error] {
	return eachRow(ctx, q.rd, "audit", func(r *sql.Rows) (store.AuditRecord, error) {
		var a store.AuditRecord
		err := r.Scan(&a.ID, timeCol{&a.At}, &a.UserID, &a.UserName, &a.Action, &a.TicketID, &a.Detail)
		return a, err
	}, `SELECT id, at, user_id, user_name, action, ticket_id, detail FROM audit ORDER BY id`)
}

// EachReceived yields every received customer message by time, then id.
func (q *queries) EachReceived(ctx context.Context) iter.Seq2[store.Received, error] {
	return eachRow(ctx, q.rd, "received messages", func(r *sql.Rows) (store.Received, error) {
		var m store.Received
		var f fileCols
		err := r.Scan(append(append([]any{&m.ID, timeCol{&m.At}, &m.Phone, &m.TicketID, &m.Route, &m.Courtesy, &m.Held, &m.Text}, f.dest()...), timeCol{&m.SentAt})...)
		m.File = f.file()
		return m, err
	}, `SELECT id, at, phone, ticket_id, route, courtesy, held, text,
		file_kind, file_name, file_mime, file_bytes, file_path, sent_at
		FROM received ORDER BY at, id`)
}

// EachStaffMessage yields the staff messages and notes on tickets with the
// ticket's phone, by time, then ticket, then id.
func (q *queries) EachStaffMessage(ctx context.Context) iter.Seq2[store.TicketMessage, error] {
	return eachRow(ctx, q.rd, "staff messages", func(r *sql.Rows) (store.TicketMessage, error) {
		var m store.TicketMessage
		var dir string
		var f fileCols
		err := r.Scan(append([]any{&m.ID, &m.TicketID, timeCol{&m.At}, &dir, &m.Author, &m.UserID, &m.Text}, append(f.dest(), &m.Phone)...)...)
		m.Direction, m.File = store.MessageDirection(dir), f.file()
		return m, err
	}, `SELECT m.id, m.ticket_id, m.at, m.direction, m.author, m.user_id, m.text,
		m.file_kind, m.file_name, m.file_mime, m.file_bytes, m.file_path, t.phone
		FROM ticket_messages m JOIN tickets t ON t.id = m.ticket_id
		WHERE m.direction != 'customer' ORDER BY m.at, m.ticket_id, m.id`)
}
