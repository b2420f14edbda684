package sqlite

import (
	"context"
	"testing"
	"time"

	"supportbot/rules"
	"supportbot/store"
)

// TestCountsBreachedIsTheRule pins the SQL breach count of Counts to
// rules.Breached: every combination of deadline, answer and instant near
// one another (down to the nanosecond the store keeps) counts the same.
func TestCountsBreachedIsTheRule(t *testing.T) {
	db := MustOpen(t)
	MustSeed(t, db)
	ctx := context.Background()
	base := at(2026, 11, 30, 12, 0)
	offsets := []time.Duration{-time.Hour, -time.Nanosecond, 0, time.Nanosecond, time.Second, time.Hour}
	var tickets []store.Ticket
	tickets = append(tickets, store.Ticket{}, store.Ticket{FirstResponseAt: base})
	for _, due := range offsets {
		tickets = append(tickets, store.Ticket{FirstResponseDue: base.Add(due)})
		for _, answered := range offsets {
			tickets = append(tickets, store.Ticket{FirstResponseDue: base.Add(due), FirstResponseAt: base.Add(answered)})
		}
	}
	for i := range tickets {
		tk := &tickets[i]
		tk.ContractID, tk.CustomerID, tk.Status, tk.OpenedAt = "K-1", "C-1", store.TicketNew, base.Add(-3*time.Hour)
		must(t, db.CreateTicket(ctx, tk))
	}
	for _, off := range offsets {
		now := base.Add(off)
		want := 0
		for _, tk := range tickets {
			if rules.Breached(tk.FirstResponseDue, tk.FirstResponseAt, now) {
				want++
			}
		}
		c, err := db.Counts(ctx, now)
		if err != nil {
			t.Fatal(err)
		}
		if c.Breached != int64(want) || want == 0 {
			t.Errorf("at base%+v: Counts.Breached = %d, rules.Breached counts %d", off, c.Breached, want)
		}
	}
}
