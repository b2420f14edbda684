package sqlite

import (
	"context"
	"database/sql"
	"errors"
)

// ContractEndWaiting lists the notice keys of the contract-end reminders
// waiting for the hourly cap, sorted.
func (q *queries) ContractEndWaiting(ctx context.Context) ([]string, error) {
	rows, err := q.rd.QueryContext(ctx, `SELECT notice_key FROM contract_end_waiting ORDER BY notice_key`)
	if err != nil {
		return nil, wrap(err, "contract-end reminders waiting")
	}
	var keys []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			rows.Close()
			return nil, wrap(err, "contract-end reminders waiting")
		}
		keys = append(keys, k)
	}
	return keys, wrap(closeRows(rows), "contract-end reminders waiting")
}

// WaitContractEnd adds a reminder to the waiting ones.
func (q *queries) WaitContractEnd(ctx context.Context, key string) error {
	_, err := q.wr.ExecContext(ctx, `INSERT INTO contract_end_waiting (notice_key) VALUES (?) ON CONFLICT DO NOTHING`, key)
	return wrap(err, "contract-end reminder %s waits", key)
}

// DropContractEndWaiting forgets waiting reminders.
func (q *queries) DropContractEndWaiting(ctx context.Context, keys ...string) error {
	for _, k := range keys {
		if _, err := q.wr.ExecContext(ctx, `DELETE FROM contract_end_waiting WHERE notice_key = ?`, k); err != nil {
			return wrap(err, "contract-end reminder %s no longer waits", k)
		}
	}
	return nil
}

// ContractEndHour is the latest hour contract-end reminders went out in and
// how many messages; "" and 0 before the first.
func (q *queries) ContractEndHour(ctx context.Context) (string, int, error) {
	var hour string
	var sent int
	err := q.rd.QueryRowContext(ctx, `SELECT hour, sent FROM contract_end_hour WHERE id = 1`).Scan(&hour, &sent)
	if errors.Is(err, sql.ErrNoRows) {
		return "", 0, nil
	}
	return hour, sent, wrap(err, "contract-end reminders this hour")
}

// SetContractEndHour records sent messages in hour.
func (q *queries) SetContractEndHour(ctx context.Context, hour string, sent int) error {
	_, err := q.wr.ExecContext(ctx, `INSERT INTO contract_end_hour (id, hour, sent) VALUES (1, ?, ?)
		ON CONFLICT (id) DO UPDATE SET hour = excluded.hour, sent = excluded.sent`, hour, sent)
	return wrap(err, "contract-end reminders in %s", hour)
}
