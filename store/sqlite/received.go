package sqlite

import (
	"context"

	"supportbot/store"
)

// AddReceived stores a received customer message and sets r.ID.
func (q *queries) AddReceived(ctx context.Context, r *store.Received) error {
	args := append([]any{timeArg(r.At), r.Phone, r.TicketID, r.Route, r.Courtesy, r.Held, r.Text}, fileArgs(r.File)...)
	args = append(args, timeArg(r.SentAt))
	id, err := lastID(q.wr.ExecContext(ctx, `INSERT INTO received
		(at, phone, ticket_id, route, courtesy, held, text, file_kind, file_name, file_mime, file_bytes, file_path, sent_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, args...))
	if err != nil {
		return wrap(err, "store message from %s", r.Phone)
	}
	r.ID = id
	return nil
}

// RouteReceived records where a received message went.
func (q *queries) RouteReceived(ctx context.Context, id, ticketID int64, route string, courtesy bool) error {
	return wrap(mustAffect(q.wr.ExecContext(ctx, `UPDATE received SET ticket_id = ?, route = ?, courtesy = ? WHERE id = ?`,
		ticketID, route, courtesy, id)), "route received message %d", id)
}

// ListReceived lists every received customer message in the order received.
func (q *queries) ListReceived(ctx context.Context) ([]store.Received, error) {
	rows, err := q.rd.QueryContext(ctx, `SELECT id, at, phone, ticket_id, route, courtesy, held, text,
		file_kind, file_name, file_mime, file_bytes, file_path, sent_at
		FROM received ORDER BY id`)
	if err != nil {
		return nil, wrap(err, "received messages")
	}
	var rs []store.Received
	for rows.Next() {
		var r store.Received
		var f fileCols
		if err := rows.Scan(append(append([]any{&r.ID, timeCol{&r.At}, &r.Phone, &r.TicketID, &r.Route, &r.Courtesy, &r.Held, &r.Text}, f.dest()...), timeCol{&r.SentAt})...); err != nil {
			rows.Close()
			return nil, wrap(err, "received messages")
		}
		r.File = f.file()
		rs = append(rs, r)
	}
	return rs, wrap(closeRows(rows), "received messages")
}
