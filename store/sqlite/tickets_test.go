package sqlite

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"supportbot/rules"
	"supportbot/store"
)

func TestTicketRoundTrip(t *testing.T) {
	db := MustOpen(t)
	MustSeed(t, db)
	ctx := context.Background()
	opened := time.Date(2026, 5, 1, 10, 15, 30, 123456789, tehran)
	tk := store.Ticket{ContractID: "K-1", CustomerID: "C-1", Phone: "+989121111111", Kind: rules.RequestOnsite,
		Severity: rules.SeverityCritical, Description: "server down", OpenedAt: opened,
		FirstResponseDue: opened.Add(2 * time.Hour)}
	must(t, db.CreateTicket(ctx, &tk))
	if tk.ID != 1 || tk.Status != store.TicketNew {
		t.Fatalf("created id %d status %q, want 1 new", tk.ID, tk.Status)
	}

	got, err := db.Ticket(ctx, 1)
	must(t, err)
	want := tk
	want.OpenedAt, want.FirstResponseDue = opened.UTC(), opened.Add(2*time.Hour).UTC()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Ticket =\n%+v\nwant\n%+v", got, want)
	}
	if got.OpenedAt.Location() != time.UTC {
		t.Errorf("times come back in %v, want UTC", got.OpenedAt.Location())
	}

	got.Status, got.DeclineReason = store.TicketDeclined, rules.DeclineMisuse
	got.FirstResponseAt, got.ClosedAt = opened.Add(time.Hour).UTC(), opened.Add(3*time.Hour).UTC()
	got.Assignee, got.AssigneeName, got.LoggedMin, got.ChargedMin = 42, "Sara", 20, 30
	must(t, db.UpdateTicket(ctx, got))
	again, err := db.Ticket(ctx, 1)
	must(t, err)
	if !reflect.DeepEqual(again, got) {
		t.Errorf("after update =\n%+v\nwant\n%+v", again, got)
	}

	// Fields fixed at opening are overwritten too (the full update), and
	// the ticket is found by them afterwards.
	moved := again
	moved.Phone, moved.Kind, moved.ContractID = "+989122222222", rules.RequestProblem, ""
	moved.OpenedAt, moved.FirstResponseDue = opened.Add(time.Minute).UTC(), time.Time{}
	must(t, db.UpdateTicket(ctx, moved))
	if got, err := db.Ticket(ctx, 1); err != nil || !reflect.DeepEqual(got, moved) {
		t.Errorf("after changing fixed fields =\n%+v (%v)\nwant\n%+v", got, err, moved)
	}
	if l, err := db.ListTickets(ctx, store.TicketFilter{Phone: "+989122222222"}); err != nil || len(l) != 1 {
		t.Errorf("by the new phone: %d tickets (%v), want 1", len(l), err)
	}
	must(t, db.UpdateTicket(ctx, again))

	// Clearing a time stores NULL and reads back zero.
	again.ClosedAt = time.Time{}
	must(t, db.UpdateTicket(ctx, again))
	var closed *string
	must(t, db.reader.QueryRow(`SELECT closed_at FROM tickets WHERE id = 1`).Scan(&closed))
	if closed != nil {
		t.Errorf("zero time stored as %q, want NULL", *closed)
	}
}

func TestListTickets(t *testing.T) {
	db := MustOpen(t)
	MustSeed(t, db)
	ctx := context.Background()
	must(t, db.UpsertCustomer(ctx, store.Customer{ID: "C-2"}))
	must(t, db.UpsertContract(ctx, rules.Contract{ID: "K-2", CustomerID: "C-2", Kind: rules.KindCRM, Tier: rules.TierStandard}))
	for _, tk := range []store.Ticket{
		{ContractID: "K-1", CustomerID: "C-1", Phone: "+1", Status: store.TicketNew},      // 1
		{ContractID: "K-2", CustomerID: "C-2", Phone: "+2", Status: store.TicketAnswered}, // 2
		{ContractID: "H-1", CustomerID: "C-1", Phone: "+1", Status: store.TicketClosed},   // 3
		{ContractID: "K-1", CustomerID: "C-1", Phone: "+3", Status: store.TicketDeclined}, // 4
		{ContractID: "K-1", CustomerID: "C-1", Phone: "+1", Status: store.TicketAnswered}, // 5
	} {
		must(t, db.CreateTicket(ctx, &tk))
	}
	for _, tc := range []struct {
		name string
		f    store.TicketFilter
		want []int64
	}{
		{"all", store.TicketFilter{}, []int64{1, 2, 3, 4, 5}},
		{"open", store.TicketFilter{OpenOnly: true}, []int64{1, 2, 5}},
		{"customer", store.TicketFilter{CustomerID: "C-1"}, []int64{1, 3, 4, 5}},
		{"contract", store.TicketFilter{ContractID: "K-1"}, []int64{1, 4, 5}},
		{"phone open", store.TicketFilter{Phone: "+1", OpenOnly: true}, []int64{1, 5}},
		{"customer contract", store.TicketFilter{CustomerID: "C-1", ContractID: "H-1"}, []int64{3}},
		{"nothing", store.TicketFilter{Phone: "+9"}, nil},
	} {
		ts, err := db.ListTickets(ctx, tc.f)
		must(t, err)
		var ids []int64
		for _, tk := range ts {
			ids = append(ids, tk.ID)
		}
		if !reflect.DeepEqual(ids, tc.want) {
			t.Errorf("%s: ids %v, want %v", tc.name, ids, tc.want)
		}
	}
}

