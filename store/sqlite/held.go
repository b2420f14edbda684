package sqlite

import (
	"context"

	"supportbot/store"
)

// Hold stores a customer message the bot did not act on and sets m.ID.
func (q *queries) Hold(ctx context.Context, m *store.HeldMessage) error {
	args := append([]any{timeArg(m.At), m.Phone, m.Reason, m.Text}, fileArgs(m.File)...)
	id, err := lastID(q.wr.ExecContext(ctx, `INSERT INTO held_messages
		(at, phone, reason, text, file_kind, file_name, file_mime, file_bytes, file_path)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, args...))
	if err != nil {
		return wrap(err, "hold message from %s", m.Phone)
	}
	m.ID = id
	return nil
}

// HeldMessages returns the messages held from phone, oldest first.
func (q *queries) HeldMessages(ctx context.Context, phone string) ([]store.HeldMessage, error) {
	rows, err := q.rd.QueryContext(ctx, `SELECT id, at, phone, reason, text,
		file_kind, file_name, file_mime, file_bytes, file_path
		FROM held_messages WHERE phone = ? ORDER BY id`, phone)
	if err != nil {
		return nil, wrap(err, "held messages of %s", phone)
	}
	var ms []store.HeldMessage
	for rows.Next() {
		var m store.HeldMessage
		var f fileCols
		if err := rows.Scan(append([]any{&m.ID, timeCol{&m.At}, &m.Phone, &m.Reason, &m.Text}, f.dest()...)...); err != nil {
			rows.Close()
			return nil, wrap(err, "held messages of %s", phone)
		}
		m.File = f.file()
		ms = append(ms, m)
	}
	return ms, wrap(closeRows(rows), "held messages of %s", phone)
}
