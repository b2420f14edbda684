package statement_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"supportbot/bot/statement"
	"supportbot/rules"
	"supportbot/store"
	"supportbot/store/sqlite"
)

// TestStatementReadsWhatTheWholeHistoryGives: a statement reads only its
// month's tickets (store.PeriodTickets), and lists exactly the requests,
// minutes and on-site visits that reading every ticket of the contract and
// every time log of each gives (how it was built before). The history is
// random: tickets over fourteen months on three contracts and one without
// a contract, time logged up to a year after opening, declined tickets,
// tickets merged (their logs moved, once to another contract's ticket).
func TestStatementReadsWhatTheWholeHistoryGives(t *testing.T) {
	ctx := context.Background()
	loc, err := time.LoadLocation("Asia/Tehran")
	if err != nil {
		t.Fatal(err)
	}
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	p := &rules.Policy{Calendar: rules.DefaultCalendar(loc), Tiers: rules.DefaultTiers(), Hourly: rules.DefaultHourlyRules()}
	cu := store.Customer{ID: "C-1", Name: "x", Phones: []string{"+989121110001"}}
	must(db.UpsertCustomer(ctx, cu))
	date := rules.Date{Year: 2025, Month: 10, Day: 1}
	contracts := []rules.Contract{
		{ID: "K-1", CustomerID: "C-1", Kind: rules.KindProduct, Tier: rules.TierGold, PurchasedOn: date, DeliveredOn: date, ConfirmedOn: date},
		{ID: "K-2", CustomerID: "C-1", Kind: rules.KindProduct, Tier: rules.TierSilver, PurchasedOn: date, DeliveredOn: date, ConfirmedOn: date},
		{ID: "K-3", CustomerID: "C-1", Kind: rules.KindHourly, Tier: rules.TierH100, PurchasedOn: date},
	}
	for _, c := range contracts {
		must(db.UpsertContract(ctx, c))
	}
	r := rand.New(rand.NewPCG(16, 8))
	start := time.Date(2025, 10, 1, 0, 0, 0, 0, loc)
	kinds := []rules.RequestKind{rules.RequestProblem, rules.RequestQuestion, rules.RequestOnsite, rules.RequestRemote}
	var ids []int64
	must(db.InTx(ctx, func(tx store.Store) error {
		for i := range 400 {
			tk := store.Ticket{CustomerID: "C-1", Phone: cu.Phones[0], Kind: kinds[r.IntN(len(kinds))], Status: store.TicketNew,
				OpenedAt: start.Add(time.Duration(r.IntN(420*24*60)) * time.Minute)}
			if i%40 != 0 { // every fortieth has no contract
				tk.ContractID = contracts[r.IntN(len(contracts))].ID
			}
			tk.FirstResponseDue = tk.OpenedAt.Add(8 * time.Hour)
			must(tx.CreateTicket(ctx, &tk))
			for range r.IntN(4) {
				at := tk.OpenedAt.Add(time.Duration(r.IntN(365*24*60)) * time.Minute)
				if r.IntN(3) > 0 {
					at = tk.OpenedAt.Add(time.Duration(r.IntN(20*24*60)) * time.Minute)
				}
				must(tx.AddTimeLog(ctx, &store.TimeLog{TicketID: tk.ID, At: at, Minutes: r.IntN(60), StaffID: 1}))
			}
			switch r.IntN(10) {
			case 0:
				tk.Status = store.TicketDeclined
			case 1:
				tk.Status, tk.FirstResponseAt = store.TicketAnswered, tk.OpenedAt.Add(time.Duration(r.IntN(16))*time.Hour)
			case 2, 3:
				if len(ids) > 0 {
					into := ids[r.IntN(len(ids))]
					must(tx.MoveTicketHistory(ctx, tk.ID, into))
					tk.Status, tk.MergedInto, tk.ClosedAt = store.TicketMerged, into, tk.OpenedAt
				}
			}
			must(tx.UpdateTicket(ctx, tk))
			ids = append(ids, tk.ID)
		}
		return nil
	}))
	now := start.AddDate(1, 3, 0)
	months := 0
	for y, m := 1404, 7; y < 1406 || m <= 3; m++ {
		if m > 12 {
			y, m = y+1, 1
		}
		s, err := statement.Build(ctx, db, p, "C-1", y, m, now)
		must(err)
		if len(s.Contracts) != len(contracts) {
			t.Fatalf("%s: %d contracts", s.Month, len(s.Contracts))
		}
		for _, c := range s.Contracts {
			want := wholeHistory(t, db, c.Contract.ID, s.From, s.To)
			got := summary{Logged: c.LoggedMin, Onsite: c.OnsiteMonth}
			for _, rq := range c.Requests {
				got.Requests = append(got.Requests, fmt.Sprintf("%d:%v:%d", rq.Ticket.ID, rq.OpenedBefore, rq.LoggedMin))
			}
			if !slices.Equal(got.Requests, want.Requests) || got.Logged != want.Logged || got.Onsite != want.Onsite {
				t.Errorf("%s %s:\n got %+v\nwant %+v", s.Month, c.Contract.ID, got, want)
			}
			if len(want.Requests) > 0 {
				months++
			}
		}
	}
	if months < 30 {
		t.Errorf("only %d contract-months had requests: the history does not test much", months)
	}
}

type summary struct {
	Requests       []string // id:opened before:minutes logged in the month
	Logged, Onsite int
}

// wholeHistory is a contract's month as the statement read it before:
// every ticket of the contract and the time logs of each.
func wholeHistory(t *testing.T, st store.Store, contract string, from, to time.Time) summary {
	t.Helper()
	ctx := context.Background()
	in := func(at time.Time) bool { return !at.IsZero() && !at.Before(from) && at.Before(to) }
	ts, err := st.ListTickets(ctx, store.TicketFilter{ContractID: contract})
	if err != nil {
		t.Fatal(err)
	}
	var s summary
	for _, tk := range ts {
		if tk.Status == store.TicketMerged {
			continue
		}
		logs, err := st.TimeLogs(ctx, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		logged := 0
		for _, l := range logs {
			if in(l.At) {
				logged += l.Minutes
			}
		}
		if !in(tk.OpenedAt) && logged == 0 {
			continue
		}
		s.Requests = append(s.Requests, fmt.Sprintf("%d:%v:%d", tk.ID, !in(tk.OpenedAt), logged))
		s.Logged += logged
		if in(tk.OpenedAt) && tk.Kind == rules.RequestOnsite && tk.Status != store.TicketDeclined {
			s.Onsite++
		}
	}
	return s
}
