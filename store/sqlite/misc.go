package sqlite

import (
	"context"

	"supportbot/rules"
	"supportbot/store"
)

// AddDenial records a refused intake and sets d.ID.
func (q *queries) AddDenial(ctx context.Context, d *store.Denial) error {
	id, err := lastID(q.wr.ExecContext(ctx, `INSERT INTO denials (at, phone, customer_id, contract_id, kind, reason)
		VALUES (?, ?, ?, ?, ?, ?)`,
		timeArg(d.At), d.Phone, d.CustomerID, d.ContractID, string(d.Kind), string(d.Reason)))
	if err != nil {
		return wrap(err, "add denial for %s", d.Phone)
	}
	d.ID = id
	return nil
}

// ListDenials returns every denial in the order they were recorded.
func (q *queries) ListDenials(ctx context.Context) ([]store.Denial, error) {
	rows, err := q.rd.QueryContext(ctx, `SELECT id, at, phone, customer_id, contract_id, kind, reason FROM denials ORDER BY id`)
	if err != nil {
		return nil, wrap(err, "list denials")
	}
	var ds []store.Denial
	for rows.Next() {
		var d store.Denial
		var kind, reason string
		if err := rows.Scan(&d.ID, timeCol{&d.At}, &d.Phone, &d.CustomerID, &d.ContractID, &kind, &reason); err != nil {
			rows.Close()
			return nil, wrap(err, "list denials")
		}
		d.Kind, d.Reason = rules.RequestKind(kind), rules.Denial(reason)
		ds = append(ds, d)
	}
	return ds, wrap(closeRows(rows), "list denials")
}

// Setting returns a setting's value; store.ErrNotFound when it was never set.
func (q *queries) Setting(ctx context.Context, key string) (string, error) {
	var v string
	err := q.rd.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	return v, wrap(err, "setting %s", key)
}

// SetSetting sets a setting, replacing any earlier value.
func (q *queries) SetSetting(ctx context.Context, key, value string) error {
	_, err := q.wr.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return wrap(err, "set setting %s", key)
}

// Session returns the phone's conversation state; store.ErrNotFound when
// there is none.
func (q *queries) Session(ctx context.Context, phone string) (store.Session, error) {
	var s store.Session
	err := q.rd.QueryRowContext(ctx, `SELECT phone, state, data, updated_at FROM sessions WHERE phone = ?`, phone).
		Scan(&s.Phone, &s.State, &s.Data, timeCol{&s.UpdatedAt})
	if err != nil {
		return store.Session{}, wrap(err, "session %s", phone)
	}
	return s, nil
}

// SaveSession creates or replaces the phone's conversation state.
func (q *queries) SaveSession(ctx context.Context, s store.Session) error {
	_, err := q.wr.ExecContext(ctx, `INSERT INTO sessions (phone, state, data, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (phone) DO UPDATE SET state = excluded.state, data = excluded.data, updated_at = excluded.updated_at`,
		s.Phone, s.State, s.Data, timeArg(s.UpdatedAt))
	return wrap(err, "save session %s", s.Phone)
}
