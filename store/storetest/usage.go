package storetest

import (
	"context"
	"testing"
	"time"

	"supportbot/rules"
	"supportbot/store"
)

// tehran is where the desk's clock runs; a store must count instants,
// whatever zone they come in.
var tehran = time.FixedZone("IRST", 3*3600+1800)

// at is a Tehran wall-clock instant.
func at(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, tehran)
}

// The windows the usage suite counts in: a Jalali month (Azar 1405) and a
// contract year.
var (
	monthStart = at(2026, 11, 22, 0, 0)
	monthEnd   = at(2026, 12, 22, 0, 0)
	yearStart  = at(2026, 4, 1, 0, 0)
	yearEnd    = at(2027, 4, 1, 0, 0)
)

// seedCustomer stores customer C-1 with phone +989121111111 and the
// product contract K-1 and hourly contract H-1, and customer C-2 with K-2.
func seedCustomer(t *testing.T, st Conversation) {
	t.Helper()
	ctx := context.Background()
	date := func(y int, m time.Month, d int) rules.Date { return rules.Date{Year: y, Month: m, Day: d} }
	must(t, st.UpsertCustomer(ctx, store.Customer{ID: "C-1", Name: "Acme", City: "Tehran"}))
	must(t, st.SetImportedPhones(ctx, "C-1", []string{"+989121111112", "+989121111111"}))
	must(t, st.UpsertCustomer(ctx, store.Customer{ID: "C-2", Name: "Beta", City: "Karaj"}))
	must(t, st.SetImportedPhones(ctx, "C-2", []string{"+989122222222"}))
	for _, c := range []rules.Contract{
		{ID: "K-2", CustomerID: "C-2", Kind: rules.KindProduct, Tier: rules.TierSilver, PurchasedOn: date(2026, 3, 21)},
		{ID: "K-1", CustomerID: "C-1", Kind: rules.KindProduct, Tier: rules.TierGold, PurchasedOn: date(2026, 3, 21),
			DeliveredOn: date(2026, 4, 1)},
		{ID: "H-1", CustomerID: "C-1", Kind: rules.KindHourly, Tier: rules.TierH50, PurchasedOn: date(2026, 3, 21)},
	} {
		must(t, st.UpsertContract(ctx, c))
	}
}

// ticketSpec is a ticket as the usage suite files it: opened at opened,
// ending in status, with time logged at the given instants.
type ticketSpec struct {
	contract string
	kind     rules.RequestKind
	opened   time.Time
	status   store.TicketStatus
	closed   time.Time
	logs     []timeLog
	charged  int // minutes charged to an hourly package
}

type timeLog struct {
	at  time.Time
	min int
}

// file stores spec as the desk would: the ticket opened new, time logged,
// then the ticket updated to its final state.
func file(t *testing.T, st Conversation, spec ticketSpec) store.Ticket {
	t.Helper()
	ctx := context.Background()
	tk := store.Ticket{ContractID: spec.contract, CustomerID: "C-1", Phone: "+989121111111", Kind: spec.kind,
		Status: store.TicketNew, Description: "گزارش باز نمی‌شود", OpenedAt: spec.opened, FirstResponseDue: spec.opened.Add(4 * time.Hour)}
	must(t, st.CreateTicket(ctx, &tk))
	for _, l := range spec.logs {
		must(t, st.AddTimeLog(ctx, &store.TimeLog{TicketID: tk.ID, At: l.at, Minutes: l.min, StaffID: 1001}))
		tk.LoggedMin += l.min
	}
	tk.ChargedMin = spec.charged
	if spec.status != "" && spec.status != store.TicketNew {
		tk.Status = spec.status
		tk.FirstResponseAt = spec.opened.Add(time.Hour)
		switch spec.status {
		case store.TicketDeclined:
			tk.DeclineReason = rules.DeclineMisuse
			tk.ClosedAt = spec.opened.Add(2 * time.Hour)
		case store.TicketMerged:
			tk.MergedInto = 1
			tk.ClosedAt = spec.opened.Add(2 * time.Hour)
		case store.TicketClosed:
			tk.ClosedAt = spec.closed
		}
	}
	must(t, st.UpdateTicket(ctx, tk))
	return tk
}