func TestMessagesAndTimeLogs(t *testing.T) {
	db := MustOpen(t)
	MustSeed(t, db)
	ctx := context.Background()
	tk := store.Ticket{ContractID: "K-1", CustomerID: "C-1"}
	must(t, db.CreateTicket(ctx, &tk))
	ms := []store.Message{
		{TicketID: tk.ID, At: at(2026, 5, 1, 10, 0), Direction: store.FromCustomer, Author: "+989121111111", Text: "help"},
		{TicketID: tk.ID, At: at(2026, 5, 1, 10, 1), Direction: store.FromCustomer, Author: "+989121111111",
			File: &store.File{Kind: "image", Name: "screen.jpg", MIME: "image/jpeg", Bytes: 2048, Path: "files/1/screen.jpg"}},
		{TicketID: tk.ID, At: at(2026, 5, 1, 11, 0), Direction: store.StaffNote, Author: "Sara", Text: "checking"},
		{TicketID: tk.ID, At: at(2026, 5, 1, 11, 5), Direction: store.FromStaff, Author: "Sara", Text: "fixed"},
	}
	for i := range ms {
		must(t, db.AddMessage(ctx, &ms[i]))
		ms[i].At = ms[i].At.UTC()
	}
	got, err := db.Messages(ctx, tk.ID)
	must(t, err)
	if !reflect.DeepEqual(got, ms) {
		t.Errorf("Messages =\n%+v\nwant\n%+v", got, ms)
	}

	ls := []store.TimeLog{
		{TicketID: tk.ID, At: at(2026, 5, 1, 12, 0), Minutes: 45, StaffID: 7},
		{TicketID: tk.ID, At: at(2026, 5, 2, 9, 0), Minutes: 90, StaffID: 8},
	}
	for i := range ls {
		must(t, db.AddTimeLog(ctx, &ls[i]))
		ls[i].At = ls[i].At.UTC()
	}
	gotLogs, err := db.TimeLogs(ctx, tk.ID)
	must(t, err)
	if !reflect.DeepEqual(gotLogs, ls) {
		t.Errorf("TimeLogs = %+v, want %+v", gotLogs, ls)
	}
	if none, err := db.Messages(ctx, 99); err != nil || none != nil {
		t.Errorf("Messages of unknown ticket = %v, %v", none, err)
	}
}

func TestDenialsSettingsSessions(t *testing.T) {
	db := MustOpen(t)
	ctx := context.Background()
	ds := []store.Denial{
		{At: at(2026, 5, 1, 9, 0), Phone: "+989120000000", Reason: rules.DenyUnknownCustomer},
		{At: at(2026, 5, 1, 9, 5), Phone: "+989121111111", CustomerID: "C-1", ContractID: "K-1",
			Kind: rules.RequestOnsite, Reason: rules.DenyYearAllowanceUsed},
	}
	for i := range ds {
		must(t, db.AddDenial(ctx, &ds[i]))
		ds[i].At = ds[i].At.UTC()
	}
	got, err := db.ListDenials(ctx)
	must(t, err)
	if !reflect.DeepEqual(got, ds) {
		t.Errorf("ListDenials = %+v, want %+v", got, ds)
	}

	must(t, db.SetSetting(ctx, store.SettingOutage, "on"))
	must(t, db.SetSetting(ctx, store.SettingOutage, "off"))
	if v, err := db.Setting(ctx, store.SettingOutage); err != nil || v != "off" {
		t.Errorf("outage = %q, %v", v, err)
	}

	s := store.Session{Phone: "+989121111111", State: "menu", Data: `{"a":1}`, UpdatedAt: at(2026, 5, 1, 9, 0)}
	must(t, db.SaveSession(ctx, s))
	s.State, s.Data, s.UpdatedAt = "describe", `{"a":2}`, at(2026, 5, 1, 9, 3)
	must(t, db.SaveSession(ctx, s))
	gotS, err := db.Session(ctx, s.Phone)
	must(t, err)
	s.UpdatedAt = s.UpdatedAt.UTC()
	if gotS != s {
		t.Errorf("Session = %+v, want %+v", gotS, s)
	}
}

