package sqlite

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"supportbot/rules"
	"supportbot/store"
)

// Windows used by the usage tests: Ordibehesht 1405 and a contract year
// starting 2026-04-01, both in Tehran time.
var (
	monthStart, monthEnd = at(2026, 4, 21, 0, 0), at(2026, 5, 22, 0, 0)
	yearStart, yearEnd   = at(2026, 4, 1, 0, 0), at(2027, 4, 1, 0, 0)
	window               = store.UsageWindow{MonthStart: monthStart, MonthEnd: monthEnd, YearStart: yearStart, YearEnd: yearEnd}
)

// usageTicket is a ticket with its time logs, for seeding usage tests.
type usageTicket struct {
	contract string
	kind     rules.RequestKind
	status   store.TicketStatus
	opened   time.Time
	closed   time.Time
	logs     map[time.Time]int // at -> minutes
	charged  int
}

// mustSeedUsage stores the tickets and logs, setting LoggedMin to the sum of
// the logs as the bot does.
func mustSeedUsage(t *testing.T, db *DB, ts []usageTicket) {
	t.Helper()
	ctx := context.Background()
	must(t, db.InTx(ctx, func(tx store.Store) error {
		for _, u := range ts {
			tk := store.Ticket{ContractID: u.contract, CustomerID: "C-1", Kind: u.kind, Status: u.status,
				OpenedAt: u.opened, ClosedAt: u.closed, ChargedMin: u.charged}
			if err := tx.CreateTicket(ctx, &tk); err != nil {
				return err
			}
			for when, min := range u.logs {
				if err := tx.AddTimeLog(ctx, &store.TimeLog{TicketID: tk.ID, At: when, Minutes: min}); err != nil {
					return err
				}
				tk.LoggedMin += min
			}
			if err := tx.UpdateTicket(ctx, tk); err != nil {
				return err
			}
		}
		return nil
	}))
}

func TestUsageCountsWindows(t *testing.T) {
	db := MustOpen(t)
	MustSeed(t, db)
	ctx := context.Background()
	must(t, db.UpsertContract(ctx, rules.Contract{ID: "K-2", CustomerID: "C-1", Kind: rules.KindProduct, Tier: rules.TierGold}))
	const (
		open     = store.TicketNew
		answered = store.TicketAnswered
		closed   = store.TicketClosed
		declined = store.TicketDeclined
	)
	mustSeedUsage(t, db, []usageTicket{
		{contract: "K-1", kind: rules.RequestProblem, status: open, opened: at(2026, 5, 1, 10, 0)},            // month
		{contract: "K-1", kind: rules.RequestProblem, status: declined, opened: at(2026, 5, 2, 10, 0)},        // declined
		{contract: "K-1", kind: rules.RequestProblem, status: closed, opened: monthStart},                     // month (start is in)
		{contract: "K-1", kind: rules.RequestProblem, status: open, opened: monthEnd},                         // next month
		{contract: "K-1", kind: rules.RequestProblem, status: open, opened: monthStart.Add(-time.Nanosecond)}, // last month
		{contract: "K-1", kind: rules.RequestOnsite, status: closed, opened: at(2026, 4, 10, 9, 0)},           // onsite, year
		{contract: "K-1", kind: rules.RequestOnsite, status: declined, opened: at(2026, 5, 3, 9, 0)},          // declined
		{contract: "K-1", kind: rules.RequestOnsite, status: closed, opened: at(2026, 3, 31, 23, 59)},         // before the year
		{contract: "K-1", kind: rules.RequestReinstall, status: answered, opened: at(2026, 5, 5, 9, 0)},       // month, reinstall
		{contract: "K-1", kind: rules.RequestReview, status: closed, opened: at(2027, 3, 31, 23, 0)},          // review, year end
		{contract: "K-1", kind: rules.RequestReview, status: closed, opened: yearEnd},                         // next year
		{contract: "K-1", kind: rules.RequestTraining, status: closed, opened: at(2026, 4, 15, 9, 0), logs: map[time.Time]int{
			at(2026, 4, 15, 10, 0): 60, // year
			at(2026, 5, 1, 10, 0):  30, // year
			at(2026, 3, 20, 10, 0): 99, // before the year
		}},
		{contract: "K-1", kind: rules.RequestCustomization, status: declined, opened: at(2026, 5, 6, 9, 0), logs: map[time.Time]int{
			at(2026, 5, 6, 10, 0): 120, // declined
		}},
		{contract: "K-1", kind: rules.RequestCustomization, status: closed, opened: at(2026, 5, 10, 9, 0), logs: map[time.Time]int{
			at(2026, 5, 10, 10, 0): 45, // year
			at(2027, 4, 2, 10, 0):  15, // next year
		}},
		{contract: "K-2", kind: rules.RequestOnsite, status: open, opened: at(2026, 5, 1, 10, 0)}, // another contract
	})

	got, err := db.Usage(ctx, "K-1", window)
	must(t, err)
	// Month: the problems of 05-01 and of monthStart, the reinstall and the
	// customization of 05-10.
	want := rules.Usage{MonthRequests: 4, Onsite: 1, Reinstalls: 1, Reviews: 1, TrainingMin: 90, CustomizationMin: 45}
	if got != want {
		t.Errorf("Usage(K-1) =\n%+v\nwant\n%+v", got, want)
	}

	if u, err := db.Usage(ctx, "K-404", window); err != nil || u != (rules.Usage{}) {
		t.Errorf("Usage of unknown contract = %+v, %v", u, err)
	}
}