// testUsage: what a contract has used, as docs/rules.md counts it. Requests
// count in the month they were opened in, visits, reinstalls and reviews in
// the contract year they were opened in, training and customization by the
// time logged in the year; declined and merged tickets count for nothing;
// windows are half-open. Hourly packages count every minute charged
// (tickets and month-end or expiry entries) and, in the month, the time
// logged, the per-ticket minimum above it (in the month of the first log,
// or of the close without one) and the entries.
func testUsage(t *testing.T, st Conversation) {
	ctx := context.Background()
	seedCustomer(t, st)
	minute := time.Minute
	for _, spec := range []ticketSpec{
		{contract: "K-1", kind: rules.RequestProblem, opened: monthStart.Add(-minute)}, // the month before
		{contract: "K-1", kind: rules.RequestProblem, opened: monthStart},              // month +1
		{contract: "K-1", kind: rules.RequestQuestion, opened: monthEnd.Add(-minute)},  // month +1
		{contract: "K-1", kind: rules.RequestProblem, opened: monthEnd},                // the month after
		{contract: "K-1", kind: rules.RequestProblem, opened: at(2026, 12, 1, 9, 0), status: store.TicketDeclined},
		{contract: "K-1", kind: rules.RequestProblem, opened: at(2026, 12, 1, 9, 5), status: store.TicketMerged},
		{contract: "K-1", kind: rules.RequestProblem, opened: at(2026, 12, 2, 9, 0), status: store.TicketClosed, closed: at(2026, 12, 2, 12, 0)}, // month +1
		{contract: "K-1", kind: rules.RequestOnsite, opened: yearStart},                                                                          // onsite +1
		{contract: "K-1", kind: rules.RequestOnsite, opened: yearStart.Add(-minute)},                                                             // before the year
		{contract: "K-1", kind: rules.RequestOnsite, opened: at(2026, 6, 1, 9, 0), status: store.TicketDeclined},                                 // declined
		{contract: "K-1", kind: rules.RequestReinstall, opened: at(2026, 7, 1, 9, 0)},                                                            // reinstall +1
		{contract: "K-1", kind: rules.RequestReinstall, opened: yearEnd},                                                                         // after the year
		{contract: "K-1", kind: rules.RequestReview, opened: at(2026, 8, 1, 9, 0), status: store.TicketClosed, closed: at(2026, 8, 1, 12, 0)},    // review +1
		{contract: "K-1", kind: rules.RequestReview, opened: at(2026, 8, 2, 9, 0), status: store.TicketMerged},                                   // merged
		// Training opened before the year: the time logged in it counts.
		{contract: "K-1", kind: rules.RequestTraining, opened: at(2026, 3, 25, 9, 0), logs: []timeLog{
			{at(2026, 3, 25, 10, 0), 30}, {at(2026, 5, 1, 10, 0), 45}}},
		{contract: "K-1", kind: rules.RequestCustomization, opened: at(2026, 9, 1, 9, 0), logs: []timeLog{
			{at(2026, 9, 1, 10, 0), 60}, {yearEnd, 15}}},
		{contract: "K-1", kind: rules.RequestTraining, opened: at(2026, 9, 2, 9, 0), status: store.TicketDeclined, logs: []timeLog{
			{at(2026, 9, 2, 10, 0), 100}}},
		// Hourly: 20 logged in the month, charged the 30-minute minimum.
		{contract: "H-1", kind: rules.RequestProblem, opened: at(2026, 12, 3, 9, 0), status: store.TicketClosed, closed: at(2026, 12, 3, 12, 0),
			charged: 30, logs: []timeLog{{at(2026, 12, 3, 10, 0), 20}}},
		// Closed last month without a log: its 30 minutes fall in that month.
		{contract: "H-1", kind: rules.RequestProblem, opened: at(2026, 11, 10, 9, 0), status: store.TicketClosed, closed: at(2026, 11, 10, 12, 0),
			charged: 30},
		// Opened last month, time logged this month: it counts this month.
		{contract: "H-1", kind: rules.RequestProblem, opened: at(2026, 11, 20, 9, 0), charged: 40, logs: []timeLog{{at(2026, 11, 25, 10, 0), 40}}},
		{contract: "H-1", kind: rules.RequestProblem, opened: at(2026, 12, 4, 9, 0), status: store.TicketDeclined, charged: 40,
			logs: []timeLog{{at(2026, 12, 4, 10, 0), 40}}},
	} {
		file(t, st, spec)
	}
	for _, e := range []store.HourlyEntry{
		{ContractID: "H-1", At: at(2026, 11, 21, 23, 59), Month: "1405-08", Kind: store.HourlySettlement, Minutes: 50},
		{ContractID: "H-1", At: at(2026, 12, 21, 23, 59), Month: "1405-09", Kind: store.HourlySettlement, Minutes: 25},
	} {
		must(t, st.AddHourlyEntry(ctx, &e))
	}
	dup := store.HourlyEntry{ContractID: "H-1", At: at(2026, 12, 21, 23, 59), Month: "1405-09", Kind: store.HourlySettlement, Minutes: 5}
	if err := st.AddHourlyEntry(ctx, &dup); !isConflict(err) {
		t.Errorf("a second settlement for the same month: %v, want ErrConflict", err)
	}

	window := store.UsageWindow{MonthStart: monthStart, MonthEnd: monthEnd, YearStart: yearStart, YearEnd: yearEnd}
	hourly := window
	hourly.Hourly = true
	tests := []struct {
		name     string
		contract string
		w        store.UsageWindow
		want     rules.Usage
	}{
		{"product", "K-1", window, rules.Usage{MonthRequests: 3, Onsite: 1, Reinstalls: 1, Reviews: 1, TrainingMin: 45, CustomizationMin: 60}},
		{"product counted as hourly: nothing charged", "K-1", hourly, rules.Usage{MonthRequests: 3, Onsite: 1, Reinstalls: 1, Reviews: 1, TrainingMin: 45, CustomizationMin: 60}},
		{"hourly", "H-1", hourly, rules.Usage{MonthRequests: 1, HoursUsedMin: 30 + 30 + 40 + 50 + 25, MonthUsedMin: 20 + 10 + 40 + 25}},
		{"hourly without its sums", "H-1", window, rules.Usage{MonthRequests: 1}},
		{"another contract", "K-2", hourly, rules.Usage{}},
		{"unknown contract", "K-404", hourly, rules.Usage{}},
		{"a zero window counts nothing", "K-1", store.UsageWindow{}, rules.Usage{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := st.Usage(ctx, tt.contract, tt.w)
			must(t, err)
			if got != tt.want {
				t.Errorf("Usage(%s) =\n%+v, want\n%+v", tt.contract, got, tt.want)
			}
		})
	}
}
