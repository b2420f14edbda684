package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"supportbot/rules"
	"supportbot/store"
)

func isConflict(err error) bool { return errors.Is(err, store.ErrConflict) }

// sameTicket compares tickets field by field, times as instants.
func sameTicket(a, b store.Ticket) bool {
	times := func(t store.Ticket) []time.Time {
		return []time.Time{t.OpenedAt, t.FirstResponseDue, t.FirstResponseAt, t.ClosedAt, t.WaitingSince, t.NudgedAt, t.CSATAskedAt}
	}
	if !slices.EqualFunc(times(a), times(b), time.Time.Equal) {
		return false
	}
	for _, t := range []*store.Ticket{&a, &b} {
		t.OpenedAt, t.FirstResponseDue, t.FirstResponseAt, t.ClosedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
		t.WaitingSince, t.NudgedAt, t.CSATAskedAt = time.Time{}, time.Time{}, time.Time{}
	}
	return a == b
}

// testTickets: a ticket reads back as it was written and updated, through
// every status; ids grow; a missing one is ErrNotFound; ListTickets
// filters by customer, contract, phone and open status, in id order.
func testTickets(t *testing.T, st Conversation) {
	ctx := context.Background()
	seedCustomer(t, st)
	if _, err := st.Ticket(ctx, 99); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Ticket(99) on an empty store: %v, want ErrNotFound", err)
	}
	if err := st.UpdateTicket(ctx, store.Ticket{ID: 99, Status: store.TicketNew}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("UpdateTicket(99) on an empty store: %v, want ErrNotFound", err)
	}
	opened := at(2026, 12, 1, 9, 0)
	specs := []struct {
		contract, customer, phone string
		status                    store.TicketStatus
	}{
		{"K-1", "C-1", "+989121111111", store.TicketNew},
		{"K-1", "C-1", "+989121111112", store.TicketAnswered},
		{"H-1", "C-1", "+989121111111", store.TicketWaiting},
		{"K-1", "C-1", "+989121111111", store.TicketClosed},
		{"K-1", "C-1", "+989121111112", store.TicketDeclined},
		{"H-1", "C-1", "+989121111111", store.TicketMerged},
		{"K-2", "C-2", "+989122222222", store.TicketNew},
	}
	var all []store.Ticket
	for i, s := range specs {
		tk := store.Ticket{ContractID: s.contract, CustomerID: s.customer, Phone: s.phone, Kind: rules.RequestProblem,
			Severity: rules.SeverityNormal, Status: store.TicketNew, Description: "خطا", OpenedAt: opened.Add(time.Duration(i) * time.Minute),
			FirstResponseDue: opened.Add(4 * time.Hour)}
		must(t, st.CreateTicket(ctx, &tk))
		if tk.ID <= 0 || (len(all) > 0 && tk.ID <= all[len(all)-1].ID) {
			t.Fatalf("ticket %d got id %d after %v: ids must grow", i, tk.ID, all)
		}
		got, err := st.Ticket(ctx, tk.ID)
		must(t, err)
		if !sameTicket(got, tk) {
			t.Errorf("ticket %d as created:\n%+v, want\n%+v", tk.ID, got, tk)
		}
		if s.status != store.TicketNew {
			tk.Status = s.status
			tk.FirstResponseAt = opened.Add(time.Hour)
			tk.Assignee, tk.AssigneeName = 1001, "Sara"
			tk.LoggedMin, tk.ChargedMin = 45, 45
			switch s.status {
			case store.TicketWaiting:
				tk.WaitingSince = opened.Add(2 * time.Hour)
			case store.TicketClosed:
				tk.ClosedAt = opened.Add(3 * time.Hour)
				tk.CSAT, tk.CSATAskedAt = 5, opened.Add(3*time.Hour)
			case store.TicketDeclined:
				tk.DeclineReason = rules.DeclineMisuse
				tk.ClosedAt = opened.Add(3 * time.Hour)
			case store.TicketMerged:
				tk.MergedInto = all[0].ID
				tk.ClosedAt = opened.Add(3 * time.Hour)
			}
			must(t, st.UpdateTicket(ctx, tk))
			got, err := st.Ticket(ctx, tk.ID)
			must(t, err)
			if !sameTicket(got, tk) {
				t.Errorf("ticket %d after the update to %s:\n%+v, want\n%+v", tk.ID, s.status, got, tk)
			}
		}
		all = append(all, tk)
	}
	ids := func(ts []store.Ticket) []int64 {
		var out []int64
		for _, t := range ts {
			out = append(out, t.ID)
		}
		return out
	}
	filters := []struct {
		name string
		f    store.TicketFilter
		want []int
	}{
		{"all", store.TicketFilter{}, []int{0, 1, 2, 3, 4, 5, 6}},
		{"customer", store.TicketFilter{CustomerID: "C-1"}, []int{0, 1, 2, 3, 4, 5}},
		{"contract", store.TicketFilter{ContractID: "H-1"}, []int{2, 5}},
		{"phone", store.TicketFilter{Phone: "+989121111112"}, []int{1, 4}},
		{"open only: new, answered, waiting", store.TicketFilter{CustomerID: "C-1", OpenOnly: true}, []int{0, 1, 2}},
		{"open on a phone", store.TicketFilter{Phone: "+989121111111", OpenOnly: true}, []int{0, 2}},
		{"nobody's", store.TicketFilter{CustomerID: "C-404"}, nil},
	}
	for _, tt := range filters {
		t.Run(tt.name, func(t *testing.T) {
			got, err := st.ListTickets(ctx, tt.f)
			must(t, err)
			var want []int64
			for _, i := range tt.want {
				want = append(want, all[i].ID)
			}
			if !slices.Equal(ids(got), want) {
				t.Errorf("ListTickets(%+v) = %v, want %v", tt.f, ids(got), want)
			}
			for _, g := range got {
				if w := all[slices.Index(ids(all), g.ID)]; !sameTicket(g, w) {
					t.Errorf("listed ticket %d:\n%+v, want\n%+v", g.ID, g, w)
				}
			}
		})
	}
}

