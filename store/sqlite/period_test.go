package sqlite

import (
	"context"
	"path/filepath"
	"testing"
)

// TestTimeLogsContractMigration: time logged before migration 0020 gets its
// ticket's contract, so a month's statement finds a ten-year-old ticket
// worked on in that month; and the logs follow a ticket that changes
// contract.
func TestTimeLogsContractMigration(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bot.db")
	raw := migratedTo(t, path, 19)
	for _, q := range []string{
		`INSERT INTO customers (id) VALUES ('C-1')`,
		`INSERT INTO contracts (id, customer_id, kind, tier) VALUES ('K-1', 'C-1', 'product', 'gold'), ('K-2', 'C-1', 'product', 'gold')`,
		`INSERT INTO tickets (id, contract_id, customer_id, status, opened_at) VALUES
			(1, 'K-1', 'C-1', 'closed', '2016-12-01T06:00:00.000000000Z'),
			(2, 'K-2', 'C-1', 'closed', '2016-12-01T06:00:00.000000000Z'),
			(3, 'K-1', 'C-1', 'new', '2026-11-25T06:00:00.000000000Z')`,
		`INSERT INTO time_logs (ticket_id, at, minutes) VALUES
			(1, '2026-11-30T06:00:00.000000000Z', 40), (1, '2026-11-30T07:00:00.000000000Z', 5),
			(1, '2016-12-01T07:00:00.000000000Z', 60), (2, '2026-11-30T06:00:00.000000000Z', 30)`,
	} {
		if _, err := raw.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	must(t, raw.Close())
	db, err := Open(ctx, path)
	must(t, err)
	defer db.Close()
	ts, err := db.PeriodTickets(ctx, "K-1", at(2026, 11, 22, 0, 0), at(2026, 12, 22, 0, 0))
	must(t, err)
	if len(ts) != 2 || ts[0].Ticket.ID != 1 || ts[0].LoggedMin != 45 || ts[1].Ticket.ID != 3 || ts[1].LoggedMin != 0 {
		t.Errorf("K-1's Azar after the migration: %+v, want ticket 1 (45 minutes that month) and ticket 3 (opened in it)", ts)
	}
	// Should a ticket ever change contract, its logs follow it.
	tk, err := db.Ticket(ctx, 2)
	must(t, err)
	tk.ContractID = "K-1"
	must(t, db.UpdateTicket(ctx, tk))
	ts, err = db.PeriodTickets(ctx, "K-1", at(2026, 11, 22, 0, 0), at(2026, 12, 22, 0, 0))
	must(t, err)
	if len(ts) != 3 || ts[1].Ticket.ID != 2 || ts[1].LoggedMin != 30 {
		t.Errorf("K-1's Azar after ticket 2 moved to it: %+v, want tickets 1, 2 (30 minutes) and 3", ts)
	}
}