func TestUsageHourly(t *testing.T) {
	db := MustOpen(t)
	MustSeed(t, db)
	ctx := context.Background()
	mustSeedUsage(t, db, []usageTicket{
		// 10 logged in the month, charged the 30-minute minimum: 30 in the month.
		{contract: "H-1", kind: rules.RequestProblem, status: store.TicketClosed, opened: at(2026, 5, 1, 9, 0), charged: 30,
			logs: map[time.Time]int{at(2026, 5, 1, 10, 0): 10}},
		// Opened last month, 20 logged then and 40 now: 40 in the month.
		{contract: "H-1", kind: rules.RequestCustomization, status: store.TicketClosed, opened: at(2026, 4, 10, 9, 0), charged: 60,
			logs: map[time.Time]int{at(2026, 4, 10, 10, 0): 20, at(2026, 5, 2, 10, 0): 40}},
		// First logged last month: its minimum top-up belongs to last month.
		{contract: "H-1", kind: rules.RequestProblem, status: store.TicketClosed, opened: at(2026, 4, 15, 9, 0), charged: 30,
			logs: map[time.Time]int{at(2026, 4, 15, 10, 0): 10}},
		// No logs, closed in the month: the whole minimum is in the month.
		{contract: "H-1", kind: rules.RequestQuestion, status: store.TicketClosed, opened: at(2026, 5, 3, 9, 0),
			closed: at(2026, 5, 3, 9, 30), charged: 30},
		// Declined: nothing counts.
		{contract: "H-1", kind: rules.RequestCustomization, status: store.TicketDeclined, opened: at(2026, 5, 4, 9, 0), charged: 50,
			logs: map[time.Time]int{at(2026, 5, 4, 10, 0): 50}},
		// Charged but neither logged nor closed yet: counts in all, not in the month.
		{contract: "H-1", kind: rules.RequestQuestion, status: store.TicketAnswered, opened: at(2026, 5, 5, 9, 0), charged: 30},
	})
	for _, e := range []HourlyEntry{
		{ContractID: "H-1", At: at(2026, 4, 20, 23, 59), Month: "1405-01", Kind: HourlySettlement, Minutes: 100},
		{ContractID: "H-1", At: monthEnd.Add(-time.Minute), Month: "1405-02", Kind: HourlySettlement, Minutes: 60, Note: "5h minimum"},
	} {
		must(t, db.AddHourlyEntry(ctx, &e))
	}

	w := window
	w.Hourly = true
	got, err := db.Usage(ctx, "H-1", w)
	must(t, err)
	want := rules.Usage{
		MonthRequests:    3, // 05-01, 05-03, 05-05
		CustomizationMin: 60,
		HoursUsedMin:     30 + 60 + 30 + 30 + 30 + 100 + 60,
		MonthUsedMin:     (10 + 20) + 40 + 30 + 60,
	}
	if got != want {
		t.Errorf("Usage(H-1 hourly) =\n%+v\nwant\n%+v", got, want)
	}

	w.Hourly = false
	got, err = db.Usage(ctx, "H-1", w)
	must(t, err)
	want.HoursUsedMin, want.MonthUsedMin = 0, 0
	if got != want {
		t.Errorf("Usage(H-1 not hourly) = %+v, want %+v", got, want)
	}
}

func TestHourlyEntries(t *testing.T) {
	db := MustOpen(t)
	MustSeed(t, db)
	ctx := context.Background()
	es := []HourlyEntry{
		{ContractID: "H-1", At: at(2026, 5, 21, 23, 0), Month: "1405-02", Kind: HourlySettlement, Minutes: 120, Note: "minimum"},
		{ContractID: "H-1", At: at(2027, 3, 20, 23, 0), Month: "1405-12", Kind: HourlyExpiry, Minutes: 600},
	}
	for i := range es {
		must(t, db.AddHourlyEntry(ctx, &es[i]))
		es[i].At = es[i].At.UTC()
	}
	dup := HourlyEntry{ContractID: "H-1", At: at(2026, 5, 21, 23, 30), Month: "1405-02", Kind: HourlySettlement, Minutes: 1}
	if err := db.AddHourlyEntry(ctx, &dup); !errors.Is(err, store.ErrConflict) {
		t.Errorf("second settlement for 1405-02: %v, want ErrConflict", err)
	}
	got, err := db.HourlyEntries(ctx, "H-1")
	must(t, err)
	if !reflect.DeepEqual(got, es) {
		t.Errorf("HourlyEntries = %+v, want %+v", got, es)
	}
}