// testMessages: messages get growing ids and list per ticket, in order.
func testMessages(t *testing.T, st Conversation) {
	ctx := context.Background()
	seedCustomer(t, st)
	var tickets []int64
	for i := range 2 {
		tk := store.Ticket{ContractID: "K-1", CustomerID: "C-1", Phone: "+989121111111", Kind: rules.RequestProblem,
			Status: store.TicketNew, OpenedAt: at(2026, 12, 1, 9, i)}
		must(t, st.CreateTicket(ctx, &tk))
		tickets = append(tickets, tk.ID)
	}
	var want []store.Message
	var last int64
	for i, m := range []store.Message{
		{TicketID: tickets[0], Direction: store.FromCustomer, Author: "+989121111111", Text: "سلام"},
		{TicketID: tickets[1], Direction: store.FromCustomer, Author: "+989121111111", Text: "دیگری"},
		{TicketID: tickets[0], Direction: store.FromStaff, Author: "Sara", UserID: 1001, Text: "بفرمایید"},
		{TicketID: tickets[0], Direction: store.StaffNote, Author: "Sara", UserID: 1001, Text: "یادداشت"},
		{TicketID: tickets[0], Direction: store.FromCustomer, Author: "+989121111111",
			File: &store.File{Kind: store.FileImage, Name: "error.png", MIME: "image/png", Bytes: 48211, Path: "media/1.png"}},
	} {
		m.At = at(2026, 12, 1, 10, i)
		must(t, st.AddMessage(ctx, &m))
		if m.ID <= last {
			t.Fatalf("message %d got id %d after %d: ids must grow", i, m.ID, last)
		}
		last = m.ID
		if m.TicketID == tickets[0] {
			want = append(want, m)
		}
	}
	got, err := st.Messages(ctx, tickets[0])
	must(t, err)
	if len(got) != len(want) {
		t.Fatalf("Messages = %d messages, want %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if !g.At.Equal(w.At) || (g.File == nil) != (w.File == nil) || (g.File != nil && *g.File != *w.File) {
			t.Errorf("message %d: %+v, want %+v", i, g, w)
		}
		g.At, w.At, g.File, w.File = time.Time{}, time.Time{}, nil, nil
		if g != w {
			t.Errorf("message %d: %+v, want %+v", i, g, w)
		}
	}
}

