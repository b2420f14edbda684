package sqlite

import (
	"context"
	"time"

	"supportbot/store"
)

// RecordNotice remembers key as sent at at. It returns false, changing
// nothing, when key was recorded before.
func (q *queries) RecordNotice(ctx context.Context, key string, at time.Time) (bool, error) {
	res, err := q.wr.ExecContext(ctx, `INSERT INTO notices (key, at) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`,
		key, timeArg(at))
	if err != nil {
		return false, wrap(err, "record notice %s", key)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, wrap(err, "record notice %s", key)
	}
	return n == 1, nil
}

// UnansweredTickets lists the tickets still waiting for a first answer
// whose deadline is after after (any deadline when after is zero), earliest
// deadline first, then by id.
func (q *queries) UnansweredTickets(ctx context.Context, after time.Time) ([]store.Ticket, error) {
	var from any = "" // every stored time sorts after the empty string
	if !after.IsZero() {
		from = timeArg(after)
	}
	rows, err := q.rd.QueryContext(ctx, `SELECT `+ticketCols+` FROM tickets
		WHERE status = 'new' AND first_response_at IS NULL AND first_response_due > ?
		ORDER BY first_response_due, id`, from)
	if err != nil {
		return nil, wrap(err, "unanswered tickets")
	}
	var ts []store.Ticket
	for rows.Next() {
		t, err := scanTicket(rows)
		if err != nil {
			rows.Close()
			return nil, wrap(err, "unanswered tickets")
		}
		ts = append(ts, t)
	}
	return ts, wrap(closeRows(rows), "unanswered tickets")
}
