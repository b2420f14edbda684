package sqlite

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"supportbot/store"
)

// readersInUse is how many reader connections are taken: a sequence left
// early must give its connection back.
func readersInUse(db *DB) int { return db.reader.Stats().InUse }

// The streams yield rows one at a time: all of them in order, none from an
// empty table, and they stop cleanly when the caller stops early, on a
// row that cannot be read (a located error, nothing after it) and on a
// query that cannot run.
func TestEachRow(t *testing.T) {
	ctx := context.Background()
	fill := func(t *testing.T, db *DB, n int) {
		t.Helper()
		for i := range n {
			r := store.AuditRecord{At: at(2026, 11, 28, 9, i), UserID: 1001, UserName: "Sara", Action: "claim", TicketID: int64(i + 1), Detail: "d"}
			must(t, db.AddAudit(ctx, &r))
		}
	}
	type outcome struct {
		ids  []int64
		errs []error
	}
	collect := func(db *DB, ctx context.Context, stopAfter int) outcome {
		var o outcome
		for r, err := range db.EachAudit(ctx) {
			if err != nil {
				o.errs = append(o.errs, err)
				continue
			}
			o.ids = append(o.ids, r.TicketID)
			if len(o.ids) == stopAfter {
				break
			}
		}
		return o
	}
	tests := []struct {
		name      string
		rows      int
		stopAfter int // 0: read everything
		spoil     string
		cancelled bool
		wantIDs   []int64
		wantErr   string // in the one error, "" for none
	}{
		{name: "empty", rows: 0},
		{name: "all rows in order", rows: 3, wantIDs: []int64{1, 2, 3}},
		{name: "early break", rows: 5, stopAfter: 2, wantIDs: []int64{1, 2}},
		{name: "a row that cannot be read", rows: 2, spoil: `INSERT INTO audit (at, user_id, user_name, action, ticket_id, detail)
			VALUES ('not a time', 1001, 'Sara', 'claim', 3, ''); INSERT INTO audit (at, user_id, user_name, action, ticket_id, detail)
			VALUES ('2026-11-28T06:00:00Z', 1001, 'Sara', 'claim', 4, '')`,
			wantIDs: []int64{1, 2}, wantErr: `audit: sql: Scan error on column index 1, name "at": stored time "not a time"`},
		{name: "a query that cannot run", rows: 2, cancelled: true, wantErr: "audit: context canceled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := MustOpen(t)
			fill(t, db, tt.rows)
			if tt.spoil != "" {
				if _, err := db.writer.ExecContext(ctx, tt.spoil); err != nil {
					t.Fatal(err)
				}
			}
			qctx := ctx
			if tt.cancelled {
				c, cancel := context.WithCancel(ctx)
				cancel()
				qctx = c
			}
			got := collect(db, qctx, tt.stopAfter)
			if !slices.Equal(got.ids, tt.wantIDs) {
				t.Errorf("yielded %v, want %v", got.ids, tt.wantIDs)
			}
			switch {
			case tt.wantErr == "" && len(got.errs) != 0:
				t.Errorf("errors %v", got.errs)
			case tt.wantErr != "" && (len(got.errs) != 1 || !strings.Contains(got.errs[0].Error(), tt.wantErr)):
				t.Errorf("errors %v, want one with %q", got.errs, tt.wantErr)
			}
			if tt.cancelled && len(got.errs) == 1 && !errors.Is(got.errs[0], context.Canceled) {
				t.Errorf("error %v does not wrap context.Canceled", got.errs[0])
			}
			deadline := time.Now().Add(time.Minute)
			for readersInUse(db) != 0 && time.Now().Before(deadline) {
				time.Sleep(time.Millisecond)
			}
			if n := readersInUse(db); n != 0 {
				t.Errorf("%d reader connections still taken after the sequence ended", n)
			}
		})
	}
}

// Inside one read transaction, a sequence left early lets the next one
// run on the same snapshot, and every stream of the export reads it.
func TestEachInReadTx(t *testing.T) {
	db := MustOpen(t)
	ctx := context.Background()
	for i := range 3 {
		r := store.AuditRecord{At: at(2026, 11, 28, 9, i), UserID: 1001, Action: "claim", TicketID: int64(i + 1)}
		must(t, db.AddAudit(ctx, &r))
	}
	d := store.Denial{At: at(2026, 11, 28, 10, 0), Phone: "+989121234567", CustomerID: "C1", ContractID: "K1"}
	must(t, db.AddDenial(ctx, &d))
	err := db.ReadTx(ctx, func(tx store.Store) error {
		for _, err := range tx.EachAudit(ctx) {
			if err != nil {
				return err
			}
			break
		}
		n := 0
		for _, err := range tx.EachAudit(ctx) {
			if err != nil {
				return err
			}
			n++
		}
		if n != 3 {
			t.Errorf("the second pass yielded %d records, want 3", n)
		}
		var denials []store.Denial
		for d, err := range tx.EachDenial(ctx) {
			if err != nil {
				return err
			}
			denials = append(denials, d)
		}
		if len(denials) != 1 || denials[0].Phone != "+989121234567" || denials[0].ContractID != "K1" {
			t.Errorf("denials %+v", denials)
		}
		for range tx.EachTicket(ctx, store.TicketFilter{}) {
			t.Error("a ticket from an empty table")
		}
		for _, err := range tx.EachReceived(ctx) {
			t.Errorf("a received message from an empty table (%v)", err)
		}
		for _, err := range tx.EachStaffMessage(ctx) {
			t.Errorf("a staff message from an empty table (%v)", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
