package sqlite

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"supportbot/store"
)

// ActiveSince keeps open tickets and those with any of their times at or
// after the instant, and leaves old closed history out.
func TestListTicketsActiveSince(t *testing.T) {
	db := MustOpen(t)
	MustSeed(t, db)
	ctx := context.Background()
	since := time.Date(2026, 11, 1, 5, 0, 0, 0, time.UTC)
	old, recent := since.AddDate(-3, 0, 0), since.Add(time.Hour)
	for _, tk := range []store.Ticket{
		{ContractID: "K-1", CustomerID: "C-1", Phone: "+1", Status: store.TicketClosed, OpenedAt: old, FirstResponseAt: old, FirstResponseDue: old, ClosedAt: old}, // 1: old history
		{ContractID: "K-1", CustomerID: "C-1", Phone: "+1", Status: store.TicketNew, OpenedAt: old, FirstResponseDue: old},                                         // 2: old but open
		{ContractID: "K-1", CustomerID: "C-1", Phone: "+1", Status: store.TicketClosed, OpenedAt: old, FirstResponseAt: old, ClosedAt: recent},                     // 3: closed recently
		{ContractID: "K-1", CustomerID: "C-1", Phone: "+1", Status: store.TicketClosed, OpenedAt: old, FirstResponseAt: recent, ClosedAt: recent},                  // 4: answered recently
		{ContractID: "K-1", CustomerID: "C-1", Phone: "+1", Status: store.TicketDeclined, OpenedAt: recent, ClosedAt: recent},                                      // 5: opened recently
		{ContractID: "K-1", CustomerID: "C-1", Phone: "+1", Status: store.TicketDeclined, OpenedAt: old, ClosedAt: since.Add(-time.Nanosecond)},                    // 6: just before
		{ContractID: "K-1", CustomerID: "C-1", Phone: "+1", Status: store.TicketClosed, OpenedAt: old, FirstResponseDue: since, ClosedAt: old},                     // 7: fell due at since
	} {
		must(t, db.CreateTicket(ctx, &tk))
	}
	ts, err := db.ListTickets(ctx, store.TicketFilter{ActiveSince: since})
	must(t, err)
	var ids []int64
	for _, tk := range ts {
		ids = append(ids, tk.ID)
	}
	if want := []int64{2, 3, 4, 5, 7}; !reflect.DeepEqual(ids, want) {
		t.Errorf("active since: ids %v, want %v", ids, want)
	}
}

// The ActiveSince read is two index look-ups, never a scan of the whole
// history (docs/performance.md, "Years of data").
func TestActiveSinceUsesIndexes(t *testing.T) {
	db := MustOpen(t)
	query, args := ticketListQuery(store.TicketFilter{ActiveSince: time.Date(2026, 11, 1, 5, 0, 0, 0, time.UTC)})
	plan := queryPlan(t, db, query, args...)
	for _, want := range []string{"tickets_status", "tickets_last_activity"} {
		if !strings.Contains(plan, want) {
			t.Errorf("plan %q does not use %s", plan, want)
		}
	}
	if strings.Contains(plan, "SCAN tickets") && !strings.Contains(plan, "USING") {
		t.Errorf("plan %q scans the tickets", plan)
	}
}