// testCustomers: a customer is found by any of its numbers, with all of
// them sorted; an unknown number is ErrNotFound; a customer's contracts
// come by id.
func testCustomers(t *testing.T, st Conversation) {
	ctx := context.Background()
	if _, err := st.CustomerByPhone(ctx, "+989121111111"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("CustomerByPhone on an empty store: %v, want ErrNotFound", err)
	}
	seedCustomer(t, st)
	for _, phone := range []string{"+989121111111", "+989121111112"} {
		c, err := st.CustomerByPhone(ctx, phone)
		must(t, err)
		if c.ID != "C-1" || c.Name != "Acme" || c.City != "Tehran" || !slices.Equal(c.Phones, []string{"+989121111111", "+989121111112"}) {
			t.Errorf("CustomerByPhone(%s) = %+v", phone, c)
		}
	}
	if _, err := st.CustomerByPhone(ctx, "+989129999999"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("CustomerByPhone of an unknown number: %v, want ErrNotFound", err)
	}
	// An import that drops a number: it no longer finds the customer.
	must(t, st.SetImportedPhones(ctx, "C-1", []string{"+989121111111"}))
	if _, err := st.CustomerByPhone(ctx, "+989121111112"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("CustomerByPhone of a number the import dropped: %v, want ErrNotFound", err)
	}
	must(t, st.UpsertCustomer(ctx, store.Customer{ID: "C-1", Name: "Acme Co", City: "Tehran"}))
	if c, err := st.CustomerByPhone(ctx, "+989121111111"); err != nil || c.Name != "Acme Co" || !slices.Equal(c.Phones, []string{"+989121111111"}) {
		t.Errorf("after the update: %+v, %v", c, err)
	}
	cs, err := st.ContractsOf(ctx, "C-1")
	must(t, err)
	var got []string
	for _, c := range cs {
		got = append(got, c.ID+":"+string(c.Kind)+":"+string(c.Tier))
	}
	if want := []string{"H-1:hourly:h50", "K-1:product:gold"}; !slices.Equal(got, want) {
		t.Errorf("ContractsOf(C-1) = %v, want %v", got, want)
	}
	if cs, err := st.ContractsOf(ctx, "C-404"); err != nil || len(cs) != 0 {
		t.Errorf("ContractsOf(C-404) = %v, %v; want none", cs, err)
	}
}

// testSessionsAndSettings: both are ErrNotFound before the first write and
// replaced by later ones.
func testSessionsAndSettings(t *testing.T, st Conversation) {
	ctx := context.Background()
	if _, err := st.Session(ctx, "+989121111111"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Session before any: %v, want ErrNotFound", err)
	}
	for _, s := range []store.Session{
		{Phone: "+989121111111", State: "menu", Data: `{"a":1}`, UpdatedAt: at(2026, 12, 1, 9, 0)},
		{Phone: "+989121111111", State: "describe", Data: `{"a":2}`, UpdatedAt: at(2026, 12, 1, 9, 1)},
	} {
		must(t, st.SaveSession(ctx, s))
		got, err := st.Session(ctx, s.Phone)
		must(t, err)
		if got.Phone != s.Phone || got.State != s.State || got.Data != s.Data || !got.UpdatedAt.Equal(s.UpdatedAt) {
			t.Errorf("Session = %+v, want %+v", got, s)
		}
	}
	if _, err := st.Setting(ctx, store.SettingOutage); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Setting before any: %v, want ErrNotFound", err)
	}
	for _, v := range []string{"on", "off"} {
		must(t, st.SetSetting(ctx, store.SettingOutage, v))
		if got, err := st.Setting(ctx, store.SettingOutage); err != nil || got != v {
			t.Errorf("Setting = %q, %v; want %q", got, err, v)
		}
	}
}

// testDenials: each denial gets its own id.
func testDenials(t *testing.T, st Conversation) {
	ctx := context.Background()
	var last int64
	for i := range 3 {
		d := store.Denial{At: at(2026, 12, 1, 9, i), Phone: "+989121111111", CustomerID: "C-1", ContractID: "K-1",
			Kind: rules.RequestOnsite, Reason: rules.DenyMonthQuota}
		must(t, st.AddDenial(ctx, &d))
		if d.ID <= last {
			t.Fatalf("denial %d got id %d after %d", i, d.ID, last)
		}
		last = d.ID
	}
}
