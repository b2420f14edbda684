package sqlite

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"supportbot/store"
)

func TestRecordNotice(t *testing.T) {
	db := MustOpen(t)
	ctx := context.Background()
	when := at(2026, 11, 29, 10, 0)
	fresh, err := db.RecordNotice(ctx, "breach:1", when)
	must(t, err)
	if !fresh {
		t.Fatal("first RecordNotice = false, want true")
	}
	again, err := db.RecordNotice(ctx, "breach:1", when.Add(time.Hour))
	must(t, err)
	if again {
		t.Error("second RecordNotice of the same key = true, want false")
	}
	other, err := db.RecordNotice(ctx, "breach:2", when)
	must(t, err)
	if !other {
		t.Error("RecordNotice of another key = false, want true")
	}

	// A notice recorded in a transaction that rolls back was never sent.
	boom := errors.New("boom")
	err = db.InTx(ctx, func(tx store.Store) error {
		if _, err := tx.RecordNotice(ctx, "digest:2026-11-29", when); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx = %v, want boom", err)
	}
	fresh, err = db.RecordNotice(ctx, "digest:2026-11-29", when)
	must(t, err)
	if !fresh {
		t.Error("a notice from a rolled-back transaction counts as sent")
	}
}

func TestUnansweredTickets(t *testing.T) {
	db := MustOpen(t)
	MustSeed(t, db)
	ctx := context.Background()
	base := at(2026, 11, 29, 10, 0)
	tickets := []store.Ticket{
		{ContractID: "K-1", Status: store.TicketNew, OpenedAt: base, FirstResponseDue: base.Add(3 * time.Hour)},
		{ContractID: "K-1", Status: store.TicketNew, OpenedAt: base, FirstResponseDue: base.Add(time.Hour)},
		{ContractID: "K-1", Status: store.TicketAnswered, OpenedAt: base, FirstResponseDue: base.Add(2 * time.Hour), FirstResponseAt: base},
		{ContractID: "K-1", Status: store.TicketClosed, OpenedAt: base, FirstResponseDue: base.Add(2 * time.Hour)},
		{ContractID: "K-1", Status: store.TicketNew, OpenedAt: base, FirstResponseDue: base.Add(-time.Hour)},
		{ContractID: "K-1", Status: store.TicketNew, OpenedAt: base, FirstResponseDue: base.Add(time.Hour)},
	}
	for i := range tickets {
		must(t, db.CreateTicket(ctx, &tickets[i]))
	}
	ids := func(after time.Time) []int64 {
		ts, err := db.UnansweredTickets(ctx, after)
		must(t, err)
		var out []int64
		for _, x := range ts {
			out = append(out, x.ID)
		}
		return out
	}
	if got, want := ids(base), []int64{2, 6, 1}; !slices.Equal(got, want) {
		t.Errorf("UnansweredTickets(now) = %v, want %v (earliest deadline first, new only, future deadlines)", got, want)
	}
	if got, want := ids(base.Add(time.Hour)), []int64{1}; !slices.Equal(got, want) {
		t.Errorf("UnansweredTickets(now+1h) = %v, want %v (strictly after)", got, want)
	}
	if got, want := ids(time.Time{}), []int64{5, 2, 6, 1}; !slices.Equal(got, want) {
		t.Errorf("UnansweredTickets(zero) = %v, want %v", got, want)
	}
}
