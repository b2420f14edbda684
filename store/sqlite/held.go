package sqlite

import (
	"context"
	"fmt"
	"slices"
	"time"

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

// HeldPage lists the limit messages held from phone after the newest
// skip, oldest first, and how many are held from phone in all.
func (q *queries) HeldPage(ctx context.Context, phone string, skip, limit int) ([]store.HeldMessage, int, error) {
	if skip < 0 || limit <= 0 {
		return nil, 0, fmt.Errorf("sqlite: held messages of %s: skip %d, limit %d", phone, skip, limit)
	}
	var total int
	if err := q.rd.QueryRowContext(ctx, `SELECT count(*) FROM held_messages WHERE phone = ?`, phone).Scan(&total); err != nil {
		return nil, 0, wrap(err, "held messages of %s", phone)
	}
	rows, err := q.rd.QueryContext(ctx, `SELECT id, at, phone, reason, text,
		file_kind, file_name, file_mime, file_bytes, file_path
		FROM held_messages WHERE phone = ? ORDER BY id DESC LIMIT ? OFFSET ?`, phone, limit, skip)
	if err != nil {
		return nil, 0, wrap(err, "held messages of %s", phone)
	}
	var ms []store.HeldMessage
	for rows.Next() {
		var m store.HeldMessage
		var f fileCols
		if err := rows.Scan(append([]any{&m.ID, timeCol{&m.At}, &m.Phone, &m.Reason, &m.Text}, f.dest()...)...); err != nil {
			rows.Close()
			return nil, 0, wrap(err, "held messages of %s", phone)
		}
		m.File = f.file()
		ms = append(ms, m)
	}
	if err := closeRows(rows); err != nil {
		return nil, 0, wrap(err, "held messages of %s", phone)
	}
	slices.Reverse(ms)
	return ms, total, nil
}

// PruneHeld forgets up to limit messages held before `before`, oldest
// first, in one statement over the index of their times. Messages without
// a time are kept.
func (q *queries) PruneHeld(ctx context.Context, before time.Time, limit int) (int, error) {
	if limit <= 0 {
		return 0, fmt.Errorf("sqlite: prune held: limit %d must be positive", limit)
	}
	res, err := q.wr.ExecContext(ctx, `DELETE FROM held_messages WHERE id IN
		(SELECT id FROM held_messages WHERE at < ? ORDER BY at LIMIT ?)`, timeArg(before), limit)
	if err != nil {
		return 0, wrap(err, "prune held")
	}
	n, err := res.RowsAffected()
	return int(n), wrap(err, "prune held")
}