// TestOpenTicketsOfCustomer: a customer's open tickets are found through
// the index of open tickets, not by reading every ticket the customer
// ever had; the lists come back by id either way.
func TestOpenTicketsOfCustomer(t *testing.T) {
	db := MustOpen(t)
	MustSeed(t, db)
	ctx := context.Background()
	opened := at(2026, 5, 2, 9, 0)
	var open []int64
	for i := range 30 {
		tk := store.Ticket{ContractID: "K-1", CustomerID: "C-1", Phone: "+989121111111", Kind: rules.RequestProblem,
			Severity: rules.SeverityNormal, Description: "x", OpenedAt: opened.Add(time.Duration(i) * time.Minute)}
		must(t, db.CreateTicket(ctx, &tk))
		switch i {
		case 3, 17:
			open = append(open, tk.ID)
		case 25:
			tk.Status = store.TicketAnswered
			must(t, db.UpdateTicket(ctx, tk))
			open = append(open, tk.ID)
		default:
			tk.Status, tk.ClosedAt = store.TicketClosed, tk.OpenedAt.Add(time.Hour)
			must(t, db.UpdateTicket(ctx, tk))
		}
	}
	ids := func(ts []store.Ticket) []int64 {
		var out []int64
		for _, tk := range ts {
			out = append(out, tk.ID)
		}
		return out
	}
	got, err := db.ListTickets(ctx, store.TicketFilter{CustomerID: "C-1", OpenOnly: true})
	must(t, err)
	if !reflect.DeepEqual(ids(got), open) {
		t.Errorf("open tickets %v, want %v", ids(got), open)
	}
	all, err := db.ListTickets(ctx, store.TicketFilter{CustomerID: "C-1"})
	must(t, err)
	if len(all) != 30 || !slices.IsSorted(ids(all)) {
		t.Errorf("all tickets %v, want 30 by id", ids(all))
	}

	query, args := ticketListQuery(store.TicketFilter{CustomerID: "C-1", OpenOnly: true})
	if plan := queryPlan(t, db, query, args...); !strings.Contains(plan, "tickets_customer_open (customer_id=?)") || strings.Contains(plan, "TEMP B-TREE") {
		t.Errorf("open tickets of a customer: plan %q, want the index of open tickets and no sort", plan)
	}
}

// BenchmarkOpenTicketsLongHistory: the open-ticket read of a customer with
// 2,000 closed tickets and one open, against BenchmarkOpenTicketsNew, the
// same read for a customer with one ticket, open.
func BenchmarkOpenTicketsLongHistory(b *testing.B) { benchmarkOpenTickets(b, 2000) }

func BenchmarkOpenTicketsNew(b *testing.B) { benchmarkOpenTickets(b, 0) }

func benchmarkOpenTickets(b *testing.B, closed int) {
	db := MustOpen(b)
	MustSeed(b, db)
	ctx := context.Background()
	opened := at(2026, 5, 2, 9, 0)
	must(b, db.InTx(ctx, func(tx store.Store) error {
		for i := range closed + 1 {
			tk := store.Ticket{ContractID: "K-1", CustomerID: "C-1", Phone: "+989121111111", Kind: rules.RequestProblem,
				Severity: rules.SeverityNormal, Description: "x", OpenedAt: opened.Add(time.Duration(i) * time.Minute)}
			if i < closed {
				tk.Status, tk.ClosedAt = store.TicketClosed, tk.OpenedAt.Add(time.Hour)
			}
			if err := tx.CreateTicket(ctx, &tk); err != nil {
				return err
			}
		}
		return nil
	}))
	f := store.TicketFilter{CustomerID: "C-1", OpenOnly: true}
	b.ResetTimer()
	for b.Loop() {
		ts, err := db.ListTickets(ctx, f)
		if err != nil || len(ts) != 1 {
			b.Fatalf("%d open tickets (%v), want 1", len(ts), err)
		}
	}
}
