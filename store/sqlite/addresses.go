package sqlite

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"supportbot/store"
)

// LinkAddress makes a hidden address the customer's, moving it from any
// other customer (a move forgets the number it was joined with).
func (q *queries) LinkAddress(ctx context.Context, address, customerID string, at time.Time) error {
	return q.inTx(ctx, func(tq *queries) error {
		if err := tq.mustExist(ctx, customerID); err != nil {
			return err
		}
		_, err := tq.wr.ExecContext(ctx, `INSERT INTO addresses (address, customer_id, phone, linked_at) VALUES (?, ?, '', ?)
			ON CONFLICT (address) DO UPDATE SET customer_id = excluded.customer_id, linked_at = excluded.linked_at,
				phone = CASE WHEN addresses.customer_id = excluded.customer_id THEN addresses.phone ELSE '' END`,
			address, customerID, at.UTC().Format(time.RFC3339Nano))
		return wrap(err, "link address %s to customer %s", address, customerID)
	})
}

// Address reads a linked hidden address; store.ErrNotFound when none.
func (q *queries) Address(ctx context.Context, address string) (store.Address, error) {
	a := store.Address{Address: address}
	err := q.rd.QueryRowContext(ctx, `SELECT customer_id, phone FROM addresses WHERE address = ?`, address).Scan(&a.CustomerID, &a.Phone)
	return a, wrap(err, "address %s", address)
}

// JoinAddress records the number WhatsApp revealed behind a linked address.
func (q *queries) JoinAddress(ctx context.Context, address, phone string) error {
	res, err := q.wr.ExecContext(ctx, `UPDATE addresses SET phone = ? WHERE address = ?`, phone, address)
	if err != nil {
		return wrap(err, "join address %s with %s", address, phone)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return wrap(sql.ErrNoRows, "join address %s", address)
	}
	return nil
}

// unmatchedQuery lists a customer's hidden addresses with no number yet.
const unmatchedQuery = `SELECT group_concat(address, ' ') FROM
	(SELECT address FROM addresses WHERE customer_id = ? AND phone = '' ORDER BY address)`

// Unmatched lists the customer's linked hidden addresses whose number is
// not known, sorted.
func (q *queries) Unmatched(ctx context.Context, customerID string) ([]string, error) {
	var list sql.NullString
	if err := q.rd.QueryRowContext(ctx, unmatchedQuery, customerID).Scan(&list); err != nil {
		return nil, wrap(err, "hidden addresses of %s", customerID)
	}
	return splitList(list.String), nil
}

// splitList reads a group_concat(…, ' ') list; empty is none.
func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, " ")
}
