package sqlite

import (
	"context"

	"supportbot/store"
)

// Hourly entry kinds and the entry record live in store; these names keep
// this package's callers and tests short.
const (
	HourlySettlement = store.HourlySettlement
	HourlyExpiry     = store.HourlyExpiry
)

// HourlyEntry is store.HourlyEntry.
type HourlyEntry = store.HourlyEntry

// AddHourlyEntry records a charge and sets e.ID. A second entry of the same
// kind for the same contract and month is store.ErrConflict; an unknown
// contract is store.ErrConflict too.
func (q *queries) AddHourlyEntry(ctx context.Context, e *HourlyEntry) error {
	id, err := lastID(q.wr.ExecContext(ctx, `INSERT INTO hourly_entries (contract_id, at, month, kind, minutes, note)
		VALUES (?, ?, ?, ?, ?, ?)`, e.ContractID, timeArg(e.At), e.Month, e.Kind, e.Minutes, e.Note))
	if err != nil {
		return wrap(err, "add %s entry for contract %s month %s", e.Kind, e.ContractID, e.Month)
	}
	e.ID = id
	return nil
}

// HourlyEntries returns a contract's entries in the order they were added.
func (q *queries) HourlyEntries(ctx context.Context, contractID string) ([]HourlyEntry, error) {
	rows, err := q.rd.QueryContext(ctx, `SELECT id, contract_id, at, month, kind, minutes, note
		FROM hourly_entries WHERE contract_id = ? ORDER BY id`, contractID)
	if err != nil {
		return nil, wrap(err, "hourly entries of contract %s", contractID)
	}
	var es []HourlyEntry
	for rows.Next() {
		var e HourlyEntry
		if err := rows.Scan(&e.ID, &e.ContractID, timeCol{&e.At}, &e.Month, &e.Kind, &e.Minutes, &e.Note); err != nil {
			rows.Close()
			return nil, wrap(err, "hourly entries of contract %s", contractID)
		}
		es = append(es, e)
	}
	return es, wrap(closeRows(rows), "hourly entries of contract %s", contractID)
}
