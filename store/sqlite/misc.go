package sqlite

import (
	"context"
	"database/sql"
	"strings"

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

// phoneStateQuery is Session and CustomerByPhone in one statement: every
// inbound customer message reads both.
const phoneStateQuery = `SELECT s.phone IS NOT NULL, s.state, s.data, s.updated_at,
	c.id, c.name, c.city,
	(SELECT group_concat(number, ' ') FROM (SELECT number FROM phones WHERE customer_id = c.id ORDER BY number)),
	(SELECT group_concat(address, ' ') FROM (SELECT address FROM addresses WHERE customer_id = c.id AND phone = '' ORDER BY address))
	FROM (SELECT ? AS number) x
	LEFT JOIN sessions s ON s.phone = x.number
	LEFT JOIN customers c ON c.id = COALESCE((SELECT customer_id FROM phones WHERE number = x.number),
		(SELECT customer_id FROM addresses WHERE address = x.number))`

// PhoneState reads the phone's session and its customer together.
func (q *queries) PhoneState(ctx context.Context, phone string) (store.PhoneState, error) {
	var ps store.PhoneState
	var state, data, id, name, city, phones, unmatched sql.NullString
	err := q.rd.QueryRowContext(ctx, phoneStateQuery, phone).
		Scan(&ps.HasSession, &state, &data, timeCol{&ps.Session.UpdatedAt}, &id, &name, &city, &phones, &unmatched)
	if err != nil {
		return store.PhoneState{}, wrap(err, "session and customer of %s", phone)
	}
	if ps.HasSession {
		ps.Session.Phone, ps.Session.State, ps.Session.Data = phone, state.String, data.String
	}
	if id.Valid {
		ps.HasCustomer = true
		ps.Customer = store.Customer{ID: id.String, Name: name.String, City: city.String}
		if phones.String != "" {
			ps.Customer.Phones = strings.Split(phones.String, " ")
		}
		ps.Unmatched = splitList(unmatched.String)
	}
	return ps, nil
}
